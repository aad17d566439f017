/**
 * What every service shares: the database, the clock, settings, and the transaction helper
 * that appends events and tells listeners about them only once the transaction commits.
 */
import type { EventData, EventType, Message, MeshEvent } from '../protocol/entities';
import type { Clock } from './clock';
import type { Logger } from './logger';
import type { SqlDb } from './sql';
import type { Timers } from './timers';
import type { WorkspaceProbe } from './workspace';

export interface MeshSettings {
  /** Default lock TTL, in seconds. */
  lockTtlSeconds: number;
  /** How long a disconnected peer keeps its locks before it is marked gone, in ms. */
  graceMs: number;
  /** A connected peer with no activity for this long shows as away, in ms. */
  awayAfterMs: number;
  retention: { messagesMs: number; eventsMs: number };
}

/**
 * The arguments of {@link MeshContext.emit}: an event type, the peer that caused it, and that
 * type's payload. A union of one tuple per type, so a `type` that could be either of two
 * types does not pass with one type's payload.
 */
export type EmitArgs = { [T in EventType]: [type: T, peer: string | null, data: EventData<T>] }[EventType];

export class MeshContext {
  private depth = 0;
  private pendingEvents: MeshEvent[] = [];
  private pendingMessages: Message[] = [];
  private readonly afterCommit = new Map<string, () => void>();
  private readonly commitHooks: Array<() => void> = [];
  readonly eventListeners = new Set<(event: MeshEvent) => void>();
  readonly messageListeners = new Set<(message: Message) => void>();

  constructor(
    readonly db: SqlDb,
    readonly clock: Clock,
    readonly timers: Timers,
    readonly log: Logger,
    readonly probe: WorkspaceProbe,
    readonly settings: MeshSettings,
    readonly newId: () => string,
  ) {}

  /**
   * Runs `fn` in one database transaction. Events and messages it stores are handed to
   * listeners, and the hooks it queued run, only after the outermost transaction commits;
   * if `fn` throws, they are dropped with the rolled-back writes.
   */
  tx<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.depth = 1;
    let result: T;
    try {
      result = this.db.transaction(fn);
    } catch (e) {
      this.pendingEvents = [];
      this.pendingMessages = [];
      this.afterCommit.clear();
      throw e;
    } finally {
      this.depth = 0;
    }
    this.flush();
    return result;
  }

  /** Appends an event; must be called inside {@link tx}. `data` must be the payload of `type`. */
  emit(...[type, peer, data]: EmitArgs): MeshEvent {
    this.assertInTx();
    const at = this.clock.now();
    const { lastInsertRowid } = this.db.run(
      'INSERT INTO events (type, peer, at, data) VALUES (?, ?, ?, ?)',
      [type, peer, at, JSON.stringify(data)],
    );
    // The arguments were checked together; TypeScript cannot see that through the destructuring.
    const event = { seq: lastInsertRowid, type, peer, at, data } as MeshEvent;
    this.pendingEvents.push(event);
    return event;
  }

  /** Queues a stored message for the `onMessage` listeners; must be called inside {@link tx}. */
  messageStored(message: Message): void {
    this.assertInTx();
    this.pendingMessages.push(message);
  }

  /** Runs `fn` once after the current transaction commits (one per `key` per transaction). */
  whenCommitted(key: string, fn: () => void): void {
    this.assertInTx();
    this.afterCommit.set(key, fn);
  }

  /** Runs `fn` after every committed transaction, once its events are delivered. */
  onEveryCommit(fn: () => void): void {
    this.commitHooks.push(fn);
  }

  private assertInTx(): void {
    if (this.depth === 0) throw new Error('internal: mesh write outside a transaction');
  }

  private flush(): void {
    // Listeners may write again (a new transaction); whatever that queues is flushed by it.
    const events = this.pendingEvents;
    const messages = this.pendingMessages;
    const hooks = [...this.afterCommit.values()];
    this.pendingEvents = [];
    this.pendingMessages = [];
    this.afterCommit.clear();
    for (const event of events) this.notify(this.eventListeners, event);
    for (const message of messages) this.notify(this.messageListeners, message);
    for (const hook of hooks) this.guard(hook);
    // Every change appends an event, so a transaction without one changed nothing the
    // every-commit hooks (the wake-up timer) care about: skip them on read-only attempts.
    if (events.length > 0) for (const hook of this.commitHooks) this.guard(hook);
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
