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
import { plural } from '../../core/plural';
import { defineTool, resolvePath, type ToolContext } from '../tool';
import { formatDuration } from '../../core/duration';
import { LockView, lockLine, lockView } from '../views';

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

/** mesh_lock: acquire, release, renew, check and list file and line-range locks. */
export const lockTool = defineTool({
  name: 'mesh_lock',
  title: 'Claim files before editing',
  description: 'Advisory locks so agents do not edit the same code at once. Before editing a file: acquire it (whole file or a line range) with a reason; if another agent holds it, do not edit it. Release as soon as you are done. release or renew with neither path nor lockId acts on every lock you hold.',
  input: {
    action: z.enum(['acquire', 'release', 'renew', 'check', 'list']).describe('acquire (re-acquire renews), release, renew, check (who blocks it), list'),
    path: z.string().min(1).max(limits.path).optional().describe('File, absolute or relative to your cwd (release, renew, list: a file or a folder; release/renew with neither path nor lockId: every lock you hold)'),
    startLine: z.number().int().min(1).optional().describe('First line of a range (omit for the whole file)'),
    endLine: z.number().int().min(1).optional().describe('Last line of the range (inclusive)'),
    reason: z.string().max(limits.reason).optional().describe('acquire: what you are doing, shown to others'),
    ttlSeconds: z.number().int().min(1).max(limits.ttlSeconds).optional().describe('acquire/renew: lifetime (default 600); renew before it ends'),
    waitSeconds: z.number().int().min(0).max(300).optional().describe('acquire: if held, queue up to this long (default 0: fail at once)'),
    lockId: z.number().int().optional().describe('release/renew: a lock id instead of path (neither given: every lock you hold)'),
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
        }, { signal });
        // Granted just before the cancellation reached the broker: the agent will never see this
        // answer, so it must not keep a lock it does not know it holds.
        if (signal?.aborted && !renewed) {
          await client.request('locks/release', { lockId: lock.id });
          throw new BrokerError('cancelled', `the call was cancelled; ${lock.relPath} was released again`);
        }
        const v = view(lock);
        return { text: `${renewed ? 'Renewed' : 'Locked'} ${v.target} (#${v.id}) for ${formatDuration(v.expiresInSec * 1000, { rounding: 'up' })}. Release it when done.`, data: { lock: v } };
      }
      case 'release': {
        let released: Lock[];
        if (args.lockId !== undefined) released = (await client.request('locks/release', { lockId: args.lockId })).released;
        else if (args.startLine !== undefined || args.endLine !== undefined) released = (await client.request('locks/release', { target: target(ctx, args, 'release') })).released;
        // Done with a file, a folder or everything: one request, all or nothing.
        else released = (await client.request('locks/releaseAll', args.path ? { path: resolvePath(ctx, args.path) } : {})).released;
        const text = released.length > 0 ? `Released ${released.map((l) => view(l).target).join(', ')}.`
          : args.path ? `You held no locks on ${args.path}.` : 'You held no locks.';
        return { text, data: { released: released.length } };
      }
      case 'renew': {
        const which = args.lockId !== undefined ? { lockId: args.lockId } : args.path ? { target: target(ctx, args, 'renew') } : {};
        const renewed = (await client.request('locks/renew', { ...which, ttlSeconds: args.ttlSeconds })).locks.map(view);
        return { text: `Renewed ${renewed.map((l) => `${l.target} (${formatDuration(l.expiresInSec * 1000, { rounding: 'up' })})`).join(', ')}.`, data: { locks: renewed } };
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
