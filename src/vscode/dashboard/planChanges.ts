/**
 * What the host tells a page about a new version of the plan, given the version that page last
 * got: nothing when nothing it shows changed; only the tasks that changed when the plan kept its
 * shape (same title, contracts, phases and tasks in the same places), which is every agent's
 * move, claim and flag; else the plan whole. One agent moving one card on a board of five
 * hundred sends one task.
 */
import type { DashboardPlan, DashboardTask } from '../../protocol/webview';

export type PlanChange =
  | { kind: 'none' }
  | { kind: 'tasks'; tasks: DashboardTask[] }
  | { kind: 'plan'; plan: DashboardPlan | null };

/** `before` is undefined when the page's plan is not known (it missed a message). */
export function planChange(before: DashboardPlan | null | undefined, after: DashboardPlan | null): PlanChange {
  if (before === after) return { kind: 'none' };
  if (!before || !after || !sameShape(before, after)) return { kind: 'plan', plan: after };
  const changed: DashboardTask[] = [];
  before.phases.forEach((phase, p) => phase.tasks.forEach((task, t) => {
    const next = after.phases[p].tasks[t];
    if (!same(task, next)) changed.push(next);
  }));
  return changed.length === 0 ? { kind: 'none' } : { kind: 'tasks', tasks: changed };
}

/** Everything but the tasks' own fields is the same: a page can swap the changed tasks in place. */
function sameShape(before: DashboardPlan, after: DashboardPlan): boolean {
  return before.title === after.title
    && same(before.contracts, after.contracts)
    && before.phases.length === after.phases.length
    && before.phases.every((phase, p) => {
      const next = after.phases[p];
      return phase.id === next.id && phase.title === next.title && phase.tasks.length === next.tasks.length
        && phase.tasks.every((task, t) => task.id === next.tasks[t].id);
    });
}

/** Plain data built by the same code, so the same key order: its JSON compares it. */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
