/**
 * The deltas', debates', landing queue's and lost claims' part of an MCP session's news (see
 * core/coordination-news.ts). `delta/mine`, `debate/mine` and `sync/mine` are asked only when
 * something may have changed them: an event of their topics (pushed, or replayed after a
 * reconnect), or the peer's own tool call ({@link CoordinationFeed.changed}). Between asks the
 * blocking deltas and the landing tokens come from memory: they stay in the news until acked or
 * released; what is shown once (other deltas, debate turns) is not repeated.
 *
 * The peer's claims whose code is gone stay in the news until released or taken again. Its
 * claims are listed (`locks/list` by holder) only when that may have changed: a claim of its
 * own lost its code, or one already known lost changed (released, expired, renewed, taken
 * again, moved), or its own mesh_lock call while one is known lost
 * ({@link CoordinationFeed.claimsChanged}).
 *
 * Release requests (`release/mine`) are asked when a request event names this peer (as holder
 * or requester), or on {@link CoordinationFeed.changed}; those awaiting its answer stay in the
 * news from memory until it answers, its own answered ones are shown once.
 */
import { toCoordinationNews, type CoordinationNews } from '../core/coordination-news';
import type { Logger } from '../core/logger';
import type { Delta, SyncQueue } from '../protocol/coordination';
import type { Lock, MeshEvent } from '../protocol/entities';
import type { LockRequest } from '../protocol/requests/release';
import { eventTopics, type MeshTopic } from '../protocol/topics';
import type { MeshClient } from './mesh-session';

const topics: readonly MeshTopic[] = ['deltas', 'debates', 'sync'];

export class CoordinationFeed {
  private blocking: readonly Delta[] = [];
  private landing: readonly SyncQueue[] = [];
  private stale = true;
  /** This peer's claims whose code is gone, as `locks/list` last said. */
  private lost: readonly Lock[] = [];
  private claimsStale = true;
  /** Release requests awaiting this peer's answer, as `release/mine` last said. */
  private toYou: readonly LockRequest[] = [];
  private requestsStale = true;

  constructor(private readonly log: Logger) {}

  /** Something may have changed this peer's deltas, debates or tokens (or anything: a reconnect): ask again for the next result. */
  changed(): void {
    this.stale = true;
    this.claimsStale = true;
    this.requestsStale = true;
  }

  /** This peer took, released or renewed claims itself: ask again if that may settle a lost one. */
  claimsChanged(): void {
    if (this.lost.length > 0) this.claimsStale = true;
  }

  /** An event pushed to (or replayed for) this session; safe to apply twice. */
  apply(e: MeshEvent, me: string | undefined): void {
    if (eventTopics[e.type].some((t) => topics.includes(t))) this.stale = true;
    if (this.losesOrSettles(e, me)) this.claimsStale = true;
    if ((e.type === 'lock_release_requested' || e.type === 'lock_request_answered' || e.type === 'lock_request_escalated')
      && (e.data.holder === me || e.data.requester === me)) this.requestsStale = true;
  }

  async news(c: MeshClient): Promise<CoordinationNews | undefined> {
    const own = c.peer.gitRoot ?? c.peer.workspace ?? c.peer.cwd;
    const claims = this.claimsStale ? this.askClaims(c) : Promise.resolve(this.lost);
    const requests = this.requestsStale ? this.askRequests(c) : Promise.resolve({ toYou: this.toYou, answered: [] });
    if (!this.stale) {
      return toCoordinationNews({ deltas: { blocking: this.blocking, fresh: [] }, landing: this.landing, claims: await claims, requests: await requests }, c.peer.id, own, Date.now());
    }
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
      claims: await claims,
      requests: await requests,
    }, c.peer.id, own, Date.now());
  }

  /** Release requests for this peer's claims, and its own answered since last shown (marked seen). */
  private async askRequests(c: MeshClient): Promise<{ toYou: readonly LockRequest[]; answered: readonly LockRequest[] }> {
    this.requestsStale = false;
    try {
      const r = await c.request('release/mine', { seen: true });
      this.toYou = r.toYou;
      return r;
    } catch (e) {
      this.requestsStale = true;
      this.log.warn(`could not fetch this peer's release requests for a tool result: ${(e as Error).message}`);
      return { toYou: this.toYou, answered: [] };
    }
  }

  /** This peer's claims whose code is gone; what was known when the broker cannot say (asked again next time). */
  private async askClaims(c: MeshClient): Promise<readonly Lock[]> {
    this.claimsStale = false;
    try {
      const { locks } = await c.request('locks/list', { holder: c.peer.id });
      this.lost = locks.filter((l) => l.anchorLost === true);
    } catch (e) {
      this.claimsStale = true;
      this.log.warn(`could not list this peer's claims for a tool result: ${(e as Error).message}`);
    }
    return this.lost;
  }

  /** Whether a lock event may add a lost claim of this peer's, or settle one known lost. */
  private losesOrSettles(e: MeshEvent, me: string | undefined): boolean {
    switch (e.type) {
      case 'lock_moved':
        return e.data.holder === me && (e.data.anchorLost || this.lost.some((l) => l.id === e.data.id));
      case 'lock_acquired':
      case 'lock_renewed':
      case 'lock_released':
      case 'lock_expired':
        return this.lost.some((l) => l.id === e.data.id);
      default:
        return false;
    }
  }
}
