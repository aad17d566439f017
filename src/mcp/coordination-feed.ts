/**
 * The deltas', debates' and landing queue's part of an MCP session's news (see
 * core/coordination-news.ts). `delta/mine`, `debate/mine` and `sync/mine` are asked only when
 * something may have changed them: an event of their topics (pushed, or replayed after a
 * reconnect), or the peer's own tool call ({@link CoordinationFeed.changed}). Between asks the
 * blocking deltas and the landing tokens come from memory: they stay in the news until acked or
 * released; what is shown once (other deltas, debate turns) is not repeated.
 */
import { toCoordinationNews, type CoordinationNews } from '../core/coordination-news';
import type { Logger } from '../core/logger';
import type { Delta, SyncQueue } from '../protocol/coordination';
import type { MeshEvent } from '../protocol/entities';
import { eventTopics, type MeshTopic } from '../protocol/topics';
import type { MeshClient } from './mesh-session';

const topics: readonly MeshTopic[] = ['deltas', 'debates', 'sync'];

export class CoordinationFeed {
  private blocking: readonly Delta[] = [];
  private landing: readonly SyncQueue[] = [];
  private stale = true;

  constructor(private readonly log: Logger) {}

  /** Something may have changed this peer's deltas, debates or tokens: ask again for the next result. */
  changed(): void {
    this.stale = true;
  }

  /** An event pushed to (or replayed for) this session; safe to apply twice. */
  apply(e: MeshEvent): void {
    if (eventTopics[e.type].some((t) => topics.includes(t))) this.stale = true;
  }

  async news(c: MeshClient): Promise<CoordinationNews | undefined> {
    const own = c.peer.gitRoot ?? c.peer.workspace ?? c.peer.cwd;
    if (!this.stale) return toCoordinationNews({ deltas: { blocking: this.blocking, fresh: [] }, landing: this.landing }, c.peer.id, own, Date.now());
    this.stale = false;
    // Each answer stands alone: deltas and debates marked shown are shown even when another ask fails.
    const [deltas, debates, sync] = await Promise.allSettled([
      c.request('delta/mine', { seen: true }),
      c.request('debate/mine', { seen: true }),
      c.request('sync/mine', {}),
    ]);
    if (deltas.status === 'fulfilled') this.blocking = deltas.value.blocking;
    if (sync.status === 'fulfilled') this.landing = sync.value.queues;
    const failed = [deltas, debates, sync].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) {
      // What was known still shows; the next result asks again.
      this.stale = true;
      this.log.warn(`could not fetch this peer's deltas, debates or landing tokens for a tool result: ${(failed[0].reason as Error).message}`);
    }
    return toCoordinationNews({
      deltas: deltas.status === 'fulfilled' ? deltas.value : { blocking: this.blocking, fresh: [] },
      ...(debates.status === 'fulfilled' && { debates: debates.value }),
      landing: this.landing,
    }, c.peer.id, own, Date.now());
  }
}
