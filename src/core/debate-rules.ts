/**
 * A debate's state machine, pure: given its participants, rounds and the turns taken, what
 * one more turn does to it. The debates service (debates.ts) stores what this decides, so the
 * rules can be read, and tested under every order of turns, without a database.
 *
 * - A round: each participant takes one turn, in any order; when all have, the next begins.
 * - A turn accepts its own new proposal, or proposal `accept`, or nothing (it withdraws any
 *   acceptance it had). The debate resolves when every participant's latest turn accepts the
 *   same proposal.
 * - Else it escalates when the turn asked (`asked`), or when the last round is complete
 *   (`rounds`). The sweep escalates an open debate nobody took a turn in for a while (`idle`).
 */
import type { DebateStatus, EscalationReason } from '../protocol/coordination';

/** What the rules read of a turn. */
export interface TurnFacts {
  peer: string;
  round: number;
  /** The proposal it accepts after the turn, or null. */
  accepts: number | null;
  escalate: boolean;
}

/** What the rules read of a debate. */
export interface DebateFacts {
  status: DebateStatus;
  participants: readonly string[];
  round: number;
  maxRounds: number;
  /** Every turn so far, in order. */
  turns: readonly TurnFacts[];
}

/** Where a debate stands after a turn: exactly one status, with what goes with it. */
export type Outcome =
  | { status: 'open'; round: number }
  | { status: 'resolved'; round: number; agreed: number }
  | { status: 'escalated'; round: number; reason: Exclude<EscalationReason, 'idle'> };

/** Participants yet to take their turn in the round under way; none once the debate is not open. */
export function awaiting(d: DebateFacts): string[] {
  if (d.status !== 'open') return [];
  const taken = new Set(d.turns.filter((t) => t.round === d.round).map((t) => t.peer));
  return d.participants.filter((p) => !taken.has(p));
}

/** Why `peer` may not take a turn now, or null when it may. */
export function turnRefusal(d: DebateFacts, peer: string): string | null {
  if (d.status !== 'open') return `it is ${d.status}, no longer open`;
  if (!d.participants.includes(peer)) return 'you do not take part in it';
  if (!awaiting(d).includes(peer)) return `you took your turn of round ${d.round} already: wait for the others`;
  return null;
}

/** The proposal every participant's latest turn accepts, if they all accept the same one. */
export function agreement(participants: readonly string[], turns: readonly TurnFacts[]): number | null {
  const latest = new Map<string, number | null>();
  for (const t of turns) latest.set(t.peer, t.accepts);
  const first = latest.get(participants[0]) ?? null;
  if (first === null) return null;
  return participants.every((p) => latest.get(p) === first) ? first : null;
}

/** The debate after `turn` (already checked with {@link turnRefusal}) is added to it. */
export function afterTurn(d: DebateFacts, turn: TurnFacts): Outcome {
  const turns = [...d.turns, turn];
  const agreed = agreement(d.participants, turns);
  if (agreed !== null) return { status: 'resolved', round: d.round, agreed };
  if (turn.escalate) return { status: 'escalated', round: d.round, reason: 'asked' };
  if (awaiting({ ...d, turns }).length > 0) return { status: 'open', round: d.round };
  if (d.round >= d.maxRounds) return { status: 'escalated', round: d.round, reason: 'rounds' };
  return { status: 'open', round: d.round + 1 };
}

