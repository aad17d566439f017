/**
 * When a task of the plan may start: a todo task is ready once every task it depends on is
 * done. One reading of that rule for every surface that says it (the CLI's `needs …` and
 * `now ready`, the MCP tools' `waitsOn` and `Now ready`, the Plan view's "not done"); the
 * broker's own check (`notReady` on a claim) asks the database the same question. Types only,
 * so the hook entry may load it.
 */
import type { Task, TaskStatus } from '../protocol/plan';

/** Each task's status by id: what the other functions read dependencies in. */
export type StatusOf = ReadonlyMap<string, TaskStatus>;

export function statusOf(tasks: readonly Pick<Task, 'id' | 'status'>[]): StatusOf {
  return new Map(tasks.map((t) => [t.id, t.status] as const));
}

/** The ids of the tasks `task` depends on that are not done (a task the plan lacks counts as not done). */
export function waitingOn(task: Pick<Task, 'dependsOn'>, status: StatusOf): string[] {
  return task.dependsOn.filter((d) => status.get(d) !== 'done');
}

/** Whether `task` is todo and waits for nothing. */
export function isReady(task: Pick<Task, 'status' | 'dependsOn'>, status: StatusOf): boolean {
  return task.status === 'todo' && waitingOn(task, status).length === 0;
}

/** The todo tasks that `done` (just finished) made ready: they depended on it, and all they depend on is done now. */
export function madeReady<T extends Pick<Task, 'status' | 'dependsOn'>>(done: string, tasks: readonly T[], status: StatusOf): T[] {
  return tasks.filter((t) => t.dependsOn.includes(done) && isReady(t, status));
}
