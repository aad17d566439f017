/**
 * Advisory claims on files and line ranges: mesh_lock. Paths are resolved against the agent's
 * working directory here, before they reach the broker, so a relative path means what the
 * agent means by it; the arguments are checked here too, so a refusal names them as the agent
 * wrote them. A listing goes in lock id order, a page at a time within the result's budget.
 */
import * as z from 'zod';
import { BrokerError } from '../../protocol/errors';
import type { Lock, WorktreeClaim } from '../../protocol/entities';
import { limits } from '../../protocol/limits';
import type { LockTarget } from '../../protocol/methods';
import { describeWorktreeClaim } from '../../core/paths';
import { plural } from '../../core/plural';
import { printable } from '../../core/printable';
import { defineTool, resolvePath, type ToolContext } from '../tool';
import { formatDuration } from '../../core/duration';
import { callText, fitList, moreLine, namesText, numericCursor } from '../budget';
import { LockView, lockLine, lockView } from '../views';

interface TargetArgs {
  path?: string;
  startLine?: number;
  endLine?: number;
  symbol?: string;
}

function target(ctx: ToolContext, args: TargetArgs, action: string): LockTarget {
  if (!args.path) throw new BrokerError('invalidInput', `${action} needs a path`);
  const file = absolute(ctx, args.path);
  if (args.symbol !== undefined) {
    if (args.startLine !== undefined || args.endLine !== undefined) throw new BrokerError('invalidInput', 'give a symbol or startLine/endLine, not both');
    return { path: file, symbol: args.symbol };
  }
  if (args.startLine !== undefined || args.endLine !== undefined) {
    const startLine = args.startLine ?? args.endLine!;
    const endLine = args.endLine ?? startLine;
    if (startLine > endLine) throw new BrokerError('invalidInput', `startLine (${startLine}) is after endLine (${endLine})`);
    return { path: file, startLine, endLine };
  }
  return { path: file };
}

/** `p` resolved against the agent's cwd, within the length the broker takes. */
function absolute(ctx: ToolContext, p: string): string {
  const file = resolvePath(ctx, p);
  if (file.length > limits.path) throw new BrokerError('invalidInput', `path is ${file.length} characters once resolved against your cwd; at most ${limits.path}`);
  return file;
}

/** Claims in other worktrees named, at most: a warning needs a few, and the result stays small. */
const worktreeClaimsShown = 5;

/** The same file claimed in other worktrees of its repository, as warning lines, in the text and the data alike. */
function worktreeClaims(claims: readonly WorktreeClaim[]): { lines: string[]; data: { alsoClaimed?: string[] } } {
  if (claims.length === 0) return { lines: [], data: {} };
  const rest = claims.length - worktreeClaimsShown;
  const lines = [...claims.slice(0, worktreeClaimsShown).map(describeWorktreeClaim), ...(rest > 0 ? [`and ${plural(rest, 'more claim')} in other worktrees`] : [])];
  return { lines, data: { alsoClaimed: lines } };
}

/** mesh_lock: acquire, release, renew, check and list file and line-range locks; ask a holder to let go, and answer such asks. */
export const lockTool = defineTool({
  name: 'mesh_lock',
  title: 'Claim files before editing',
  description: 'Advisory locks so agents do not edit the same code at once. Before editing: acquire the file or a line range, with a reason; if another agent holds it, do not edit it: request it. Release when done; release or renew with neither path nor lockId acts on every lock you hold.',
  input: {
    action: z.enum(['acquire', 'release', 'renew', 'check', 'list', 'request', 'answer']).describe('acquire (again: renews); check: who blocks it'),
    path: z.string().min(1).max(limits.path).optional().describe('File, absolute or relative to your cwd (release, renew, list: file or folder; neither path nor lockId: every lock you hold)'),
    startLine: z.number().int().min(1).optional().describe('First line (omit: whole file)'),
    endLine: z.number().int().min(1).optional().describe('Last line (inclusive)'),
    symbol: z.string().min(1).max(limits.symbol).optional().describe('Instead of lines: Class.method or function'),
    reason: z.string().max(limits.reason).optional().describe('acquire/request/deny: why, shown to others'),
    ttlSeconds: z.number().int().min(1).max(limits.ttlSeconds).optional().describe('acquire/renew: lifetime (default 600)'),
    waitSeconds: z.number().int().min(0).max(300).optional().describe('acquire/request: if held, wait this long'),
    lockId: z.number().int().optional().describe('release/renew: a lock id instead of path (neither given: every lock you hold)'),
    holder: z.string().max(limits.name).optional().describe('list: only this peer\'s locks ("me" for yours)'),
    cursor: z.string().max(20).optional().describe('From more'),
    requestId: z.number().int().optional().describe('answer: the request'),
    answer: z.enum(['release', 'deny', 'narrow']).optional().describe('narrow: keep startLine-endLine'),
  },
  output: {
    lock: LockView.optional(), locks: z.array(LockView).optional(), free: z.boolean().optional(), released: z.number().optional(), more: z.string().optional(),
    alsoClaimed: z.array(z.string()).optional(), queued: z.number().optional(), requests: z.array(z.number()).optional(),
  },
  async run(args, client, ctx, signal) {
    const view = (l: Lock) => lockView(l, ctx.cwd, client.peer.id);
    switch (args.action) {
      case 'acquire': {
        const t = target(ctx, args, 'acquire');
        const { lock, renewed, alsoClaimed = [] } = await client.request('locks/acquire', {
          target: t, reason: args.reason ?? '', ttlSeconds: args.ttlSeconds, waitMs: (args.waitSeconds ?? 0) * 1000,
        }, { signal });
        // Granted just before the cancellation reached the broker: the agent will never see this
        // answer, so it must not keep a lock it does not know it holds.
        if (signal?.aborted && !renewed) {
          await client.request('locks/release', { lockId: lock.id });
          throw new BrokerError('cancelled', `the call was cancelled; ${lock.relPath} was released again`);
        }
        ctx.session.claimsChanged();
        const v = view(lock);
        const also = worktreeClaims(alsoClaimed);
        const text = `${renewed ? 'Renewed' : 'Locked'} ${v.target} (#${v.id}) for ${formatDuration(v.expiresInSec * 1000, { rounding: 'up' })}. Release it when done.`;
        return { text: [text, ...also.lines].join('\n'), data: { lock: v, ...also.data } };
      }
      case 'release': {
        ctx.session.claimsChanged();
        let released: Lock[];
        if (args.lockId !== undefined) released = (await client.request('locks/release', { lockId: args.lockId })).released;
        else if (args.startLine !== undefined || args.endLine !== undefined || args.symbol !== undefined) released = (await client.request('locks/release', { target: target(ctx, args, 'release') })).released;
        // Done with a file, a folder or everything: one request, all or nothing.
        else released = (await client.request('locks/releaseAll', args.path ? { path: absolute(ctx, args.path) } : {})).released;
        const names = namesText(released.map((l) => view(l).target));
        const text = released.length === 0 ? (args.path ? `You held no locks on ${args.path}.` : 'You held no locks.')
          : names.shown < released.length ? `Released ${plural(released.length, 'lock')}: ${names.text}.` : `Released ${names.text}.`;
        return { text, data: { released: released.length } };
      }
      case 'renew': {
        ctx.session.claimsChanged();
        const which = args.lockId !== undefined ? { lockId: args.lockId } : args.path ? { target: target(ctx, args, 'renew') } : {};
        const renewed = (await client.request('locks/renew', { ...which, ttlSeconds: args.ttlSeconds })).locks.map(view);
        const page = fitList(renewed, (l) => `${l.target} (${formatDuration(l.expiresInSec * 1000, { rounding: 'up' })})`);
        const more = page.cut ? callText('mesh_lock', { action: 'list', holder: 'me' }) : undefined;
        const rest = renewed.length - page.items.length;
        const text = `Renewed ${page.lines.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}.${more ? `\n${moreLine(more)}` : ''}`;
        return { text, data: { locks: page.items, ...(more && { more }) } };
      }
      case 'check': {
        const t = target(ctx, args, 'check');
        const { conflicts, alsoClaimed = [], queued } = await client.request('locks/check', { target: t });
        const page = fitList(conflicts.map(view), lockLine);
        const more = page.cut ? callText('mesh_lock', { action: 'list', path: args.path }) : undefined;
        const also = worktreeClaims(alsoClaimed);
        // Waiting requests go first: an acquire now would queue behind them even where no lock is held.
        const line = queued && `queued: ${queued.ahead} ahead (${printable(queued.first)} first); acquire with waitSeconds to wait your turn.`;
        const free = conflicts.length === 0 && !queued;
        const text = free ? `${args.path}${args.symbol ? `#${args.symbol}` : ''} is free: acquire it before editing.`
          : conflicts.length === 0 ? `${args.path} is not held, but ${line}`
          : [`Blocked by ${plural(conflicts.length, 'lock')}:`, ...page.lines, ...(more ? [moreLine(more)] : []), ...(line ? [line] : [])].join('\n');
        return { text: [text, ...also.lines].join('\n'), data: { free, locks: page.items, ...(more && { more }), ...(queued && { queued: queued.ahead }), ...also.data } };
      }
      case 'request': {
        const which = args.lockId !== undefined ? { lockId: args.lockId } : { target: target(ctx, args, 'request') };
        if (!args.reason?.trim()) throw new BrokerError('invalidInput', 'request needs a reason: say why you need it, the holder reads it');
        const waitMs = (args.waitSeconds ?? 0) * 1000;
        const { requests, granted } = await client.request('release/request', { ...which, reason: args.reason, waitMs }, { signal });
        ctx.session.coordinationChanged();
        const ids = requests.map((r) => r.id);
        if (granted) {
          ctx.session.claimsChanged();
          const v = view(granted);
          return { text: `Locked ${v.target} (#${v.id}) for ${formatDuration(v.expiresInSec * 1000, { rounding: 'up' })}: its holder let it go. Release it when done.`, data: { lock: v, requests: ids } };
        }
        const asked = requests.map((r) => `${printable(r.holderName)} to release #${r.lockId} (request #${r.id})`).join(', ');
        return { text: `Asked ${asked}. The answer comes with your next results; acquire with waitSeconds to wait for it.`, data: { requests: ids } };
      }
      case 'answer': {
        if (args.requestId === undefined || args.answer === undefined) throw new BrokerError('invalidInput', 'answer needs requestId and answer (release, deny or narrow)');
        const { request, lock } = await client.request('release/answer', {
          id: args.requestId, answer: args.answer, reason: args.reason, startLine: args.startLine, endLine: args.endLine,
        });
        ctx.session.coordinationChanged();
        ctx.session.claimsChanged();
        const who = printable(request.requesterName);
        const text = args.answer === 'release' ? `Released #${request.lockId} on ${printable(request.relPath)}; ${who} was told.`
          : args.answer === 'deny' ? `Kept #${request.lockId}; ${who} was told why.`
          : `Narrowed #${request.lockId} to ${lock ? view(lock).target : printable(request.relPath)}; the rest is free and ${who} was told.`;
        return { text, data: { requests: [request.id], ...(lock && { lock: view(lock) }) } };
      }
      case 'list': {
        const holder = args.holder === 'me' ? client.peer.id : args.holder;
        const after = args.cursor === undefined ? 0 : numericCursor(args.cursor);
        if (after === undefined) throw new BrokerError('invalidInput', `cursor "${args.cursor}" is not one mesh_lock gave: call mesh_lock action="list" without it`);
        const { locks } = await client.request('locks/list', { ...(args.path && { path: absolute(ctx, args.path) }), ...(holder && { holder }) });
        const page = fitList(locks.filter((l) => l.id > after).sort((a, b) => a.id - b.id).map(view), lockLine);
        const last = page.items[page.items.length - 1];
        const more = page.cut ? callText('mesh_lock', { action: 'list', path: args.path, holder: args.holder, cursor: String(last.id) }) : undefined;
        const text = page.items.length === 0 ? (args.cursor ? 'No more locks.' : 'No locks.') : [...page.lines, ...(more ? [moreLine(more)] : [])].join('\n');
        return { text, data: { locks: page.items, ...(more && { more }) } };
      }
    }
  },
});
