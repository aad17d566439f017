/**
 * The plan's part of an MCP session's news: the tasks its peer holds (one short line on every
 * result) and the tasks others newly gave it (once each). `plan/mine` answers both; it is asked
 * only when something may have changed them, not on every result: the peer's own tools say so
 * when they move a task ({@link TaskNews.changed}), and another peer's plan event about its tasks
 * does (or a reconnect, after which events may have been missed). Between asks, the held tasks
 * come from memory.
 */
import type { Logger } from '../core/logger';
import { toTasksNews, type TasksNews } from '../core/news';
import type { MeshEvent } from '../protocol/entities';
import type { Task } from '../protocol/plan';
import type { MeshClient } from './mesh-session';

export class TaskNews {
  /** The tasks this peer holds, as `plan/mine` last said. */
  private held: ReadonlyArray<Task & { project: string }> = [];
  private stale = true;

  constructor(private readonly log: Logger, private readonly peerName: (id: string) => string) {}

  /** Something may have changed this peer's tasks: ask again for the next result. */
  changed(): void {
    this.stale = true;
  }

  /** An event pushed to (or replayed for) this session; safe to apply twice. */
  apply(e: MeshEvent, me: string | undefined): void {
    if (this.touches(e, me)) this.stale = true;
  }

  /** The tasks news for a result: asked (new assignments marked shown) only when stale. */
  async news(c: MeshClient): Promise<TasksNews | undefined> {
    const own = c.peer.gitRoot ?? c.peer.workspace ?? c.peer.cwd;
    const name = (id: string) => (id === c.peer.id ? 'you' : this.peerName(id));
    if (!this.stale) return toTasksNews({ held: this.held, assigned: [] }, own, name);
    this.stale = false;
    try {
      const r = await c.request('plan/mine', { seen: true });
      this.held = r.held;
      return toTasksNews(r, own, name);
    } catch (e) {
      // What was held is still shown; the next result asks again.
      this.stale = true;
      this.log.warn(`could not fetch this peer's tasks for a tool result: ${(e as Error).message}`);
      return toTasksNews({ held: this.held, assigned: [] }, own, name);
    }
  }

  /**
   * Whether another peer's plan event may change the tasks this peer holds or has been given.
   * This peer's own changes are made through its tools, which call {@link changed} before their
   * result's news is read: the push of the event comes later, and asking again then would only
   * repeat the answer.
   */
  private touches(e: MeshEvent, me: string | undefined): boolean {
    if (e.peer === me) return false;
    const holds = (project: string, task?: string) => this.held.some((t) => t.project === project && (task === undefined || t.id === task));
    switch (e.type) {
      case 'task_updated': return e.data.assignee === me || holds(e.data.project, e.data.task);
      case 'task_released': return e.data.previousAssignee === me;
      // An accepted proposal may drop or change a task this peer holds.
      case 'plan_changed': return holds(e.data.project);
      default: return false;
    }
  }
}
