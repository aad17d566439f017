/**
 * The words of lock failures. Each names who is in the way, why, and for how long, so an
 * agent can decide to wait, ask that peer, or work elsewhere; `data` carries the same facts.
 */
import { BrokerError } from '../protocol/errors';
import type { Lock, LockConflictData } from '../protocol/entities';
import type { LockWaiter } from './lock-queue';
import { formatDuration } from './duration';
import { describeTarget, type NormalizedTarget } from './paths';
import { printable } from './printable';

/** What stands in the way of a request: a held lock, or an earlier queued request. */
export type Blocker =
  | { lock: Lock; more: number }
  | { queued: LockWaiter; holderName: string };

// The message is read by a model and printed on terminals: the holder's words go in as printable text.
function quoted(reason: string): string {
  return reason ? ` ("${printable(reason)}")` : '';
}

function conflictData(blocker: Blocker, now: number): LockConflictData & { queued?: true } {
  if ('lock' in blocker) {
    const l = blocker.lock;
    return { holder: l.holder, holderName: l.holderName, reason: l.reason, expiresInMs: Math.max(0, l.expiresAt - now), lock: l };
  }
  // The target a queued peer waits for, shaped as a lock (id 0: not held yet).
  const w = blocker.queued;
  const lock: Lock = {
    id: 0, path: w.target.path, root: w.target.root, relPath: w.target.relPath,
    startLine: w.target.startLine, endLine: w.target.endLine, holder: w.holder, holderName: blocker.holderName,
    reason: w.reason, createdAt: w.startedAt, expiresAt: w.deadline,
  };
  return { holder: w.holder, holderName: blocker.holderName, reason: w.reason, expiresInMs: Math.max(0, w.deadline - now), lock, queued: true };
}

/**
 * The blocker in words. `caller`: who asked; a lock of its own in the way (a request that is
 * not re-entrant) says "you", and since when, so another process of that identity knows it.
 */
function describeBlocker(blocker: Blocker, now: number, caller?: string): string {
  if ('lock' in blocker) {
    const l = blocker.lock;
    const more = blocker.more > 0 ? ` (and ${blocker.more} more lock${blocker.more === 1 ? '' : 's'})` : '';
    const left = formatDuration(l.expiresAt - now, { rounding: 'up' });
    if (l.holder === caller) {
      const taken = formatDuration(now - l.createdAt, { rounding: 'nearest' });
      return `${describeTarget(l)} is already locked by you (${printable(l.holderName)})${quoted(l.reason)}: taken ${taken} ago, for another ${left}${more}`;
    }
    return `${describeTarget(l)} is locked by ${printable(l.holderName)}${quoted(l.reason)} for another ${left}${more}`;
  }
  const w = blocker.queued;
  return `${describeTarget(w.target)} is claimed next by ${printable(blocker.holderName)}${quoted(w.reason)}, queued earlier ` +
    `(waiting up to ${formatDuration(w.deadline - now, { rounding: 'up' })} more; locks are granted first come, first served)`;
}

export function conflictError(blocker: Blocker, now: number, caller: string): BrokerError {
  return new BrokerError('lockConflict', describeBlocker(blocker, now, caller), conflictData(blocker, now));
}

/** `waitedMs` is the wait the request asked for, which is what its words and `data` report. */
export function timeoutError(target: NormalizedTarget, waitedMs: number, blocker: Blocker | undefined, now: number, caller: string): BrokerError {
  const head = `timed out after ${formatDuration(waitedMs, { rounding: 'nearest' })} waiting for ${describeTarget(target)}`;
  if (!blocker) return new BrokerError('timeout', head, { waitedMs });
  return new BrokerError('timeout', `${head}: ${describeBlocker(blocker, now, caller)}`, { ...conflictData(blocker, now), waitedMs });
}
