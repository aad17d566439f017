/**
 * The shared plan: read it, submit one (stored at once when the project has none, else a
 * proposal to accept), claim and move tasks, keep contracts. Any registered peer. Every
 * request works on one project: the git root (else the folder) of `project` when given, else
 * of the caller's own workspace; `invalidInput` when neither names a folder.
 */
import * as z from 'zod';
import { limits } from '../limits';
import {
  Contract, ContractKind, ContractStatus, Overlap, PlanId, PlanInput, PlanSource, PlanView, Proposal, Task, TaskStatus, planLimits,
} from '../plan';
import { defineRequests } from './spec';

/** A folder of the project (any folder inside it will do); default the caller's own. */
const project = z.string().min(1).max(limits.path).optional();

/** Sets `force` on a start: the reason for starting before the task's dependencies are done. */
const force = z.string().trim().min(1).max(limits.reason).optional();

export const planRequests = defineRequests('plan', {
  /** The project's plan (null when it has none) and its pending proposals (without their plans). */
  'plan/get': {
    params: z.object({ project }),
    result: z.object({ plan: PlanView.nullable(), proposals: z.array(Proposal.omit({ plan: true })) }),
    retry: 'safe',
  },
  /**
   * Submits a whole plan. A project without a plan stores it at once (`plan_changed`); a project
   * with one gets a proposal (`plan_proposed`) that says what accepting it would change, and
   * nothing else changes until someone accepts it. Not retried: a repeat would propose twice.
   */
  'plan/submit': {
    params: z.object({ project, plan: PlanInput, source: PlanSource.default('agent') }),
    result: z.object({ plan: PlanView.nullable(), proposal: Proposal.nullable() }),
    retry: 'never',
  },
  /** One proposal, with its plan and what accepting it changes now. `notFound` for an unknown id. */
  'plan/proposal': {
    params: z.object({ id: z.number().int().min(1) }),
    result: z.object({ proposal: Proposal }),
    retry: 'safe',
  },
  /**
   * Accepts a pending proposal: the plan becomes it (tasks that stay keep their status and
   * assignee), every other pending proposal of the project is superseded. `versionMismatch`
   * when the plan changed since the proposal was made (propose again), `notFound`, or
   * `invalidInput` when it is no longer pending.
   */
  'plan/accept': {
    params: z.object({ id: z.number().int().min(1) }),
    result: z.object({ plan: PlanView }),
    retry: 'never',
  },
  /** Turns a pending proposal down (`plan_rejected`). */
  'plan/reject': {
    params: z.object({ id: z.number().int().min(1), reason: z.string().max(limits.reason).default('') }),
    result: z.object({ proposal: Proposal.omit({ plan: true }) }),
    retry: 'never',
  },
  /**
   * The project's tasks in plan order, of the given statuses and assignee (a peer id or a live
   * peer's name) when given.
   */
  'plan/tasks': {
    params: z.object({
      project,
      status: z.array(TaskStatus).max(taskStatusCount()).optional(),
      assignee: z.string().min(1).max(limits.name).optional(),
    }),
    result: z.object({ tasks: z.array(Task) }),
    retry: 'safe',
  },
  /**
   * Takes a task atomically: of any number of peers racing for it, one gets it, the others
   * `alreadyClaimed` naming the winner. Its own task again is no error. A task whose
   * dependencies are not done fails `notReady` naming them, unless `force`
   * gives the reason to start anyway. `warnings` name other peers' claims and in-progress tasks
   * on the task's files. Emits `task_claimed`.
   */
  'plan/claim': {
    params: z.object({ project, task: PlanId, force }),
    result: z.object({ task: Task, warnings: z.array(Overlap) }),
    retry: 'safe',
  },
  /**
   * Moves a task: `status` (to in_progress it is a claim, with its rules; to review or done
   * from todo its dependencies gate it the same way, `force` saying why), `assignee` (a peer id
   * or live name, or null to unassign; an agent may hand out only unassigned tasks, and to
   * another peer only as todo, the person any), `note` (why it is blocked). An agent may move
   * only its own or unassigned tasks; the person's peers any. Emits `task_updated`
   * (`task_released` when its assignee gives it up).
   */
  'plan/update': {
    params: z.object({
      project, task: PlanId,
      status: TaskStatus.optional(),
      assignee: z.string().min(1).max(limits.name).nullable().optional(),
      note: z.string().max(limits.reason).optional(),
      force,
    }),
    result: z.object({ task: Task, warnings: z.array(Overlap) }),
    retry: 'never',
  },
  /**
   * Adds a contract (kind, name and spec required) or changes one: a new spec is a new version
   * and goes back to `proposed` unless `status` says otherwise. Emits `contract_changed`.
   */
  'plan/contract': {
    params: z.object({
      project, id: PlanId,
      kind: ContractKind.optional(),
      name: z.string().trim().min(1).max(planLimits.title).optional(),
      file: z.string().trim().min(1).max(limits.path).nullable().optional(),
      symbol: z.string().trim().min(1).max(limits.name).nullable().optional(),
      spec: z.string().min(1).max(planLimits.spec).optional(),
      status: ContractStatus.optional(),
    }),
    result: z.object({ contract: Contract }),
    retry: 'never',
  },
  /**
   * The caller's tasks news, for the pending part of tool results and hooks: the tasks it holds
   * (in_progress, review, blocked), and those others assigned to it that it has not been shown
   * yet, which `seen` marks shown. Over every project.
   */
  'plan/mine': {
    params: z.object({ seen: z.boolean().default(false) }),
    result: z.object({ held: z.array(Task.extend({ project: z.string() })), assigned: z.array(Task.extend({ project: z.string() })) }),
    /** Marking them shown twice would hide them the second time. */
    retry: (p: { seen?: boolean }) => (p.seen ? 'never' : 'safe'),
  },
});

function taskStatusCount(): number {
  return TaskStatus.options.length;
}
