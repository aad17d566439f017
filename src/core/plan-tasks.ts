/**
 * Moving tasks: claiming one, changing its status or assignee, and what an agent is told about
 * its own. Each function runs inside the caller's transaction, so a claim's checks and its
 * write are one step: of peers racing for a task, the first transaction wins and the others
 * find it taken.
 *
 * Who may move what: an agent (a peer whose kind is not in `personKinds`) moves its own tasks
 * and unassigned ones, and hands out only unassigned ones; the person's peers move any. A task
 * whose assignee is gone counts as unassigned (the sweep frees it soon anyway).
 */
import { BrokerError } from '../protocol/errors';
import { personKinds, type Peer } from '../protocol/entities';
import type { Overlap, Task, TaskStatus } from '../protocol/plan';
import type { MeshTx } from './context';
import type { Peers } from './peers';
import { loadTask, taskSelect, toTask, type TaskRow } from './plan-store';
import { taskOverlaps } from './task-overlap';

/** Statuses in which a task is someone's work now. */
export const heldStatuses: readonly TaskStatus[] = ['in_progress', 'review', 'blocked'];

/** What `plan/update` may change of a task. */
export interface TaskChange { status?: TaskStatus; assignee?: string | null; note?: string; force?: string }

/** A task after a claim or a move, and the overlaps its files have with other peers' work. */
export interface Moved { task: Task; warnings: Overlap[] }

/** The task's row, or `notFound` naming the plan's task ids (the first few). */
export async function requireTask(t: MeshTx, root: string, id: string): Promise<TaskRow> {
  const row = await loadTask(t.db, root, id);
  if (row) return row;
  const ids = (await t.db.all<{ id: string }>('SELECT id FROM plan_tasks WHERE project = ? ORDER BY position', [root])).map((r) => r.id);
  if (ids.length === 0) throw new BrokerError('notFound', `no plan for ${root}: submit one first`);
  const some = ids.length > 12 ? `${ids.slice(0, 12).join(', ')}, … (${ids.length} in all)` : ids.join(', ');
  throw new BrokerError('notFound', `no task "${id}" in the plan of ${root}; its tasks: ${some}`);
}

/** The task rules, run inside the plan service's transactions (plan.ts). */
export class TaskMoves {
  constructor(private readonly peers: Peers, private readonly now: () => number) {}

  /** See `plan/claim`. */
  async claim(t: MeshTx, caller: Peer, root: string, id: string, force?: string): Promise<Moved> {
    const row = await requireTask(t, root, id);
    if (row.status === 'done') throw new BrokerError('invalidInput', `task ${id} is done: pick another task`);
    if (row.assignee === caller.id && row.status === 'in_progress') return this.withWarnings(t, root, toTask(row), caller.id);
    if (row.assignee !== caller.id) await this.checkNotHeld(t, row);
    const forced = await this.checkReady(t, root, row, force);
    await this.write(t, root, row, { status: 'in_progress', assignee: caller, note: forced ?? null, shown: true }, caller);
    const moved = await this.withWarnings(t, root, toTask(await requireTask(t, root, id)), caller.id);
    await t.emit('task_claimed', caller.id, {
      project: root, task: id, title: row.title, ...(forced !== undefined && { forced }), overlaps: moved.warnings.length, byName: caller.name,
    });
    return moved;
  }

  /** See `plan/update`. */
  async update(t: MeshTx, caller: Peer, root: string, id: string, change: TaskChange): Promise<Moved> {
    const row = await requireTask(t, root, id);
    const person = personKinds.includes(caller.kind);
    const own = row.assignee === caller.id;
    const free = row.assignee === null || !(await this.liveAssignee(t, row.assignee));
    if (!person && !own) await this.checkNotHeld(t, row);
    // A gone assignee holds nothing: its task moves on in the name of whoever moves it (a note
    // alone keeps the name of whoever did it).
    const takenOver = free && !own && change.status !== undefined && change.status !== row.status;
    let assignee: Pick<Peer, 'id' | 'name'> | null = row.assignee === null || takenOver ? null : { id: row.assignee, name: row.assignee_now ?? row.assignee };
    if (change.assignee !== undefined) {
      const to = change.assignee === null ? null : await this.peers.findIn(t, change.assignee);
      if (to === undefined) throw new BrokerError('notFound', `no live peer "${change.assignee}" to assign task ${id} to`);
      if (!person && to !== null && to.id !== caller.id && !free) {
        throw new BrokerError('unauthorized',
          `task ${id} is assigned to ${row.assignee_now ?? row.assignee}: an agent hands out only unassigned tasks (give it up first, or ask the person)`);
      }
      assignee = to;
    }
    const previous = row.status;
    const moving = change.status !== undefined && change.status !== previous;
    let status = change.status ?? previous;
    // A note belongs to a status (why it is blocked, why it started early): a move drops it.
    let note = change.note !== undefined ? change.note.trim() || null : moving ? null : row.note;
    if (moving && status === 'in_progress') {
      if (change.assignee === undefined) assignee = caller;
      note = (await this.checkReady(t, root, row, change.force)) ?? note;
    } else if (moving && status === 'todo' && own && change.assignee === undefined) {
      assignee = null;
    } else if (moving && (status === 'review' || status === 'done' || status === 'blocked') && assignee === null) {
      // Someone's work: the task's assignee says whose (see `Task.assignee`).
      assignee = caller;
    }
    // Review or done straight from todo skips the start, not its rule: the dependencies gate it.
    if (moving && previous === 'todo' && (status === 'review' || status === 'done')) note = (await this.checkReady(t, root, row, change.force)) ?? note;
    if (status === 'blocked' && !note) throw new BrokerError('invalidInput', `say why task ${id} is blocked (give a note)`);
    if (status === 'in_progress' && assignee === null) status = 'todo';
    // Work is done by whoever claims it: an agent does not start or finish it in another peer's name.
    if (!person && change.assignee !== undefined && assignee !== null && assignee.id !== caller.id && status !== 'todo') {
      throw new BrokerError('unauthorized',
        `an agent hands task ${id} to ${assignee.name} as todo only (they claim it themselves); the person may set more`);
    }
    const to = assignee?.id ?? null;
    if (status === previous && to === row.assignee && note === row.note) {
      return status === 'in_progress' && to !== null ? this.withWarnings(t, root, toTask(row), to) : { task: toTask(row), warnings: [] };
    }
    // A task another peer hands over is news for its new assignee until shown (`mine`).
    const shown = to === row.assignee ? row.shown === 1 : to === null || to === caller.id;
    await this.write(t, root, row, { status, assignee, note, shown }, caller);
    const task = toTask(await requireTask(t, root, id));
    const moved = status === 'in_progress' && to !== null ? await this.withWarnings(t, root, task, to) : { task, warnings: [] };
    if (own && to === null) {
      await t.emit('task_released', caller.id, {
        project: root, task: id, title: row.title, previous, previousAssignee: caller.id, previousAssigneeName: caller.name, reason: 'given up',
      });
    } else {
      await t.emit('task_updated', caller.id, {
        project: root, task: id, title: row.title, status, previous, assignee: task.assignee, assigneeName: task.assigneeName,
        ...(task.note !== null && { note: task.note }), byName: caller.name,
      });
    }
    return moved;
  }

  /**
   * Tasks whose assignee is gone: in progress ones go back to todo, blocked ones lose their
   * assignee, each with a `task_released` event of no peer. Inside the sweep's transaction.
   */
  async releaseGone(t: MeshTx): Promise<number> {
    const rows = await t.db.all<TaskRow>(`${taskSelect} WHERE ${goneHolder} ORDER BY t.project, t.position`);
    const now = this.now();
    for (const row of rows) {
      const status: TaskStatus = row.status === 'in_progress' ? 'todo' : row.status;
      await t.db.run(
        `UPDATE plan_tasks SET status = ?, assignee = NULL, assignee_name = NULL, shown = 1, updated_at = ?, updated_by = NULL
         WHERE project = ? AND id = ?`,
        [status, now, row.project, row.id],
      );
      await t.emit('task_released', null, {
        project: row.project, task: row.id, title: row.title, previous: row.status, previousAssignee: row.assignee ?? '',
        previousAssigneeName: row.assignee_now ?? row.assignee ?? '', reason: 'assignee gone',
      });
    }
    return rows.length;
  }

  private async withWarnings(t: MeshTx, root: string, task: Task, holder: string): Promise<Moved> {
    return { task, warnings: await taskOverlaps(t.db, root, task, holder, this.now()) };
  }

  private async liveAssignee(t: MeshTx, id: string): Promise<Peer | undefined> {
    const peer = await this.peers.getIn(t, id);
    return peer && peer.status !== 'gone' ? peer : undefined;
  }

  /** `alreadyClaimed` when another peer, not gone, holds the task or was handed it. */
  private async checkNotHeld(t: MeshTx, row: TaskRow): Promise<void> {
    if (row.assignee === null) return;
    const holder = await this.liveAssignee(t, row.assignee);
    if (!holder) return;
    const data = { task: row.id, by: holder.id, byName: holder.name, status: row.status };
    if (row.status === 'todo') throw new BrokerError('alreadyClaimed', `task ${row.id} was handed to ${holder.name}: ask them, or pick another task`, data);
    throw new BrokerError('alreadyClaimed', `task ${row.id} is taken: ${holder.name} has it (${row.status.replace('_', ' ')})`, data);
  }

  /** `notReady` naming the dependencies not done, unless `force` gives the reason to start anyway (returned). */
  private async checkReady(t: MeshTx, root: string, row: TaskRow, force: string | undefined): Promise<string | undefined> {
    const deps = toTask(row).dependsOn;
    if (deps.length === 0) return undefined;
    const open = (await t.db.all<{ id: string; title: string; status: TaskStatus }>(
      `SELECT id, title, status FROM plan_tasks WHERE project = ? AND status != 'done' AND id IN (SELECT value FROM json_each(?))
       ORDER BY position`,
      [root, JSON.stringify(deps)],
    ));
    if (open.length === 0) return undefined;
    const reason = force?.trim();
    if (reason) return reason;
    const list = open.map((d) => `${d.id} (${d.status.replace('_', ' ')})`).join(', ');
    throw new BrokerError('notReady', `task ${row.id} waits for tasks not done yet: ${list}; finish those first, or give the reason to start anyway`,
      { open: open.map((d) => ({ id: d.id, title: d.title, status: d.status })) });
  }

  private async write(
    t: MeshTx, root: string, row: TaskRow,
    next: { status: TaskStatus; assignee: Pick<Peer, 'id' | 'name'> | null; note: string | null; shown: boolean }, by: Peer,
  ): Promise<void> {
    await t.db.run(
      `UPDATE plan_tasks SET status = ?, assignee = ?, assignee_name = ?, note = ?, shown = ?, updated_at = ?, updated_by = ?
       WHERE project = ? AND id = ?`,
      [next.status, next.assignee?.id ?? null, next.assignee?.name ?? null, next.note, next.shown ? 1 : 0, this.now(), by.id, root, row.id],
    );
  }
}

/** Tasks in progress or blocked whose assignee is gone (or forgotten). */
export const goneHolder = `t.status IN ('in_progress', 'blocked') AND t.assignee IS NOT NULL AND (p.id IS NULL OR p.status = 'gone')`;
