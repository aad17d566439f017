/**
 * How the terminal shows claims: the `peermesh locks` table, and one line per change for
 * `peermesh locks --watch`. Holder names and file names are other peers' words: every line
 * goes out `printable`.
 */
import { formatDuration } from '../core/duration';
import { describeTarget } from '../core/paths';
import { printable } from '../core/printable';
import { spanText } from '../core/span-text';
import type { EventType, Lock, LockReleaseReason, MeshEvent } from '../protocol/entities';
import { table } from './format';

/** The events that change a claim, in the order a claim meets them. */
export const lockEventTypes = ['lock_acquired', 'lock_renewed', 'lock_moved', 'lock_released', 'lock_expired'] as const satisfies readonly EventType[];
export type LockEvent = Extract<MeshEvent, { type: (typeof lockEventTypes)[number] }>;

/** `src/a.ts:10-20 (code gone)`: a claim whose code was deleted keeps its last lines, and says so. */
export function claimTarget(l: Pick<Lock, 'relPath' | 'startLine' | 'endLine' | 'anchorLost' | 'symbol' | 'symbolBlocked'>): string {
  return `${describeTarget(l)}${l.anchorLost ? ' (code gone)' : ''}${l.symbolBlocked ? ' (symbol reaches into another claim)' : ''}`;
}

/** The `peermesh locks` table; empty text for no locks. */
export function locksTable(locks: readonly Lock[], now = Date.now()): string {
  return table(['ID', 'TARGET', 'HOLDER', 'LEFT', 'REASON'], locks.map((l) => [
    String(l.id), claimTarget(l), l.holderName, formatDuration(l.expiresAt - now, { rounding: 'up' }), l.reason || '-',
  ]));
}

const releasedBecause: Record<LockReleaseReason, string> = {
  released: 'by its holder',
  'holder left': 'its holder left the mesh',
  'holder gone': 'its holder was disconnected past the grace period',
  forced: 'taken from its holder',
};

/** `10-20`, or `12` for one line. */
/**
 * One change to a claim, as `peermesh locks --watch` prints it after the time:
 * `moved src/a.ts:10-20 → 15-25 #12 (alice)`; a claim whose code left the file says `code gone`,
 * and `code back` when the code returns to its lines.
 */
export function lockEventText(e: LockEvent): string {
  const d = e.data;
  const who = `#${d.id} (${d.holderName})`;
  const target = describeTarget(d);
  switch (e.type) {
    case 'lock_acquired':
      return printable(`acquired ${target} ${who}`);
    case 'lock_renewed':
      return printable(`renewed ${target} ${who}, ${formatDuration(d.expiresAt - e.at, { rounding: 'up' })} left`);
    case 'lock_expired':
      return printable(`expired ${target} ${who}`);
    case 'lock_released': {
      const why = e.data.reason === 'forced' && e.data.by ? `forced by ${e.data.by}` : releasedBecause[e.data.reason];
      return printable(`released ${target} ${who}: ${why}`);
    }
    case 'lock_moved': {
      const from = e.data.from;
      const moved = d.startLine !== null && d.endLine !== null && (from.startLine !== d.startLine || from.endLine !== d.endLine);
      const span = moved ? `${describeTarget({ relPath: d.relPath, ...from })} → ${spanText({ startLine: d.startLine!, endLine: d.endLine! })}` : target;
      if (moved) return printable(`moved ${span} ${who}${e.data.anchorLost ? ', code gone' : ''}`);
      // In place: its code just went, or it came back (an undo, a paste after a cut).
      return printable(e.data.anchorLost ? `code gone ${span} ${who}: the claim keeps its lines` : `code back ${span} ${who}`);
    }
  }
}

/** `14:03:27`: the local time of day an event happened, as a watching person reads it. */
export function clockTime(at: number): string {
  const t = new Date(at);
  return [t.getHours(), t.getMinutes(), t.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
