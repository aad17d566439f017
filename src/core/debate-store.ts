/**
 * Debates' rows (migration 6 in store/schema.ts) and the {@link Debate}s made of them. A
 * debate's participants, escalation and ruling are JSON in its row; its turns are rows of
 * their own, a turn that proposed carrying the proposal's text (proposals are numbered in
 * the order they were made).
 */
import type { Debate, DebateProposal, DebateStatus, DebateSummary, Ruling, Turn, TurnInput } from '../protocol/coordination';
import type { Peer } from '../protocol/entities';
import { awaiting, type DebateFacts } from './debate-rules';
import type { SqlTx } from './sql';

/** A `debates` row. */
export interface DebateRow {
  id: number; project: string; topic: string; origin: number | null; contract: string | null; task: string | null;
  participants: string; status: DebateStatus; round: number; max_rounds: number; escalation: string | null;
  agreed: number | null; ruling: string | null; created_at: number; updated_at: number;
}

interface TurnRow {
  debate: number; seq: number; peer: string; peer_name: string; round: number; position: string; constraints: string;
  alternatives: string; proposal: number | null; proposal_text: string | null; accepts: number | null; escalate: number; at: number;
}

type Participant = Debate['participants'][number];

/** A debate's row with its turns, as the rules read it. */
export interface LoadedDebate {
  row: DebateRow;
  participants: Participant[];
  turns: Turn[];
  proposals: DebateProposal[];
  facts: DebateFacts;
}

export async function loadDebate(db: SqlTx, id: number): Promise<LoadedDebate | undefined> {
  const row = await db.get<DebateRow>('SELECT * FROM debates WHERE id = ?', [id]);
  if (!row) return undefined;
  const turnRows = await db.all<TurnRow>('SELECT * FROM debate_turns WHERE debate = ? ORDER BY seq', [id]);
  const participants = JSON.parse(row.participants) as Participant[];
  const turns = turnRows.map(toTurn);
  const proposals = turnRows.filter((t) => t.proposal !== null)
    .map((t) => ({ n: t.proposal!, peer: t.peer, peerName: t.peer_name, round: t.round, text: t.proposal_text! }));
  return { row, participants, turns, proposals, facts: facts(row, participants, turns) };
}

/** The debate as the wire carries it. */
export function toDebate(d: LoadedDebate): Debate {
  return { ...summaryOf(d.row, d.participants, awaiting(d.facts)), turns: d.turns, proposals: d.proposals };
}

/** Summaries of `rows`, in their order (their current rounds' turns read in one query). */
export async function toSummaries(db: SqlTx, rows: readonly DebateRow[]): Promise<DebateSummary[]> {
  if (rows.length === 0) return [];
  const taken = await db.all<{ debate: number; peer: string }>(
    `SELECT t.debate, t.peer FROM debate_turns t JOIN debates d ON d.id = t.debate AND d.round = t.round
     WHERE t.debate IN (SELECT value FROM json_each(?))`, [JSON.stringify(rows.map((r) => r.id))],
  );
  return rows.map((row) => {
    const participants = JSON.parse(row.participants) as Participant[];
    const turns = taken.filter((t) => t.debate === row.id).map((t) => ({ peer: t.peer, round: row.round, accepts: null, escalate: false }));
    return summaryOf(row, participants, awaiting({ ...facts(row, participants, []), turns }));
  });
}

/** Stores `peer`'s turn as the debate's next (a proposal gets the next number), and returns it. */
export async function insertTurn(db: SqlTx, d: LoadedDebate, peer: Peer, input: TurnInput, at: number): Promise<Turn> {
  const proposal = input.proposal === undefined ? null : d.proposals.length + 1;
  const turn: Turn = {
    peer: peer.id, peerName: peer.name, round: d.row.round, position: input.position, constraints: input.constraints,
    alternatives: input.alternatives, proposal, accepts: proposal ?? input.accept ?? null, escalate: input.escalate, at,
  };
  await db.run(
    `INSERT INTO debate_turns (debate, seq, peer, peer_name, round, position, constraints, alternatives, proposal, proposal_text, accepts, escalate, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [d.row.id, d.turns.length + 1, turn.peer, turn.peerName, turn.round, turn.position, JSON.stringify(turn.constraints),
      JSON.stringify(turn.alternatives), proposal, input.proposal ?? null, turn.accepts, turn.escalate ? 1 : 0, at],
  );
  return turn;
}

function facts(row: DebateRow, participants: readonly Participant[], turns: DebateFacts['turns']): DebateFacts {
  return { status: row.status, participants: participants.map((p) => p.peer), round: row.round, maxRounds: row.max_rounds, turns };
}

function summaryOf(row: DebateRow, participants: Participant[], waiting: string[]): DebateSummary {
  return {
    id: row.id, project: row.project, topic: row.topic, origin: row.origin,
    concerns: { contract: row.contract, task: row.task }, participants, status: row.status,
    round: row.round, maxRounds: row.max_rounds, awaiting: waiting,
    escalation: row.escalation === null ? null : JSON.parse(row.escalation) as DebateSummary['escalation'],
    agreed: row.agreed, ruling: row.ruling === null ? null : JSON.parse(row.ruling) as Ruling,
    createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

function toTurn(r: TurnRow): Turn {
  return {
    peer: r.peer, peerName: r.peer_name, round: r.round, position: r.position,
    constraints: JSON.parse(r.constraints) as string[], alternatives: JSON.parse(r.alternatives) as string[],
    proposal: r.proposal, accepts: r.accepts, escalate: r.escalate === 1, at: r.at,
  };
}
