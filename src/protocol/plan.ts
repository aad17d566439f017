/**
 * The shared plan: a project's phases, tasks and interface contracts, as agents submit them
 * (`PlanInput`, also what a language model's decomposition must produce) and as the broker
 * keeps them (`PlanView`, `Task`, `Contract`), with proposals for changing an existing plan
 * and the events every change leaves behind.
 *
 * A plan belongs to a project: the git root (else the folder) of the caller, or of the path a
 * request names. Ids of phases, tasks and contracts are short names the plan's author chooses
 * (`api-schema`, `login-form`), unique within the plan, so agents and people can say them.
 */
import * as z from 'zod';
import { limits } from './limits';

export const planLimits = {
  /** Ids of phases, tasks and contracts, in characters. */
  id: 64,
  /** Titles and names. */
  title: 200,
  /** A plan's description, a phase's or task's detail. */
  detail: 4000,
  /** A contract's spec text. */
  spec: 8000,
  phases: 50,
  /** Tasks in one plan, over all its phases. */
  tasks: 300,
  contracts: 100,
  /** Files or globs of one task; dependencies or contracts of one task. */
  perTask: 50,
  /** Projects with a plan in one mesh. */
  projects: 100,
} as const;

export const PlanId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
  'an id is 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit (e.g. "api-schema")');

export const taskStatuses = ['todo', 'in_progress', 'review', 'blocked', 'done'] as const;
export const TaskStatus = z.enum(taskStatuses);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const ContractStatus = z.enum(['proposed', 'approved', 'superseded']);
export type ContractStatus = z.infer<typeof ContractStatus>;

/** What an interface contract pins down. */
export const ContractKind = z.enum(['api', 'schema', 'type', 'event', 'cli', 'config', 'other']);
export type ContractKind = z.infer<typeof ContractKind>;

const title = z.string().trim().min(1).max(planLimits.title);
const detail = z.string().max(planLimits.detail);
/** A file or glob relative to the project root (`src/api/**`, `package.json`). */
const FilePattern = z.string().trim().min(1).max(limits.path);

export const TaskInput = z.object({
  id: PlanId,
  title,
  detail: detail.default(''),
  /** Files or globs, relative to the project root, that the task will change. */
  files: z.array(FilePattern).max(planLimits.perTask).default([]),
  /** Ids of tasks that must be done before this one starts. */
  dependsOn: z.array(PlanId).max(planLimits.perTask).default([]),
  /** Ids of the contracts this task implements or codes against. */
  contracts: z.array(PlanId).max(planLimits.perTask).default([]),
});
export type TaskInput = z.infer<typeof TaskInput>;

export const PhaseInput = z.object({
  id: PlanId,
  title,
  detail: detail.default(''),
  tasks: z.array(TaskInput).max(planLimits.tasks),
});
export type PhaseInput = z.infer<typeof PhaseInput>;

export const ContractInput = z.object({
  id: PlanId,
  kind: ContractKind,
  name: title,
  /** The file that defines it, relative to the project root, and the symbol in it, where it has one. */
  file: FilePattern.nullish(),
  symbol: z.string().trim().min(1).max(limits.name).nullish(),
  spec: z.string().min(1).max(planLimits.spec),
});
export type ContractInput = z.infer<typeof ContractInput>;

/**
 * A whole plan as an agent submits it, or a language model decomposes a description into.
 * Checked as a whole: ids unique, every dependency and contract named exists, no dependency
 * cycle. The issues are reported by path (`phases[1].tasks[0].dependsOn[0]`), which is what a
 * model needs to correct its answer.
 */
export const PlanInput = z.object({
  title,
  description: detail.default(''),
  phases: z.array(PhaseInput).min(1).max(planLimits.phases),
  contracts: z.array(ContractInput).max(planLimits.contracts).default([]),
}).superRefine((plan, ctx) => {
  const seen = (kind: string) => {
    const ids = new Set<string>();
    return (id: string, path: (string | number)[]) => {
      if (ids.has(id)) ctx.addIssue({ code: 'custom', path, message: `${kind} id "${id}" is used twice` });
      ids.add(id);
      return ids;
    };
  };
  const phaseIds = seen('phase');
  const taskIds = seen('task');
  const contractIds = seen('contract');
  plan.phases.forEach((p, i) => phaseIds(p.id, ['phases', i, 'id']));
  plan.contracts.forEach((c, i) => contractIds(c.id, ['contracts', i, 'id']));
  const tasks = plan.phases.flatMap((p, i) => p.tasks.map((t, j) => ({ t, path: ['phases', i, 'tasks', j] as (string | number)[] })));
  if (tasks.length > planLimits.tasks) ctx.addIssue({ code: 'custom', path: ['phases'], message: `a plan has at most ${planLimits.tasks} tasks (this one has ${tasks.length})` });
  const allTasks = new Set(tasks.map(({ t }) => t.id));
  const allContracts = new Set(plan.contracts.map((c) => c.id));
  for (const { t, path } of tasks) {
    taskIds(t.id, [...path, 'id']);
    t.dependsOn.forEach((d, k) => {
      if (!allTasks.has(d)) ctx.addIssue({ code: 'custom', path: [...path, 'dependsOn', k], message: `task "${t.id}" depends on "${d}", which is not a task of this plan` });
      else if (d === t.id) ctx.addIssue({ code: 'custom', path: [...path, 'dependsOn', k], message: `task "${t.id}" depends on itself` });
    });
    t.contracts.forEach((c, k) => {
      if (!allContracts.has(c)) ctx.addIssue({ code: 'custom', path: [...path, 'contracts', k], message: `task "${t.id}" names contract "${c}", which is not in this plan's contracts` });
    });
  }
  const cycle = dependencyCycle(tasks.map(({ t }) => t));
  if (cycle) ctx.addIssue({ code: 'custom', path: ['phases'], message: `tasks depend on each other in a circle: ${cycle.join(' → ')}` });
});
export type PlanInput = z.infer<typeof PlanInput>;

/** The first dependency cycle among `tasks` (ids, the first repeated at the end), if any. */
export function dependencyCycle(tasks: readonly { id: string; dependsOn: readonly string[] }[]): string[] | null {
  const deps = new Map(tasks.map((t) => [t.id, t.dependsOn]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'open') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'open');
    stack.push(id);
    for (const d of deps.get(id) ?? []) {
      if (!deps.has(d) || d === id) continue;
      const found = visit(d);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const t of tasks) {
    const found = visit(t.id);
    if (found) return found;
  }
  return null;
}

/** The person's ruling on a debate, recorded on the contract or task it concerns. */
export const Decision = z.object({
  debate: z.number().int(),
  /** The decision delta that carried it. */
  delta: z.number().int(),
  text: z.string(),
  byName: z.string(),
  at: z.number(),
});
export type Decision = z.infer<typeof Decision>;

/** A contract the task codes against changed (a contract_change delta) and its assignee has not acked it yet. */
export const ChangedContract = z.object({ contract: z.string(), version: z.number().int(), delta: z.number().int() });
export type ChangedContract = z.infer<typeof ChangedContract>;

export const Task = z.object({
  id: z.string(),
  /** The phase it belongs to. */
  phase: z.string(),
  title: z.string(),
  detail: z.string(),
  status: TaskStatus,
  /** The peer working on it (in_progress, review, blocked) or that did it (done); null when nobody. */
  assignee: z.string().nullable(),
  assigneeName: z.string().nullable(),
  files: z.array(z.string()),
  dependsOn: z.array(z.string()),
  contracts: z.array(z.string()),
  /** Why it is blocked, or why it was started before its dependencies were done. */
  note: z.string().nullable(),
  updatedAt: z.number(),
  /** The peer that made the last change; null for the broker (an assignee gone). */
  updatedBy: z.string().nullable(),
  /** Contracts it codes against that changed since its assignee last acked; absent when none. */
  changedContracts: z.array(ChangedContract).optional(),
  /** Rulings on debates about it; absent when none. */
  decisions: z.array(Decision).optional(),
});
export type Task = z.infer<typeof Task>;

export const Phase = z.object({
  id: z.string(),
  title: z.string(),
  detail: z.string(),
  tasks: z.array(Task),
});
export type Phase = z.infer<typeof Phase>;

export const Contract = z.object({
  id: z.string(),
  kind: ContractKind,
  name: z.string(),
  file: z.string().nullable(),
  symbol: z.string().nullable(),
  spec: z.string(),
  /** 1 when created, +1 each time its spec changes. */
  version: z.number().int(),
  status: ContractStatus,
  updatedAt: z.number(),
  updatedBy: z.string().nullable(),
  /** Rulings on debates about it; absent when none. */
  decisions: z.array(Decision).optional(),
});
export type Contract = z.infer<typeof Contract>;

export const PlanView = z.object({
  /** The project's root folder (its git root, else the folder). */
  project: z.string(),
  title: z.string(),
  description: z.string(),
  /** +1 on every change of the plan's structure (not on task status moves). */
  version: z.number().int(),
  phases: z.array(Phase),
  contracts: z.array(Contract),
  updatedAt: z.number(),
  updatedBy: z.string().nullable(),
});
export type PlanView = z.infer<typeof PlanView>;

/** One line of what accepting a proposal changes. */
export const PlanChange = z.object({
  what: z.enum(['plan', 'phase', 'task', 'contract']),
  id: z.string(),
  change: z.enum(['added', 'removed', 'changed']),
  /** The fields that change (`title`, `files`, `spec`, …). */
  fields: z.array(z.string()).default([]),
  /** What it costs: "in progress by bob: goes with it". */
  note: z.string().optional(),
});
export type PlanChange = z.infer<typeof PlanChange>;

/**
 * Where a plan came from: written by an agent, decomposed through MCP sampling or the editor's
 * language model, or a plan file submitted from the command line (`peermesh plan import`).
 */
export const PlanSource = z.enum(['agent', 'sampling', 'editor', 'file']);
export type PlanSource = z.infer<typeof PlanSource>;

export const ProposalStatus = z.enum(['pending', 'accepted', 'rejected', 'superseded']);

export const Proposal = z.object({
  id: z.number().int(),
  project: z.string(),
  author: z.string(),
  authorName: z.string(),
  source: PlanSource,
  /** The plan version it was made against; accepting it fails once the plan has moved on. */
  baseVersion: z.number().int(),
  status: ProposalStatus,
  createdAt: z.number(),
  plan: PlanInput,
  /** What accepting it changes, against the plan as it is now. */
  changes: z.array(PlanChange),
});
export type Proposal = z.infer<typeof Proposal>;

/** Work another peer is doing on files a task will change: a claim, or another task in progress. */
export const Overlap = z.object({
  kind: z.enum(['lock', 'task']),
  peer: z.string(),
  peerName: z.string(),
  /** The file or pattern both touch, relative to the project root. */
  path: z.string(),
  lockId: z.number().int().optional(),
  task: z.string().optional(),
});
export type Overlap = z.infer<typeof Overlap>;

// Event payloads (small: ids, titles, counts; never specs or details).

/**
 * The display name of the peer that made the change (the event's `peer`), so the audit trail
 * still reads once that peer is long gone (gone peers are forgotten after the event retention;
 * plan events are kept for the audit retention).
 */
const byName = z.string().optional();

/** `plan_proposed`: a plan was submitted for a project that has one; it waits to be accepted. */
export const PlanProposedData = z.object({ project: z.string(), proposal: z.number().int(), source: PlanSource, changes: z.number().int(), byName });

/** `plan_changed`: a plan was stored (the first) or a proposal accepted. */
export const PlanChangedData = z.object({
  project: z.string(), version: z.number().int(), title: z.string(),
  /** The proposal accepted, if it was one. */
  proposal: z.number().int().nullable(),
  added: z.number().int(), removed: z.number().int(), changed: z.number().int(),
  byName,
});

/** `plan_rejected`: a proposal was turned down (or superseded by another accepted one). */
export const PlanRejectedData = z.object({ project: z.string(), proposal: z.number().int(), reason: z.string(), superseded: z.boolean(), byName });

/** `task_claimed`: a peer took a task (status in_progress, itself the assignee). */
export const TaskClaimedData = z.object({
  project: z.string(), task: z.string(), title: z.string(),
  /** Set when it was started before its dependencies were done: the reason given. */
  forced: z.string().optional(),
  /** How many overlaps the claim was warned about. */
  overlaps: z.number().int(),
  byName,
});

/** `task_updated`: a task's status or assignee changed. */
export const TaskUpdatedData = z.object({
  project: z.string(), task: z.string(), title: z.string(),
  status: TaskStatus, previous: TaskStatus,
  assignee: z.string().nullable(), assigneeName: z.string().nullable(),
  note: z.string().optional(),
  byName,
});

/** `task_released`: a task went back to todo because its assignee is gone (event without a peer) or gave it up. */
export const TaskReleasedData = z.object({
  project: z.string(), task: z.string(), title: z.string(), previous: TaskStatus,
  previousAssignee: z.string(), previousAssigneeName: z.string(),
  reason: z.enum(['assignee gone', 'given up']),
});

/** `contract_changed`: a contract was added, its spec changed (a new version), or its status moved. */
export const ContractChangedData = z.object({
  project: z.string(), contract: z.string(), name: z.string(), version: z.number().int(), status: ContractStatus,
  byName,
});
