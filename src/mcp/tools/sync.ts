/**
 * The landing queue, for agents about to push: mesh_sync. One agent at a time holds a shared
 * branch's token: acquire it (waiting in line if need be), rebase and push, release it at once.
 * The branch defaults to the one checked out in the agent's folder, read now (the peer's
 * record has the branch it was on when it joined).
 */
import * as z from 'zod';
import { formatDuration } from '../../core/duration';
import { ordinal } from '../../core/plural';
import { printable } from '../../core/printable';
import { nodeWorkspaceProbe } from '../../core/workspace';
import { Branch, type SyncQueue } from '../../protocol/coordination';
import { BrokerError } from '../../protocol/errors';
import { limits } from '../../protocol/limits';
import { callText } from '../budget';
import type { MeshClient } from '../mesh-session';
import { defineTool, type ToolContext } from '../tool';

/** A queue as the model sees it: names, seconds, the caller as "you". */
export type QueueView = {
  branch: string;
  holder: string | null;
  heldSeconds?: number;
  expiresInSeconds?: number;
  waiting: string[];
  stalled?: true;
};

function queueView(q: SyncQueue, self: string, now = Date.now()): QueueView {
  const name = (p: { peer: string; peerName: string }) => (p.peer === self ? 'you' : p.peerName);
  return {
    branch: q.branch,
    holder: q.holder && name(q.holder),
    ...(q.holder && { heldSeconds: Math.round((now - q.holder.since) / 1000), expiresInSeconds: Math.max(0, Math.ceil((q.holder.expiresAt - now) / 1000)) }),
    waiting: q.waiting.map(name),
    ...(q.stalled && { stalled: true as const }),
  };
}

/** "14:05": the time of day `at`, on the agent's clock. */
export const clockTime = (at: number) => new Date(at).toTimeString().slice(0, 5);

const held = (q: SyncQueue, now: number) => formatDuration(now - q.holder!.since, { rounding: 'nearest', units: 1 });

/** One queue in a line: "main: bob holds it (3m, until 14:05), 2 waiting: carol, you". */
export function queueLine(q: SyncQueue, self: string, now = Date.now()): string {
  const v = queueView(q, self, now);
  const holder = q.holder ? `${printable(v.holder!)} ${v.holder === 'you' ? 'hold' : 'holds'} it (${held(q, now)}, until ${clockTime(q.holder.expiresAt)}${q.stalled ? ', stalled: far longer than usual' : ''})` : 'free';
  const waiting = v.waiting.length > 0 ? `, ${v.waiting.length} waiting: ${v.waiting.map(printable).join(', ')}` : '';
  return `${printable(q.branch)}: ${holder}${waiting}`;
}

/** The text of an acquire's answer: the token held, or the place in line. */
export function acquiredText(q: SyncQueue, position: number, now = Date.now()): string {
  const branch = printable(q.branch);
  if (position === 0) return `You hold the landing token for ${branch} until ${clockTime(q.holder!.expiresAt)}; push, then release.`;
  const ahead = position - 1;
  const behind = q.holder
    ? `behind ${printable(q.holder.peerName)} (holding ${held(q, now)}${q.stalled ? ', stalled' : ''})${ahead > 0 ? ` and ${ahead} more` : ''}`
    : `behind ${ahead} more`;
  return `${ordinal(position + 1)} in line for ${branch} ${behind}. Your place is kept; acquire again with wait to wait for it, release to leave the line.`;
}

/** The branch asked for, else the one checked out in the agent's folder, else the one it joined on. */
function branchOf(ctx: ToolContext, client: MeshClient, branch: string | undefined): string {
  if (branch) return branch;
  const root = nodeWorkspaceProbe.gitRoot(ctx.cwd);
  const current = (root && nodeWorkspaceProbe.gitBranch(root)) ?? client.peer.gitBranch;
  if (!current) throw new BrokerError('invalidInput', 'your folder has no git branch checked out: name the branch (branch="main")');
  return current;
}

const item = z.record(z.string(), z.unknown());

/** mesh_sync: acquire, release and see the landing tokens of the agent's repository. */
export const syncTool = defineTool({
  name: 'mesh_sync',
  title: 'Push to a shared branch one at a time',
  description: 'Landing queue: one agent at a time rebases and pushes to a shared branch. acquire before you pull/rebase to push (you get the token or a place in line), push, then release at once. status: who holds or waits.',
  input: {
    action: z.enum(['acquire', 'release', 'status']).optional().describe('Default status'),
    branch: Branch.optional().describe('Default: your current branch'),
    wait: z.number().int().min(0).max(limits.waitMs / 1000).optional().describe('acquire: seconds to wait for your turn'),
  },
  output: { queue: item.optional(), queues: z.array(item).optional(), acquired: z.boolean().optional(), position: z.number().optional() },
  async run(args, client, ctx, signal) {
    const self = client.peer.id;
    switch (args.action ?? 'status') {
      case 'acquire': {
        const branch = branchOf(ctx, client, args.branch);
        const r = await client.request('sync/acquire', { branch, waitMs: (args.wait ?? 0) * 1000 }, { signal });
        ctx.session.coordinationChanged();
        return { text: acquiredText(r.queue, r.position), data: { queue: queueView(r.queue, self), acquired: r.acquired, position: r.position } };
      }
      case 'release': {
        const branch = branchOf(ctx, client, args.branch);
        const { queue } = await client.request('sync/release', { branch });
        ctx.session.coordinationChanged();
        const next = queue.holder ? `${printable(queue.holder.peerName)} holds it now` : 'it is free';
        return { text: `Done with ${printable(branch)}: ${next}.`, data: { queue: queueView(queue, self) } };
      }
      case 'status': {
        const { queues } = await client.request('sync/status', { branch: args.branch });
        if (queues.length === 0) {
          const text = `No one holds or waits for ${args.branch ? printable(args.branch) : 'a branch of this repository'}. Before pushing: ${callText('mesh_sync', { action: 'acquire' })}.`;
          return { text, data: { queues: [] } };
        }
        return { text: queues.map((q) => queueLine(q, self)).join('\n'), data: { queues: queues.map((q) => queueView(q, self)) } };
      }
    }
  },
});
