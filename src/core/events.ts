/**
 * The event log: append-only (appends go through {@link MeshContext.emit}, which takes only
 * the payload of its event type), read by cursor, long-polled with `wait`, pruned by age.
 * Sequence numbers come from an AUTOINCREMENT key, so they never repeat, even after every
 * event has been pruned.
 */
import { BrokerError } from '../protocol/errors';
import { limits } from '../protocol/limits';
import type { EventType, MeshEvent, MeshEventOf } from '../protocol/entities';
import type { EventsService, MeshCounts } from './api';
import type { MeshContext, MeshTx } from './context';
import type { MeshService } from './service';
import type { SqlTx } from './sql';

interface EventRow {
  seq: number; type: string; peer: string | null; at: number; data: string;
}

interface EventWaiter {
  since: number;
  types: ReadonlySet<EventType> | undefined;
  limit: number;
  timer: unknown;
  /** Stops listening to the caller's abort signal. */
  unlisten: () => void;
  resolve: (r: { events: MeshEvent[]; cursor: number }) => void;
  reject: (e: Error) => void;
}

export class Events implements EventsService, MeshService {
  private readonly waiters = new Set<EventWaiter>();
  private disposed = false;
  /** How many committed events the listener has heard of (see {@link wait}). */
  private heard = 0;

  constructor(private readonly ctx: MeshContext) {
    // Committed events only: the context calls listeners after the transaction commits.
    ctx.eventListeners.add((event) => this.wakeFor(event));
  }

  read<T extends EventType = EventType>(since: number, types: readonly T[] | undefined, limit: number): Promise<{ events: Array<MeshEventOf<T>>; cursor: number }> {
    const n = clampLimit(limit);
    const from = Math.max(0, Math.floor(since));
    return this.ctx.tx(async (t) => {
      const rows = types && types.length > 0
        ? await t.db.all<EventRow>(
          'SELECT * FROM events WHERE seq > ? AND type IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?',
          [from, JSON.stringify(types), n],
        )
        : await t.db.all<EventRow>('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?', [from, n]);
      // The query kept only the asked-for types.
      const events = rows.map(toEvent) as Array<MeshEventOf<T>>;
      // A short page means every event up to lastSeq was looked at, so the cursor may skip the
      // ones the type filter left out; a full page stops at the last event returned.
      const cursor = events.length === n ? events[events.length - 1].seq : await this.lastSeqIn(t.db);
      return { events, cursor };
    });
  }

  async wait<T extends EventType = EventType>(since: number, types: readonly T[] | undefined, limit: number, waitMs: number, signal?: AbortSignal): Promise<{ events: Array<MeshEventOf<T>>; cursor: number }> {
    // Events committed between the read and the waiter being added would wake no one: read
    // again until none came in between.
    const deadline = this.ctx.clock.now() + Math.min(waitMs, limits.waitMs);
    let first: { events: Array<MeshEventOf<T>>; cursor: number };
    let heard: number;
    do {
      heard = this.heard;
      first = await this.read(since, types, limit);
      if (first.events.length > 0 || waitMs <= 0) return first;
    } while (heard !== this.heard);
    if (this.disposed) throw new BrokerError('unavailable', 'PeerMesh is shutting down');
    if (signal?.aborted) throw cancelledError();
    return new Promise((resolve, reject) => {
      const waiter: EventWaiter = {
        since, limit, reject,
        // wakeFor reads with this wait's own types, so the events are of type T.
        resolve: (r) => resolve(r as { events: Array<MeshEventOf<T>>; cursor: number }),
        types: types && types.length > 0 ? new Set(types) : undefined,
        timer: undefined,
        unlisten: () => signal?.removeEventListener('abort', onAbort),
      };
      // A caller that gave up (cancelled, or its connection closed) leaves no waiter behind.
      const onAbort = () => {
        if (this.settle(waiter)) reject(cancelledError());
      };
      waiter.timer = this.ctx.timers.setTimeout(() => {
        if (this.settle(waiter)) this.read(since, types, limit).then(resolve, reject);
      }, Math.max(0, deadline - this.ctx.clock.now()));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** How many long-polls are waiting (for tests). */
  waiting(): number {
    return this.waiters.size;
  }

  lastSeq(): Promise<number> {
    return this.ctx.tx((t) => this.lastSeqIn(t.db));
  }

  private async lastSeqIn(tx: SqlTx): Promise<number> {
    return (await tx.get<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'"))?.seq ?? 0;
  }

  async counts(tx: SqlTx): Promise<Pick<MeshCounts, 'events'>> {
    return { events: (await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM events'))?.n ?? 0 };
  }

  /** Prunes events older than the event retention, the audit trail's older than the audit retention (the mesh's sweep). */
  async sweep(t: MeshTx, now: number): Promise<{ events: number }> {
    const { eventsMs, auditMs } = this.ctx.settings.retention;
    return { events: await this.prune(t, now - eventsMs, now - auditMs) };
  }

  /**
   * Deletes events older than `before`, but those of the audit trail ({@link auditTypes}) only
   * when older than `auditBefore` (default `before`); inside a transaction. Journals nothing
   * when there are none.
   */
  async prune(t: MeshTx, before: number, auditBefore = before): Promise<number> {
    const where = 'at < ? AND (type NOT IN (SELECT value FROM json_each(?)) OR at < ?)';
    const params = [before, JSON.stringify(auditTypes), auditBefore];
    if (!(await t.db.get(`SELECT 1 AS x FROM events WHERE ${where} LIMIT 1`, params))) return 0;
    return (await t.db.run(`DELETE FROM events WHERE ${where}`, params)).changes;
  }

  audit(filter: { since: number; after: number; types?: readonly EventType[]; limit: number }): Promise<{ entries: Array<{ event: MeshEvent; peerName: string | null }>; cursor: number }> {
    const n = clampLimit(filter.limit);
    const after = Math.max(0, Math.floor(filter.after));
    const since = Math.max(0, Math.floor(filter.since));
    const types = filter.types && filter.types.length > 0 ? JSON.stringify(filter.types) : null;
    return this.ctx.tx(async (t) => {
      const rows = await t.db.all<EventRow & { peer_name: string | null }>(
        `SELECT e.*, p.name AS peer_name FROM events e LEFT JOIN peers p ON p.id = e.peer
         WHERE e.seq > ? AND e.at >= ? AND (? IS NULL OR e.type IN (SELECT value FROM json_each(?))) ORDER BY e.seq LIMIT ?`,
        [after, since, types, types, n],
      );
      const entries = rows.map((r) => {
        const event = toEvent(r);
        return { event, peerName: r.peer_name ?? nameInData(event) };
      });
      return { entries, cursor: entries.length > 0 ? entries[entries.length - 1].event.seq : after };
    });
  }

  /** Ends every pending long-poll with `unavailable`. */
  dispose(): void {
    this.disposed = true;
    for (const w of [...this.waiters]) {
      this.settle(w);
      w.reject(new BrokerError('unavailable', 'PeerMesh is shutting down'));
    }
  }

  private wakeFor(event: MeshEvent): void {
    this.heard++;
    for (const w of [...this.waiters]) {
      if (event.seq <= w.since || (w.types && !w.types.has(event.type))) continue;
      this.settle(w);
      // Read rather than hand over `event`: other events of the same commit come along.
      this.read(w.since, w.types && [...w.types], w.limit).then(w.resolve, w.reject);
    }
  }

  /** Takes `w` out of the waiters with its timer and abort listener; false if it was gone already. */
  private settle(w: EventWaiter): boolean {
    if (!this.waiters.delete(w)) return false;
    this.ctx.timers.clearTimeout(w.timer);
    w.unlisten();
    return true;
  }
}

function cancelledError(): BrokerError {
  return new BrokerError('cancelled', 'stopped waiting for events: the request was cancelled');
}

/** The audit trail: events kept for the audit retention rather than the event retention. */
export const auditTypes: readonly EventType[] = [
  'plan_proposed', 'plan_changed', 'plan_rejected', 'task_claimed', 'task_updated', 'task_released', 'contract_changed',
  'delta_pushed', 'delta_acked', 'debate_started', 'debate_turn', 'debate_changed',
  'sync_acquired', 'sync_released', 'sync_stalled',
];

/** The name the event's own payload gives its peer, for a peer the mesh has forgotten. */
function nameInData(e: MeshEvent): string | null {
  switch (e.type) {
    case 'peer_joined':
    case 'peer_left':
      return e.data.name;
    case 'peer_status':
      return e.data.name ?? null;
    case 'lock_released':
      return e.data.by ?? (e.peer === e.data.holder ? e.data.holderName : null);
    case 'lock_acquired':
    case 'lock_renewed':
    case 'lock_expired':
    case 'lock_moved':
      return e.peer === e.data.holder ? e.data.holderName : null;
    case 'task_released':
      return e.peer !== null && e.peer === e.data.previousAssignee ? e.data.previousAssigneeName : null;
    case 'plan_proposed':
    case 'plan_changed':
    case 'plan_rejected':
    case 'task_claimed':
    case 'task_updated':
    case 'contract_changed':
    case 'delta_pushed':
    case 'delta_acked':
    case 'delta_drafted':
      return e.data.byName ?? null;
    default:
      return null;
  }
}

function clampLimit(limit: number): number {
  return Number.isFinite(limit) ? Math.min(Math.max(1, Math.floor(limit)), limits.page) : 100;
}

/** The log holds only what {@link MeshContext.emit} wrote, so each row is a typed event. */
function toEvent(row: EventRow): MeshEvent {
  return { seq: row.seq, type: row.type, peer: row.peer, at: row.at, data: JSON.parse(row.data) as unknown } as MeshEvent;
}
