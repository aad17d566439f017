/**
 * Context deltas: an agent's discovery pushed to the peers it affects. Every request works on
 * one project, as the plan's do (`project`, else the caller's own workspace).
 */
import * as z from 'zod';
import { coordinationLimits, Delta, DeltaAffects, DeltaDraft, DeltaKind, DeltaSeverity } from '../coordination';
import { limits } from '../limits';
import { planLimits } from '../plan';
import { defineRequests } from './spec';

const project = z.string().min(1).max(limits.path).optional();

export const deltaRequests = defineRequests('delta', {
  /**
   * Pushes a delta. It is routed to the live peers (not the author) whose tasks, claims or
   * recent edits touch what it affects, and visible to all. A `contract_change` must name
   * contracts of the plan (`invalidInput` when it names none or the project has no plan): each
   * gets its next version, proposed again (`spec`, for one contract only, becomes its new
   * spec), and the tasks that code against it are routed to. `notFound` naming the contracts
   * and tasks the plan does not have; `invalidInput` for a file outside the project, and for a
   * `decision` (only the broker pushes one, from the person's ruling). Emits `delta_pushed`
   * (and `contract_changed`). Not retried: a repeat would push twice.
   */
  'delta/push': {
    params: z.object({
      project,
      kind: DeltaKind,
      severity: DeltaSeverity.default('info'),
      summary: z.string().trim().min(1).max(coordinationLimits.summary),
      detail: z.string().max(coordinationLimits.detail).default(''),
      affects: DeltaAffects.default({ contracts: [], files: [], tasks: [] }),
      /** A contract_change's new spec, for its one contract. */
      spec: z.string().min(1).max(planLimits.spec).optional(),
    }),
    result: z.object({ delta: Delta }),
    retry: 'never',
  },
  /**
   * The project's deltas after `since` (a delta id), oldest first: all of them, or only
   * `blocking` ones, or only those routed to the caller (`mine`); and the caller's open drafts
   * in the project.
   */
  'delta/list': {
    params: z.object({
      project,
      since: z.number().int().min(0).default(0),
      blocking: z.boolean().default(false),
      mine: z.boolean().default(false),
      limit: z.number().int().min(1).max(limits.page).default(100),
    }),
    result: z.object({ deltas: z.array(Delta), more: z.boolean(), drafts: z.array(DeltaDraft).default([]) }),
    retry: 'safe',
  },
  /** One delta, with who has and has not acked it. `notFound` for an unknown id. */
  'delta/get': {
    params: z.object({ id: z.number().int().min(1) }),
    result: z.object({ delta: Delta }),
    retry: 'safe',
  },
  /**
   * Acks deltas (ids; those already acked, and the caller's own, are no error and skipped;
   * `acked` lists the ones newly acked). A peer a delta was not routed to may ack it too: it is
   * recorded as a recipient that asked. `notFound` naming unknown ids (`data.deltas`), acking
   * none. Emits `delta_acked` per new ack.
   */
  'delta/ack': {
    params: z.object({ ids: z.array(z.number().int().min(1)).min(1).max(limits.list) }),
    result: z.object({ acked: z.array(z.number().int()) }),
    retry: 'safe',
  },
  /**
   * The caller's delta news, for the pending part of tool results and hooks: blocking deltas
   * routed to it that it has not acked (every time, until it acks), then others routed to it
   * not shown yet, and its drafts drafted or refreshed since last shown; `seen` marks them
   * shown. Over every project.
   */
  'delta/mine': {
    params: z.object({ seen: z.boolean().default(false) }),
    result: z.object({ blocking: z.array(Delta), fresh: z.array(Delta), drafts: z.array(DeltaDraft).default([]) }),
    retry: (p: { seen?: boolean }) => (p.seen ? 'never' : 'safe'),
  },
  /**
   * Confirms one of the caller's open drafts: pushes it as a `contract_change` of its contract
   * (as `delta/push` would: the contract's version bumps, `spec` becomes its spec, and the
   * delta goes to the peers the contract concerns), with `summary` (else one saying what was
   * edited). `notFound` for a draft that is not the caller's; `invalidInput` for one already
   * confirmed or dismissed, and whatever `delta/push` refuses. Emits `delta_pushed` and
   * `contract_changed`. Not retried: a repeat would fail on the confirmed draft.
   */
  'delta/confirm': {
    params: z.object({
      id: z.number().int().min(1),
      severity: DeltaSeverity.default('info'),
      summary: z.string().trim().min(1).max(coordinationLimits.summary).optional(),
      detail: z.string().max(coordinationLimits.detail).default(''),
      spec: z.string().min(1).max(planLimits.spec).optional(),
    }),
    result: z.object({ delta: Delta }),
    retry: 'never',
  },
  /**
   * Dismisses the caller's open drafts (`dismissed` lists them; those already confirmed or
   * dismissed are skipped). `notFound` naming ids that are not the caller's drafts, dismissing none.
   */
  'delta/dismiss': {
    params: z.object({ ids: z.array(z.number().int().min(1)).min(1).max(limits.list) }),
    result: z.object({ dismissed: z.array(z.number().int()) }),
    retry: 'safe',
  },
});
