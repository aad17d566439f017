/**
 * `createMesh()`: the core services over one database, wired together.
 *
 * Durable truth lives only in the database; in memory are the waits (lock queue, event
 * long-polls), the listeners, recent `lastSeen` and `lastActive` times, and one wake-up timer
 * set for the next lock expiry, state expiry or end of a grace period, at which it runs
 * {@link sweep}.
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
import { MeshContext, meshDefaults, type MeshSettings } from './context';
import { Deltas } from './deltas';
import { Debates } from './debates';
import { Edits } from './edits';
import { Events } from './events';
import { nodeFiles, type FileAccess } from './files';
import { LockRequests } from './lock-requests';
import { Locks } from './locks';
import { nullLogger, type Logger } from './logger';
import { Messages } from './messages';
import { Peers } from './peers';
import { Plans } from './plan';
import type { MeshService } from './service';
import type { SqlStore, SqlTx } from './sql';
import { State } from './state';
import { SyncQueues } from './sync';
import { systemTimers, type Timers } from './timers';
import { nodeWorkspaceProbe, type WorkspaceProbe } from './workspace';

export interface MeshOptions {
  clock: Clock;
  timers?: Timers;
  logger?: Logger;
  workspace?: WorkspaceProbe;
  /** Claimed files' text and word of their changes (the real file system by default). */
  files?: FileAccess;
  /** Default lock TTL in seconds (600). */
  lockTtlSeconds?: number;
  /** How long a disconnected peer keeps its locks, in ms (15 s). */
  graceMs?: number;
  /** How long a connected peer shows as working after a call of its own, in ms (60 s). */
  workingWindowMs?: number;
  /** How long read messages (24 h), events (48 h) and the audit trail (30 days) are kept, in ms. */
  retention?: { messagesMs?: number; eventsMs?: number; auditMs?: number };
  /** Rounds a debate gets (5) and how long an open one waits for a turn before it escalates, in ms (15 min). */
  debate?: { maxRounds?: number; idleMs?: number };
  /** How long a release request waits for the holder's answer before it escalates to the person, in ms (2 min). */
  lockRequestEscalateMs?: number;
  /** Random hex for peer ids (`p-` + this); 8 hex digits by default. */
  newId?: () => string;
}


export class MeshCore implements Mesh {
  readonly peers: Peers;
  readonly messages: Messages;
  readonly state: State;
  readonly locks: Locks;
  readonly events: Events;
  readonly edits: Edits;
  readonly plans: Plans;
  readonly deltas: Deltas;
  readonly debates: Debates;
  readonly sync: SyncQueues;
  readonly lockRequests: LockRequests;
  private readonly ctx: MeshContext;
  private readonly services: MeshService[];
  private wakeTimer: unknown;
  private wakeAt: number | null = null;
  private disposed = false;

  constructor(db: SqlStore, opts: MeshOptions) {
    const settings: MeshSettings = {
      lockTtlSeconds: opts.lockTtlSeconds ?? meshDefaults.lockTtlSeconds,
      graceMs: opts.graceMs ?? meshDefaults.graceMs,
      workingWindowMs: opts.workingWindowMs ?? meshDefaults.workingWindowMs,
      retention: {
        messagesMs: opts.retention?.messagesMs ?? meshDefaults.retention.messagesMs,
        eventsMs: opts.retention?.eventsMs ?? meshDefaults.retention.eventsMs,
        auditMs: opts.retention?.auditMs ?? meshDefaults.retention.auditMs,
      },
      debate: {
        maxRounds: opts.debate?.maxRounds ?? meshDefaults.debate.maxRounds,
        idleMs: opts.debate?.idleMs ?? meshDefaults.debate.idleMs,
      },
      lockRequestEscalateMs: opts.lockRequestEscalateMs ?? meshDefaults.lockRequestEscalateMs,
    };
    const newId = opts.newId ?? (() => crypto.randomBytes(4).toString('hex'));
    this.ctx = new MeshContext(db, opts.clock, opts.timers ?? systemTimers, opts.logger ?? nullLogger,
      opts.workspace ?? nodeWorkspaceProbe, settings, newId);
    this.events = new Events(this.ctx);
    this.peers = new Peers(this.ctx);
    this.state = new State(this.ctx);
    this.messages = new Messages(this.ctx, this.peers, this.state);
    const files = opts.files ?? nodeFiles;
    this.locks = new Locks(this.ctx, this.peers, this.messages, files);
    this.edits = new Edits(this.ctx, this.peers, files);
    this.plans = new Plans(this.ctx, this.peers);
    this.deltas = new Deltas(this.ctx, this.peers);
    this.debates = new Debates(this.ctx, this.peers);
    this.sync = new SyncQueues(this.ctx, this.peers);
    // The order is the sweep's: a timed-out peer's expired locks are reported (lock_expired)
    // before it leaves (peer_left), and its tasks and landing tokens are freed after
    // (task_released, sync_released); retention after.
    this.services = [this.locks, this.state, this.peers, this.plans, this.sync, this.deltas, this.events, this.messages];
    this.services.push(this.debates);
    this.lockRequests = new LockRequests(this.ctx, this.peers, this.locks);
    this.services.push(this.lockRequests);
    // Read in the transaction that changed what falls due; the timer is set once it commits.
    this.ctx.onEveryCommit(async (tx) => {
      const due = await this.dueAt(tx);
      return () => this.setWake(due);
    });
    void this.scheduleWake();
  }

  /**
   * Adds a service after the mesh's own: it is swept, woken for, counted and disposed with
   * them. (The built-in services are listed in the constructor.)
   */
  addService(service: MeshService): void {
    this.services.push(service);
    void this.scheduleWake();
  }

  /** Each count comes from the one service that keeps it (mesh.test checks they are all there). */
  counts(): Promise<MeshCounts> {
    const now = this.ctx.clock.now();
    return this.ctx.tx(async (t) => {
      const counts: Partial<MeshCounts> = {};
      for (const s of this.services) Object.assign(counts, await s.counts(t.db, now));
      return counts as MeshCounts;
    });
  }

  /**
   * In one transaction, each service in turn: expires locks and state, ends the grace period
   * of peers that did not come back, and prunes old events, messages (see
   * {@link Messages.prune}) and gone peers.
   */
  async sweep(): Promise<void> {
    const now = this.ctx.clock.now();
    const done = await this.ctx.tx(async (t) => {
      const removed: Record<string, number> = {};
      for (const s of this.services) Object.assign(removed, await s.sweep(t, now));
      return removed;
    });
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

  /** The next moment something of a service falls due (a lock, a state entry, a grace period ends). */
  private async dueAt(tx: SqlTx): Promise<number | null> {
    let due: number | null = null;
    for (const s of this.services) {
      const t = (await s.nextExpiry?.(tx)) ?? null;
      if (t !== null && (due === null || t < due)) due = t;
    }
    return due;
  }

  /** Reads when the next thing falls due, in a transaction of its own, and sets the timer for it. */
  private async scheduleWake(notBeforeMs = 0): Promise<void> {
    if (this.disposed) return;
    try {
      await this.ctx.tx(async (t) => {
        const due = await this.dueAt(t.db);
        t.whenCommitted('mesh.wake', () => this.setWake(due, notBeforeMs));
      });
    } catch (e) {
      this.ctx.log.error(e instanceof Error ? e : String(e));
    }
  }

  /** Sets the one wake-up timer to `due`, but not sooner than `notBeforeMs` from now. */
  private setWake(due: number | null, notBeforeMs = 0): void {
    if (this.disposed) return;
    if (due === this.wakeAt) return;
    this.ctx.timers.clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeAt = due;
    if (due === null) return;
    this.wakeTimer = this.ctx.timers.setTimeout(() => void this.wake(), Math.max(notBeforeMs, due - this.ctx.clock.now()));
  }

  private async wake(): Promise<void> {
    this.wakeTimer = undefined;
    this.wakeAt = null;
    let failed = false;
    try {
      await this.sweep();
    } catch (e) {
      failed = true;
      // A full disk is reported where it happens (the journal); a postponed sweep is routine.
      if (BrokerError.is(e, 'diskFull')) this.ctx.log.debug(`sweep postponed: ${e.message}`);
      else this.ctx.log.error(e instanceof Error ? e : String(e));
    }
    // Always set the next one: a sweep that found nothing due yet (a timer firing a moment
    // early) commits no event, so no commit hook would. A sweep that failed (the disk is
    // full, say) leaves the same work due: try again in a second, not at once.
    await this.scheduleWake(failed ? 1000 : 0);
  }
}

/** The mesh over `db` (already migrated). A second mesh over the same data sees the same mesh. */
export function createMesh(db: SqlStore, opts: MeshOptions): MeshCore {
  return new MeshCore(db, opts);
}
