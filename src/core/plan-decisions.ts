/**
 * Rulings recorded on the plan (`plan_decisions`, migration 6): the person's ruling on a
 * debate is written on the contract and the task it concerns, so whoever reads the plan sees
 * what was decided there. Plan-store reads them into the Contract and Task views.
 */
import type { Decision } from '../protocol/plan';
import type { SqlTx } from './sql';

/** What a decision is recorded on. */
export type DecisionTarget = 'contract' | 'task';

interface DecisionRow { target: DecisionTarget; target_id: string; debate: number; delta: number; text: string; by_name: string; at: number }

export async function recordDecision(db: SqlTx, project: string, target: DecisionTarget, id: string, decision: Decision): Promise<void> {
  await db.run(
    'INSERT INTO plan_decisions (project, target, target_id, debate, delta, text, by_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    [project, target, id, decision.debate, decision.delta, decision.text, decision.byName, decision.at],
  );
}

/** Forgets the decisions on a task or contract that left the plan. */
export async function forgetDecisions(db: SqlTx, project: string, target: DecisionTarget, id: string): Promise<void> {
  await db.run('DELETE FROM plan_decisions WHERE project = ? AND target = ? AND target_id = ?', [project, target, id]);
}

/** The project's decisions on `target`s, by their id, oldest first. */
export async function decisionsOf(db: SqlTx, project: string, target: DecisionTarget): Promise<Map<string, Decision[]>> {
  const rows = await db.all<DecisionRow>('SELECT * FROM plan_decisions WHERE project = ? AND target = ? ORDER BY at, rowid', [project, target]);
  const byId = new Map<string, Decision[]>();
  for (const r of rows) {
    const list = byId.get(r.target_id) ?? [];
    list.push({ debate: r.debate, delta: r.delta, text: r.text, byName: r.by_name, at: r.at });
    byId.set(r.target_id, list);
  }
  return byId;
}

/** `entity` with its decisions, the field absent when it has none. */
export function withDecisions<T extends { id: string }>(entity: T, decisions: Map<string, Decision[]>): T & { decisions?: Decision[] } {
  const own = decisions.get(entity.id);
  return own ? { ...entity, decisions: own } : entity;
}
