/**
 * Advisory claims on files and line ranges: mesh_lock. Paths are resolved against the agent's
 * working directory here, before they reach the broker, so a relative path means what the
 * agent means by it.
 */
import { z } from 'zod';
import { BrokerError } from '../../protocol/errors';
import type { Lock } from '../../protocol/entities';
import { limits } from '../../protocol/limits';
import type { LockTarget } from '../../protocol/methods';
import type { MeshClient } from '../session';
import { defineTool, plural, resolvePath, type ToolContext } from '../tool';
import { LockView, lockLine, lockView, shortDuration } from '../views';

interface TargetArgs {
  path?: string;
  startLine?: number;
  endLine?: number;
}

function target(ctx: ToolContext, args: TargetArgs, action: string): LockTarget {
  if (!args.path) throw new BrokerError('invalidInput', `${action} needs a path`);
  if (args.startLine !== undefined || args.endLine !== undefined) {
    const startLine = args.startLine ?? args.endLine!;
    return { path: resolvePath(ctx, args.path), startLine, endLine: args.endLine ?? startLine };
  }
  return { path: resolvePath(ctx, args.path) };
}

async function mine(client: MeshClient): Promise<Lock[]> {
  return (await client.request('locks/list', { holder: client.peer.id })).locks;
}

/** mesh_lock: acquire, release, renew, check and list file and line-range locks. */
export const lockTool = defineTool({
  name: 'mesh_lock',
  title: 'Claim files before editing',
  description: 'Advisory locks so agents do not edit the same code at once. Before editing a file: acquire it (whole file or a line range) with a reason; if another agent holds it, do not edit it. Release as soon as you are done.',
  input: {
    action: z.enum(['acquire', 'release', 'renew', 'check', 'list']).describe('acquire (re-acquire renews), release, renew, check (who blocks it), list'),
    path: z.string().min(1).max(limits.path).optional().describe('File, absolute or relative to your cwd (list: a file or folder filter)'),
    startLine: z.number().int().min(1).optional().describe('First line of a range (omit for the whole file)'),
    endLine: z.number().int().min(1).optional().describe('Last line of the range (inclusive)'),
    reason: z.string().max(limits.reason).optional().describe('acquire: what you are doing, shown to others'),
    ttlSeconds: z.number().int().min(1).max(limits.ttlSeconds).optional().describe('acquire/renew: lifetime (default 600); renew before it ends'),
    waitSeconds: z.number().int().min(0).max(300).optional().describe('acquire: if held, queue up to this long (default 0: fail at once)'),
    lockId: z.number().int().optional().describe('release/renew: a lock id instead of path'),
    holder: z.string().max(limits.name).optional().describe('list: only this peer\'s locks ("me" for yours)'),
  },
  output: {
    lock: LockView.optional(), locks: z.array(LockView).optional(), free: z.boolean().optional(), released: z.number().optional(),
  },
  async run(args, client, ctx, signal) {
    const view = (l: Lock) => lockView(l, ctx.cwd, client.peer.id);
    switch (args.action) {
      case 'acquire': {
        const t = target(ctx, args, 'acquire');
        const { lock, renewed } = await client.request('locks/acquire', {
          target: t, reason: args.reason ?? '', ttlSeconds: args.ttlSeconds, waitMs: (args.waitSeconds ?? 0) * 1000,
        }, signal);
        // Granted just before the cancellation reached the broker: the agent will never see this
        // answer, so it must not keep a lock it does not know it holds.
        if (signal?.aborted && !renewed) {
          await client.request('locks/release', { lockId: lock.id });
          throw new BrokerError('cancelled', `the call was cancelled; ${lock.relPath} was released again`);
        }
        const v = view(lock);
        return { text: `${renewed ? 'Renewed' : 'Locked'} ${v.target} (#${v.id}) for ${shortDuration(v.expiresInSec)}. Release it when done.`, data: { lock: v } };
      }
      case 'release': {
        let released: Lock[];
        if (args.lockId !== undefined) released = (await client.request('locks/release', { lockId: args.lockId })).released;
        else if (args.path) released = (await client.request('locks/release', { target: target(ctx, args, 'release') })).released;
        else {
          // Done with everything: release every lock this peer holds.
          released = [];
          for (const l of await mine(client)) released.push(...(await client.request('locks/release', { lockId: l.id })).released);
        }
        const text = released.length === 0 ? 'You held no locks.' : `Released ${released.map((l) => view(l).target).join(', ')}.`;
        return { text, data: { released: released.length } };
      }
      case 'renew': {
        const ids = args.lockId !== undefined ? [args.lockId]
          : args.path ? (await client.request('locks/list', { path: resolvePath(ctx, args.path), holder: client.peer.id })).locks.map((l) => l.id)
            : (await mine(client)).map((l) => l.id);
        if (ids.length === 0) throw new BrokerError('notFound', args.path ? `you hold no lock on ${args.path}` : 'you hold no locks to renew');
        const locks = await Promise.all(ids.map(async (lockId) => view((await client.request('locks/renew', { lockId, ttlSeconds: args.ttlSeconds })).lock)));
        return { text: `Renewed ${locks.map((l) => `${l.target} (${shortDuration(l.expiresInSec)})`).join(', ')}.`, data: { locks } };
      }
      case 'check': {
        const t = target(ctx, args, 'check');
        const { conflicts } = await client.request('locks/check', { target: t });
        const locks = conflicts.map(view);
        const text = locks.length === 0 ? `${args.path} is free: acquire it before editing.` : `Blocked by ${plural(locks.length, 'lock')}:\n${locks.map(lockLine).join('\n')}`;
        return { text, data: { free: locks.length === 0, locks } };
      }
      case 'list': {
        const holder = args.holder === 'me' ? client.peer.id : args.holder;
        const { locks } = await client.request('locks/list', { ...(args.path && { path: resolvePath(ctx, args.path) }), ...(holder && { holder }) });
        const views = locks.map(view);
        return { text: views.length === 0 ? 'No locks.' : views.map(lockLine).join('\n'), data: { locks: views } };
      }
    }
  },
});
