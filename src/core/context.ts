/**
 * What every service shares: the store, the clock, settings, and the transaction helper
 * that appends events and tells listeners about them only once the transaction commits.
 */
import type { EventData, EventType, Message, MeshEvent } from '../protocol/entities';
import type { Clock } from './clock';
import type { Logger } from './logger';
import type { SqlStore, SqlTx } from './sql';
import type { Timers } from './timers';
import type { WorkspaceProbe } from './workspace';

export interface MeshSettings {
  /** Default lock TTL, in seconds. */
  lockTtlSeconds: number;
  /** How long a disconnected peer keeps its locks before it is marked gone, in ms. */
  graceMs: number;
  /** A connected peer shows as working for this long after a call of its own, in ms. */
  workingWindowMs: number;
  /**
   * How long read messages and events are kept, in ms; the audit trail (plan, task, contract,
   * delta, debate and landing events) is kept for `auditMs` instead, as are decided plan
   * proposals, deltas and settled debates.
   */
  retention: { messagesMs: number; eventsMs: number; auditMs: number };
  /**
   * Debates: how many rounds one gets before it escalates (a debate may say otherwise), and
   * how long an open one waits for a turn before it escalates, in ms. Decided and resolved
   * debates are audit: kept for `retention.auditMs`.
   */
  debate: { maxRounds: number; idleMs: number };
  /** How long a release request waits for the holder's answer before it escalates to the person, in ms. */
  lockRequestEscalateMs: number;
}

/** The settings a mesh has unless told otherwise (also the CLI's `serve --help` defaults). */
export const meshDefaults = {
  lockTtlSeconds: 600,
  graceMs: 15_000,
  workingWindowMs: 60_000,
  retention: { messagesMs: 24 * 3600_000, eventsMs: 48 * 3600_000, auditMs: 30 * 24 * 3600_000 },
  debate: { maxRounds: 5, idleMs: 15 * 60_000 },
  lockRequestEscalateMs: 2 * 60_000,
} as const satisfies MeshSettings;

/**
 * The arguments of {@link MeshContext.emit}: an event type, the peer that caused it, and that
 * type's payload. A union of one tuple per type, so a `type` that could be either of two
 * types does not pass with one type's payload.
 */
export type EmitArgs = { [T in EventType]: [type: T, peer: string | null, data: EventData<T>] }[EventType];

/**
 * One transaction as the services see it: its statements ({@link db}) and the events,
 * messages and hooks it queues for after the commit. Handed down to every helper that takes
 * part in the transaction; useless once it has settled.
 */
export class MeshTx {
  readonly events: MeshEvent[] = [];
  readonly messages: Message[] = [];
  readonly afterCommit = new Map<string, () => void>();

  constructor(readonly db: SqlTx, private readonly clock: Clock) {}

  /** Appends an event. `data` must be the payload of `type`. */
  async emit(...[type, peer, data]: EmitArgs): Promise<MeshEvent> {
    const at = this.clock.now();
    const { lastInsertRowid } = await this.db.run(
      'INSERT INTO events (type, peer, at, data) VALUES (?, ?, ?, ?)',
      [type, peer, at, JSON.stringify(data)],
    );
    // The arguments were checked together; TypeScript cannot see that through the destructuring.
    const event = { seq: lastInsertRowid, type, peer, at, data } as MeshEvent;
    this.events.push(event);
    return event;
  }

  /** Queues a stored message for the `onMessage` listeners. */
  messageStored(message: Message): void {
    this.messages.push(message);
  }

  /** Runs `fn` once after this transaction commits (one per `key`). */
  whenCommitted(key: string, fn: () => void): void {
    this.afterCommit.set(key, fn);
  }
}

/**
 * Runs inside every transaction that appended an event, just before it commits, and returns
 * what to do once it has (the wake-up timer reads when the next thing falls due here, so it
 * sees the transaction's own writes without a transaction of its own).
 */
export type CommitHook = (tx: SqlTx) => Promise<() => void>;

export class MeshContext {
  private readonly commitHooks: CommitHook[] = [];
  readonly eventListeners = new Set<(event: MeshEvent) => void>();
  readonly messageListeners = new Set<(message: Message) => void>();

  constructor(
    readonly store: SqlStore,
    readonly clock: Clock,
    readonly timers: Timers,
    readonly log: Logger,
    readonly probe: WorkspaceProbe,
    readonly settings: MeshSettings,
    readonly newId: () => string,
  ) {}

  /**
   * Runs `fn` in one database transaction (reads too: one rule, one transaction). Events and
   * messages it stores are handed to listeners, and the hooks it queued run, only after it
   * commits; if `fn` rejects, they are dropped with the rolled-back writes. Never call it from
   * inside `fn`: pass the {@link MeshTx} down.
   */
  tx<T>(fn: (tx: MeshTx) => Promise<T>): Promise<T> {
    return this.store.transaction(async (db) => {
      const mtx = new MeshTx(db, this.clock);
      const value = await fn(mtx);
      const after: Array<() => void> = [];
      // Every change appends an event, so a transaction without one changed nothing the
      // every-commit hooks (the wake-up timer) care about: skip them on read-only attempts.
      if (mtx.events.length > 0) {
        for (const hook of this.commitHooks) {
          try {
            after.push(await hook(db));
          } catch (e) {
            this.log.error(e instanceof Error ? e : String(e));
          }
        }
      }
      if (mtx.events.length > 0 || mtx.messages.length > 0 || mtx.afterCommit.size > 0) db.afterCommit(() => this.flush(mtx, after));
      return value;
    });
  }

  /** Adds a hook run in every transaction that appended an event; see {@link CommitHook}. */
  onEveryCommit(hook: CommitHook): void {
    this.commitHooks.push(hook);
  }

  private flush(tx: MeshTx, after: Array<() => void>): void {
    // Listeners may write again (a new transaction); whatever that queues is flushed by it.
    for (const event of tx.events) this.notify(this.eventListeners, event);
    for (const message of tx.messages) this.notify(this.messageListeners, message);
    for (const hook of tx.afterCommit.values()) this.guard(hook);
    for (const hook of after) this.guard(hook);
  }

  private notify<T>(listeners: Set<(v: T) => void>, value: T): void {
    for (const listener of [...listeners]) this.guard(() => listener(value));
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.log.error(e instanceof Error ? e : String(e));
    }
  }
}
