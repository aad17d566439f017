/**
 * What accepting a proposal changes: the submitted plan against the plan as it is, one line per
 * phase, task or contract added, removed or changed (with the changed fields), the plan's own
 * title and description first. The order is fixed (plan, phases, tasks, contracts; within each,
 * the new plan's order, then what goes in the old order), so the same two plans always give
 * the same list. Removing a task someone is working on says so, naming them.
 */
import type { PlanChange, PlanInput, PlanView, Task, TaskStatus } from '../protocol/plan';

/** How a removed task's state reads in its note. */
const working: Partial<Record<TaskStatus, string>> = { in_progress: 'in progress', review: 'in review', blocked: 'blocked' };

/** The fields of `a` and `b` (named in `fields`) whose values differ, compared as JSON. */
function changedFields(a: object, b: object, fields: readonly string[]): string[] {
  const value = (x: object, f: string) => JSON.stringify((x as Record<string, unknown>)[f] ?? null);
  return fields.filter((f) => value(a, f) !== value(b, f));
}

/** Lines for one kind of item: added or changed in the new order, then removed in the old. */
function diffItems<Old extends { id: string }, New extends { id: string }>(
  what: PlanChange['what'], before: readonly Old[], after: readonly New[],
  fields: (old: Old, next: New) => string[], removedNote: (old: Old) => string | undefined = () => undefined,
): PlanChange[] {
  const old = new Map(before.map((x) => [x.id, x]));
  const next = new Set(after.map((x) => x.id));
  const out: PlanChange[] = [];
  for (const item of after) {
    const was = old.get(item.id);
    if (!was) out.push({ what, id: item.id, change: 'added', fields: [] });
    else {
      const changed = fields(was, item);
      if (changed.length > 0) out.push({ what, id: item.id, change: 'changed', fields: changed });
    }
  }
  for (const item of before) {
    if (next.has(item.id)) continue;
    const note = removedNote(item);
    out.push({ what, id: item.id, change: 'removed', fields: [], ...(note !== undefined && { note }) });
  }
  return out;
}

/** "in progress by bob: goes with it", for a task someone holds; nothing for others. */
function removedTaskNote(t: Task): string | undefined {
  const state = working[t.status];
  if (!state) return undefined;
  return t.assigneeName ? `${state} by ${t.assigneeName}: goes with it` : `${state}: goes with it`;
}

/** What making `next` the plan changes, against `current` (nothing yet: everything is added). */
export function planChanges(current: PlanView | undefined, next: PlanInput): PlanChange[] {
  const out: PlanChange[] = [];
  if (current) {
    const fields = changedFields({ title: current.title, description: current.description }, next, ['title', 'description']);
    if (fields.length > 0) out.push({ what: 'plan', id: current.project, change: 'changed', fields });
  }
  const phases = current?.phases ?? [];
  out.push(...diffItems('phase', phases, next.phases, (a, b) => changedFields(a, b, ['title', 'detail'])));
  const tasks = phases.flatMap((p) => p.tasks);
  const nextTasks = next.phases.flatMap((p) => p.tasks.map((t) => ({ ...t, phase: p.id })));
  out.push(...diffItems('task', tasks, nextTasks,
    (a, b) => changedFields(a, b, ['title', 'detail', 'phase', 'files', 'dependsOn', 'contracts']), removedTaskNote));
  out.push(...diffItems('contract', current?.contracts ?? [], next.contracts,
    (a, b) => changedFields(a, b, ['kind', 'name', 'file', 'symbol', 'spec'])));
  return out;
}

/** The counts a `plan_changed` event carries. */
export function changeCounts(changes: readonly PlanChange[]): { added: number; removed: number; changed: number } {
  const count = (c: PlanChange['change']) => changes.filter((x) => x.change === c).length;
  return { added: count('added'), removed: count('removed'), changed: count('changed') };
}
