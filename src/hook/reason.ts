/**
 * What an agent (or the person, at a commit) reads when an edit meets another agent's claim:
 * who holds which lines, why, for how long, and what to do instead. Other peers' words in it
 * are made printable: it is shown to a model and, at a commit, in a terminal.
 */
import path from 'node:path';
import { formatDuration } from '../core/duration';
import { describeTarget } from '../core/paths';
import { printable } from '../core/printable';
import type { Lock } from '../protocol/entities';

export type GuardMode = 'deny' | 'ask' | 'warn';

/**
 * What to do instead, in the reader's own tools: an agent messages and waits with its mesh
 * tools, the person at a commit with the `peermesh` command.
 */
const advice = {
  agent: (holders: string) => `message ${holders} (mesh_send), or wait for the claim with mesh_lock acquire and waitSeconds, or work on other lines`,
  person: (holders: string) => `message ${holders} (peermesh send), or wait for the claim to end, or work on other lines`,
} as const;

/** What the reader sees when its edit meets another agent's claim: who, why, how long, what to do. */
export function conflictReason(locks: readonly Lock[], cwd: string, decision: GuardMode, reader: keyof typeof advice = 'agent', now = Date.now()): string {
  const shown = locks.slice(0, 3).map((l) => {
    const rel = path.relative(cwd, l.path);
    const where = describeTarget({ ...l, relPath: rel && !rel.startsWith('..') ? rel : l.path });
    const left = formatDuration(Math.max(0, l.expiresAt - now), { rounding: 'up' });
    return `${printable(where)} is claimed by ${printable(l.holderName)}${l.reason ? ` ("${printable(l.reason)}")` : ''}, ${left} left`;
  });
  if (locks.length > 3) shown.push(`and ${locks.length - 3} more claims`);
  const holders = [...new Set(locks.map((l) => printable(l.holderName)))].join(', ');
  const head = decision === 'warn' ? 'PeerMesh warning: this edit changes lines another agent holds. ' : 'PeerMesh: ';
  return `${head}${shown.join('; ')}. ${decision === 'warn' ? 'Check with them before going on: ' : 'Do not edit these lines now: '}${advice[reader](holders)}.`;
}
