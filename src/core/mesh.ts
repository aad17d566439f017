/**
 * `createMesh()`: the core services over one database, wired together.
 *
 * Durable truth lives only in the database; in memory are the waits (lock queue, event
 * long-polls), the listeners, recent `lastSeen` times, and one wake-up timer set for the
 * next lock expiry, state expiry or end of a grace period, at which it runs {@link sweep}.
 * The broker should also call `sweep()` now and then (say every 30 s) for retention.
 *
 * The mesh names each service once, in its list of {@link MeshService}s: sweep, wake-ups,
 * counts and dispose loop over that list.
 */
import crypto from 'node:crypto';
import type { Message, MeshEvent } from '../protocol/entities';
import { BrokerError } from '../protocol/errors';
import type { Mesh, MeshCounts } from './api';
import type { Clock } from './clock';
import { MeshContext, type MeshSettings } from './context';
import { Events } from './events';
import { Locks } from './locks';
import { nullLogger, type Logger } from './logger';
import { Messages } from './messages';
import { Peers } from './peers';
import type { MeshService } from './service';
import type { SqlDb } from './sql';
import { State } from './state';
import { systemTimers, type Timers } from './timers';
import { nodeWorkspaceProbe, type WorkspaceProbe } from './workspace';

export interface MeshOptions {
  clock: Clock;
  timers?: Timers;
  logger?: Logger;
  workspace?: WorkspaceProbe;
  /** Default lock TTL in seconds (600). */
  lockTtlSeconds?: number;
  /** How long a disconnected peer keeps its locks, in ms (15 s). */
  graceMs?: number;
  /** Idle time after which a connected peer shows as away, in ms (5 min). */
  awayAfterMs?: number;
  /** How long read messages (24 h) and events (48 h) are kept, in ms. */
  retention?: { messagesMs?: number; eventsMs?: number };
  /** Random hex for peer ids (`p-` + this); 8 hex digits by default. */
  newId?: () => string;
}

export const meshDefaults = {
  lockTtlSeconds: 600,
  graceMs: 15_000,
  awayAfterMs: 5 * 60_000,
  retention: { messagesMs: 24 * 3600_000, eventsMs: 48 * 3600_000 },
} as const satisfies MeshSettings;

export class MeshCore implements Mesh {
  readonly peers: Peers;
  readonly messages: Messages;
  readonly state: State;
  readonly locks: Locks;
  readonly events: Events;
  private readonly ctx: MeshContext;
  private readonly services: MeshService[];
  private wakeTimer: unknown;
  private wakeAt: number | null = null;
  private disposed = false;

  constructor(db: SqlDb, opts: MeshOptions) {
    const settings: MeshSettings = {
      lockTtlSeconds: opts.lockTtlSeconds ?? meshDefaults.lockTtlSeconds,
      graceMs: opts.graceMs ?? meshDefaults.graceMs,
      awayAfterMs: opts.awayAfterMs ?? meshDefaults.awayAfterMs,
      retention: {
        messagesMs: opts.retention?.messagesMs ?? meshDefaults.retention.messagesMs,
        eventsMs: opts.retention?.eventsMs ?? meshDefaults.retention.eventsMs,
      },
    };
    const newId = opts.newId ?? (() => crypto.randomBytes(4).toString('hex'));
    this.ctx = new MeshContext(db, opts.clock, opts.timers ?? systemTimers, opts.logger ?? nullLogger,
      opts.workspace ?? nodeWorkspaceProbe, settings, newId);
    this.events = new Events(this.ctx);
    this.peers = new Peers(this.ctx);
    this.state = new State(this.ctx);
    this.messages = new Messages(this.ctx, this.peers, this.state);
    this.locks = new Locks(this.ctx, this.peers);
    // The order is the sweep's: a timed-out peer's expired locks are reported (lock_expired)
    // before it leaves (peer_left); retention after.
    this.services = [this.locks, this.state, this.peers, this.events, this.messages];
    this.ctx.onEveryCommit(() => this.scheduleWake());
    this.scheduleWake();
  }

  /**
   * Adds a service after the mesh's own: it is swept, woken for, counted and disposed with
   * them. (The built-in services are listed in the constructor.)
   */
  addService(service: MeshService): void {
    this.services.push(service);
    this.scheduleWake();
  }

  /** Each count comes from the one service that keeps it (mesh.test checks they are all there). */
  counts(): MeshCounts {
    const now = this.ctx.clock.now();
    return Object.assign({}, ...this.services.map((s) => s.counts(now))) as MeshCounts;
  }

  /**
   * In one transaction, each service in turn: expires locks and state, ends the grace period
   * of peers that did not come back, and prunes old events, messages (see
   * {@link Messages.prune}) and gone peers.
   */
  sweep(): void {
    const now = this.ctx.clock.now();
    const done: Record<string, number> = this.ctx.tx(() => Object.assign({}, ...this.services.map((s) => s.sweep(now))));
    if (Object.values(done).some((n) => n > 0)) this.ctx.log.debug(`sweep: ${JSON.stringify(done)}`);
  }

  onEvent(listener: (event: MeshEvent) => void): () => void {
    this.ctx.eventListeners.add(listener);
    return () => this.ctx.eventListeners.delete(listener);
  }

  onMessage(listener: (message: Message) => void): () => void {
    this.ctx.messageListeners.add(listener);
    return () => this.ctx.messageListeners.delete(listener);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.ctx.timers.clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    for (const service of this.services) service.dispose?.();
    this.ctx.messageListeners.clear();
    this.ctx.eventListeners.clear();
  }

  /**
   * Sets the one wake-up timer to the next moment something of a service falls due (a lock, a
   * state entry, a grace period ends), but not sooner than `notBeforeMs` from now.
   */
  private scheduleWake(notBeforeMs = 0): void {
    if (this.disposed) return;
    const due = this.services.map((s) => s.nextExpiry?.() ?? null)
      .filter((t): t is number => t !== null)
      .reduce<number | null>((a, b) => (a === null ? b : Math.min(a, b)), null);
    if (due === this.wakeAt) return;
    this.ctx.timers.clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeAt = due;
    if (due === null) return;
    this.wakeTimer = this.ctx.timers.setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeAt = null;
      let failed = false;
      try {
        this.sweep();
      } catch (e) {
        failed = true;
        // A full disk is reported where it happens (the journal); a postponed sweep is routine.
        if (BrokerError.is(e, 'diskFull')) this.ctx.log.debug(`sweep postponed: ${e.message}`);
        else this.ctx.log.error(e instanceof Error ? e : String(e));
      }
      // Always set the next one: a sweep that found nothing due yet (a timer firing a moment
      // early) commits no event, so no commit hook would. A sweep that failed (the disk is
      // full, say) leaves the same work due: try again in a second, not at once.
      this.scheduleWake(failed ? 1000 : 0);
    }, Math.max(notBeforeMs, due - this.ctx.clock.now()));
  }
}

/** The mesh over `db` (already migrated). A second mesh over the same data sees the same mesh. */
export function createMesh(db: SqlDb, opts: MeshOptions): MeshCore {
  return new MeshCore(db, opts);
}
