/**
 * The plan's rows and the entities made of them (migration 5 in store/schema.ts): reading a
 * project's plan, tasks and proposals, and writing a whole plan over the one it replaces.
 * Lists are stored as JSON arrays; positions keep the plan's order (tasks are numbered over
 * the whole plan, so their order is phase order too).
 */
import type { ChangedContract, Contract, PlanChange, PlanInput, PlanSource, PlanView, Proposal, Task, TaskStatus } from '../protocol/plan';
import { decisionsOf, forgetDecisions, withDecisions } from './plan-decisions';
import type { SqlTx } from './sql';

/** A `plans` row: the plan's own fields and version. */
export interface PlanRow {
  project: string; title: string; description: string; version: number; updated_at: number; updated_by: string | null;
}

interface PhaseRow { project: string; id: string; position: number; title: string; detail: string }

/** A `plan_tasks` row, read with {@link taskSelect}. */
export interface TaskRow {
  project: string; id: string; phase: string; position: number; title: string; detail: string; status: TaskStatus;
  assignee: string | null; assignee_name: string | null; files: string; depends_on: string; contracts: string;
  note: string | null; shown: number; updated_at: number; updated_by: string | null;
  /** The assignee's name now, or the one it had when it is no longer known. */
  assignee_now: string | null;
  /** JSON array of {@link ChangedContract}s: contract changes the assignee was routed and has not acked. */
  changed_contracts: string;
}

interface ContractRow {
  project: string; id: string; position: number; kind: Contract['kind']; name: string; file: string | null; symbol: string | null;
  spec: string; version: number; status: Contract['status']; updated_at: number; updated_by: string | null;
}

/** A `plan_proposals` row. */
export interface ProposalRow {
  id: number; project: string; author: string; author_name: string; source: PlanSource; base_version: number;
  status: Proposal['status']; created_at: number; plan: string; changes: string; decided_at: number | null;
}

/**
 * Tasks with their assignee's current name (a renamed peer shows by its new name), and the
 * contracts they code against that changed since: each `contract_change` delta on one of them
 * routed to the assignee and not acked by it yet (deltas.ts routes them).
 */
export const taskSelect = `SELECT t.*, COALESCE(p.name, t.assignee_name) AS assignee_now,
    (SELECT json_group_array(json_object('contract', v.key, 'version', v.value, 'delta', d.id) ORDER BY d.id, v.key)
       FROM delta_recipients r JOIN deltas d ON d.id = r.delta, json_each(d.contract_versions) v
       WHERE r.peer = t.assignee AND r.acked_at IS NULL AND d.project = t.project AND d.kind = 'contract_change'
         AND v.key IN (SELECT value FROM json_each(t.contracts))) AS changed_contracts
  FROM plan_tasks t LEFT JOIN peers p ON p.id = t.assignee`;

/** The task a row holds. */
export function toTask(r: TaskRow): Task {
  const changed = JSON.parse(r.changed_contracts) as ChangedContract[];
  return {
    id: r.id, phase: r.phase, title: r.title, detail: r.detail, status: r.status,
    assignee: r.assignee, assigneeName: r.assignee === null ? null : r.assignee_now,
    files: JSON.parse(r.files) as string[], dependsOn: JSON.parse(r.depends_on) as string[],
    contracts: JSON.parse(r.contracts) as string[], note: r.note, updatedAt: r.updated_at, updatedBy: r.updated_by,
    ...(changed.length > 0 && { changedContracts: changed }),
  };
}

function toContract(r: ContractRow): Contract {
  return {
    id: r.id, kind: r.kind, name: r.name, file: r.file, symbol: r.symbol, spec: r.spec,
    version: r.version, status: r.status, updatedAt: r.updated_at, updatedBy: r.updated_by,
  };
}

/** The proposal a row holds, with the changes stored with it. */
export function toProposal(r: ProposalRow): Proposal {
  return {
    id: r.id, project: r.project, author: r.author, authorName: r.author_name, source: r.source,
    baseVersion: r.base_version, status: r.status, createdAt: r.created_at,
    plan: JSON.parse(r.plan) as PlanInput, changes: JSON.parse(r.changes) as PlanChange[],
  };
}

/** The project's `plans` row, if it has a plan. */
export function planRow(db: SqlTx, project: string): Promise<PlanRow | undefined> {
  return db.get<PlanRow>('SELECT * FROM plans WHERE project = ?', [project]);
}

/** The project's tasks in plan order, with the rulings recorded on them. */
export async function loadTasks(db: SqlTx, project: string): Promise<Task[]> {
  const decisions = await decisionsOf(db, project, 'task');
  return (await db.all<TaskRow>(`${taskSelect} WHERE t.project = ? ORDER BY t.position`, [project])).map((r) => withDecisions(toTask(r), decisions));
}

/** One task's row (with its assignee's current name), if the plan has it. */
export async function loadTask(db: SqlTx, project: string, id: string): Promise<TaskRow | undefined> {
  return db.get<TaskRow>(`${taskSelect} WHERE t.project = ? AND t.id = ?`, [project, id]);
}

/** One contract of the project's plan, if it has it. */
export async function loadContract(db: SqlTx, project: string, id: string): Promise<Contract | undefined> {
  const row = await db.get<ContractRow>('SELECT * FROM plan_contracts WHERE project = ? AND id = ?', [project, id]);
  return row && toContract(row);
}

/** The contracts that name a file, of every project's plan, each with its project. */
export async function contractsWithFiles(db: SqlTx): Promise<Array<Contract & { project: string }>> {
  const rows = await db.all<ContractRow>('SELECT * FROM plan_contracts WHERE file IS NOT NULL ORDER BY project, position');
  return rows.map((r) => ({ ...toContract(r), project: r.project }));
}

/** The project's plan as it is now, or undefined when it has none. */
export async function loadPlan(db: SqlTx, project: string): Promise<PlanView | undefined> {
  const plan = await planRow(db, project);
  if (!plan) return undefined;
  const phases = await db.all<PhaseRow>('SELECT * FROM plan_phases WHERE project = ? ORDER BY position', [project]);
  const tasks = await loadTasks(db, project);
  const contracts = await db.all<ContractRow>('SELECT * FROM plan_contracts WHERE project = ? ORDER BY position', [project]);
  const decisions = await decisionsOf(db, project, 'contract');
  return {
    project, title: plan.title, description: plan.description, version: plan.version,
    phases: phases.map((p) => ({ id: p.id, title: p.title, detail: p.detail, tasks: tasks.filter((t) => t.phase === p.id) })),
    contracts: contracts.map((c) => withDecisions(toContract(c), decisions)), updatedAt: plan.updated_at, updatedBy: plan.updated_by,
  };
}

const json = (v: readonly string[]) => JSON.stringify(v);

/**
 * Makes `input` the project's plan (version 1, or the current one's + 1). Tasks that stay keep
 * their status, assignee and note; new ones are todo; those left out are deleted. Contracts
 * that stay keep their version and status unless their spec changes (then the next version,
 * proposed again). Rows whose content changes are stamped with `by` and `now`.
 */
export async function storePlan(db: SqlTx, project: string, input: PlanInput, current: PlanView | undefined, by: string, now: number): Promise<void> {
  await db.run(
    `INSERT INTO plans (project, title, description, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (project) DO UPDATE SET title = excluded.title, description = excluded.description,
       version = excluded.version, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    [project, input.title, input.description, (current?.version ?? 0) + 1, now, by],
  );
  await db.run('DELETE FROM plan_phases WHERE project = ?', [project]);
  for (const [i, p] of input.phases.entries()) {
    await db.run('INSERT INTO plan_phases (project, id, position, title, detail) VALUES (?, ?, ?, ?, ?)', [project, p.id, i, p.title, p.detail]);
  }
  const oldTasks = new Map(current?.phases.flatMap((p) => p.tasks).map((t) => [t.id, t]) ?? []);
  const tasks = input.phases.flatMap((p) => p.tasks.map((t) => ({ ...t, phase: p.id })));
  for (const [i, t] of tasks.entries()) {
    const old = oldTasks.get(t.id);
    oldTasks.delete(t.id);
    if (!old) {
      await db.run(
        `INSERT INTO plan_tasks (project, id, phase, position, title, detail, status, assignee, assignee_name, files, depends_on,
           contracts, note, shown, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, 'todo', NULL, NULL, ?, ?, ?, NULL, 1, ?, ?)`,
        [project, t.id, t.phase, i, t.title, t.detail, json(t.files), json(t.dependsOn), json(t.contracts), now, by],
      );
      continue;
    }
    const same = old.title === t.title && old.detail === t.detail && old.phase === t.phase
      && json(old.files) === json(t.files) && json(old.dependsOn) === json(t.dependsOn) && json(old.contracts) === json(t.contracts);
    await db.run(
      `UPDATE plan_tasks SET phase = ?, position = ?, title = ?, detail = ?, files = ?, depends_on = ?, contracts = ?,
         updated_at = ?, updated_by = ? WHERE project = ? AND id = ?`,
      [t.phase, i, t.title, t.detail, json(t.files), json(t.dependsOn), json(t.contracts),
        same ? old.updatedAt : now, same ? old.updatedBy : by, project, t.id],
    );
  }
  for (const id of oldTasks.keys()) {
    await db.run('DELETE FROM plan_tasks WHERE project = ? AND id = ?', [project, id]);
    // A later task of the same id is another task: the rulings on this one go with it.
    await forgetDecisions(db, project, 'task', id);
  }
  const oldContracts = new Map(current?.contracts.map((c) => [c.id, c]) ?? []);
  for (const [i, c] of input.contracts.entries()) {
    const old = oldContracts.get(c.id);
    oldContracts.delete(c.id);
    const file = c.file ?? null;
    const symbol = c.symbol ?? null;
    const newSpec = !old || old.spec !== c.spec;
    const same = old && !newSpec && old.kind === c.kind && old.name === c.name && old.file === file && old.symbol === symbol;
    await db.run(
      `INSERT INTO plan_contracts (project, id, position, kind, name, file, symbol, spec, version, status, updated_at, updated_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (project, id) DO UPDATE SET position = excluded.position, kind = excluded.kind, name = excluded.name,
         file = excluded.file, symbol = excluded.symbol, spec = excluded.spec, version = excluded.version,
         status = excluded.status, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [project, c.id, i, c.kind, c.name, file, symbol, c.spec,
        old ? old.version + (newSpec ? 1 : 0) : 1, old && !newSpec ? old.status : 'proposed',
        same ? old.updatedAt : now, same ? old.updatedBy : by],
    );
  }
  for (const id of oldContracts.keys()) {
    await db.run('DELETE FROM plan_contracts WHERE project = ? AND id = ?', [project, id]);
    await forgetDecisions(db, project, 'contract', id);
  }
}

/** Counts of what a first plan adds: its phases, tasks and contracts. */
export function planSize(input: PlanInput): number {
  return input.phases.length + input.phases.reduce((n, p) => n + p.tasks.length, 0) + input.contracts.length;
}
