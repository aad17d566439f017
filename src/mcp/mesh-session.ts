/**
 * What one MCP session keeps track of between tool calls: the peer client (connected lazily),
 * the messages behind each result's "pending" news (queued: not yet shown; unread), the tasks
 * of the shared plan it holds, peer names for rendering, and the event cursor. Broker pushes
 * (`push/message`, `push/event`) drive it; after a fail-over it catches up from the event log
 * since the last event it saw before the loss.
 */
import type { Logger } from '../core/logger';
import type { ConnectionState, RequestOptions } from '../client/peer';
import type { EventData, MeshEvent, Message, MessageKind, Peer } from '../protocol/entities';
import type { RequestMethod, RequestParams, RequestResult } from '../protocol/methods';
import { eventTopics, meshTopics, type MeshTopic } from '../protocol/topics';
import { newsBudget, newsMax, noNews, toNews, type News } from '../core/news';
import { CoordinationFeed } from './coordination-feed';
import { TaskNews } from './task-news';

/** The part of a {@link PeerClient} the MCP server uses (a PeerClient is one). */
export interface MeshClient {
  readonly peer: Peer;
  readonly connectionState: ConnectionState;
  /** Set when this process hosts the broker. */
  readonly hostedBroker?: unknown;
  request<M extends RequestMethod>(method: M, params: RequestParams<M>, options?: RequestOptions): Promise<RequestResult<M>>;
  onMessage(listener: (message: Message) => void): () => void;
  onEvent(listener: (event: MeshEvent) => void): () => void;
  onStateChange(listener: (state: ConnectionState) => void): () => void;
}

/** What the MCP handshake told about the agent: who it is, and its workspace folders. */
export interface AgentInfo {
  /** The MCP client's `clientInfo`, e.g. `{ name: 'claude-code', version: '2.0.1' }`. */
  clientInfo?: { name: string; version?: string; title?: string };
  /** Absolute paths of the client's file roots, if it shares them. */
  roots: string[];
}

/**
 * A connected client, or a function that connects one. The server calls it once the MCP
 * handshake is done, so the peer can be named after the agent.
 */
export type ClientSource = MeshClient | ((agent: AgentInfo) => Promise<MeshClient>);

/** How many handled message ids are remembered (so a late event does not count them again). */
const handledMemory = 500;

export class MeshSession {
  private connecting: Promise<MeshClient> | undefined;
  private current: MeshClient | undefined;
  /** Unread messages to this peer, by id. */
  private readonly unread = new Map<number, MessageKind>();
  /** Messages to this peer that no result has carried yet (queued at the broker). */
  private readonly queued = new Set<number>();
  /** Some may be queued that this session has not heard of (it just joined or came back). */
  private maybeQueued = true;
  private readonly handled = new Set<number>();
  private readonly names = new Map<string, string>();
  private readonly recent = new Map<number, Message>();
  private lastSeq = 0;
  private readonly changeListeners = new Set<(r: MeshTopic) => void>();
  private readonly messageListeners = new Set<(m: Message) => void>();
  /** Where `mesh_events` goes on when called without `since`. */
  eventsCursor: number | undefined;
  /** The plan's part of the news: the tasks this peer holds and those newly given to it. */
  private readonly tasks: TaskNews;
  /** Deltas, debates and landing tokens: blocking deltas and held tokens until settled, the rest once. */
  private readonly coordination: CoordinationFeed;

  constructor(
    private readonly source: ClientSource,
    private readonly agent: () => Promise<AgentInfo>,
    private readonly log: Logger,
  ) {
    this.tasks = new TaskNews(log, (id) => this.peerName(id));
    this.coordination = new CoordinationFeed(log);
  }

  /** The connected client; connects on first use, and tries again after a failed attempt. */
  client(): Promise<MeshClient> {
    const source = this.source;
    this.connecting ??= (typeof source === 'function' ? this.agent().then(source) : Promise.resolve(source)).then(
      async (c) => {
        await this.attach(c);
        return c;
      },
      (e: unknown) => {
        this.connecting = undefined;
        throw e;
      },
    );
    return this.connecting;
  }

  /** The client if it is connected already (never waits). */
  get connected(): MeshClient | undefined {
    return this.current;
  }

  onChange(listener: (r: MeshTopic) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onNewMessage(listener: (m: Message) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /**
   * Starts watching for the next message to this peer: `arrived` resolves true when one comes
   * within `ms`, false when the time is up, `signal` aborts (the call was cancelled, or the
   * agent went away) or `cancel` is called. Start it before looking, so a message that lands
   * in between is not missed.
   */
  watchForMessage(ms: number, signal?: AbortSignal): { arrived: Promise<boolean>; cancel(): void } {
    let finish: (v: boolean) => void = () => undefined;
    const arrived = new Promise<boolean>((resolve) => (finish = resolve));
    const timer = setTimeout(() => done(false), ms);
    const off = this.onNewMessage(() => done(true));
    const onAbort = () => done(false);
    const done = (v: boolean) => {
      clearTimeout(timer);
      off();
      signal?.removeEventListener('abort', onAbort);
      finish(v);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) done(false);
    return { arrived, cancel: () => done(false) };
  }

  peerName(id: string): string {
    return this.names.get(id) ?? id;
  }

  rememberPeers(peers: readonly Peer[]): void {
    for (const p of peers) this.names.set(p.id, p.name);
  }

  /** A message seen by this session (pushed or listed), if still remembered. */
  message(id: number): Message | undefined {
    return this.recent.get(id);
  }

  rememberMessages(messages: readonly Message[]): void {
    for (const m of messages) this.remember(m);
  }

  get unreadCount(): number {
    return this.unread.size;
  }

  /** Messages the agent has now seen, read, claimed or acked: no longer pending. */
  markHandled(ids: readonly number[]): void {
    for (const id of ids) {
      this.unread.delete(id);
      this.handled.add(id);
    }
    for (const id of this.handled) {
      if (this.handled.size <= handledMemory) break;
      this.handled.delete(id);
    }
  }

  /** The unread ids counted now: take this before asking the broker, for {@link syncUnread}. */
  unreadIds(): ReadonlySet<number> {
    return new Set(this.unread.keys());
  }

  /**
   * The broker's full list of unread messages replaces what this session counted when it asked
   * (`countedBefore`); a message pushed while the answer was on its way is kept.
   */
  syncUnread(messages: readonly Message[], countedBefore: ReadonlySet<number>): void {
    const listed = new Set(messages.map((m) => m.id));
    for (const id of countedBefore) if (!listed.has(id)) this.unread.delete(id);
    for (const m of messages) if (m.state === 'queued' || m.state === 'delivered') this.unread.set(m.id, m.kind);
  }

  /**
   * The news for the next tool result: messages to this peer that nothing has put in front of
   * the model yet, fetched (and so marked delivered) only when some are known to wait. A
   * failure to fetch leaves them waiting for the next result; it never fails the tool call.
   */
  async news(c: MeshClient): Promise<News> {
    const [news, tasks, coordination] = await Promise.all([this.messageNews(c), this.tasks.news(c), this.coordination.news(c)]);
    return { ...news, ...(tasks && { tasks }), ...(coordination && { coordination }) };
  }

  private async messageNews(c: MeshClient): Promise<News> {
    if (this.queued.size === 0 && !this.maybeQueued) return { ...noNews, unread: this.unread.size };
    const asked = new Set(this.queued);
    try {
      const r = await c.request('messages/deliver', { budget: newsBudget, max: newsMax });
      for (const id of asked) this.queued.delete(id);
      this.maybeQueued = r.more > 0;
      for (const m of r.messages) {
        if (!this.handled.has(m.id)) this.unread.set(m.id, m.kind);
        this.names.set(m.from, m.fromName);
      }
      this.rememberMessages(r.messages.filter((m) => !m.truncated));
      const news = toNews(r);
      return { ...news, unread: Math.max(news.unread, this.unread.size) };
    } catch (e) {
      this.log.warn(`could not fetch the news for a tool result: ${(e as Error).message}`);
      return { ...noNews, more: this.queued.size, unread: this.unread.size };
    }
  }

  /** This peer changed a task itself: its tasks are asked again for the next result. */
  tasksChanged(): void {
    this.tasks.changed();
  }

  /** This peer pushed or acked a delta, took a debate turn, or took or gave a landing token: asked again for the next result. */
  coordinationChanged(): void {
    this.coordination.changed();
  }

  /** This peer took, released or renewed claims: one whose code was gone may be settled. */
  claimsChanged(): void {
    this.coordination.claimsChanged();
  }

  /** Messages the model has just been shown another way (its inbox listing): not news any more. */
  delivered(ids: readonly number[]): void {
    for (const id of ids) this.queued.delete(id);
  }

  private async attach(c: MeshClient): Promise<void> {
    this.current = c;
    this.names.set(c.peer.id, c.peer.name);
    c.onMessage((m) => this.onMessage(m));
    c.onEvent((e) => this.onEvent(e));
    let lost = false;
    let lostAfter = 0;
    c.onStateChange((s) => {
      if (s === 'reconnecting' && !lost) {
        lost = true;
        lostAfter = this.lastSeq;
      }
      if (s === 'connected' && lost) {
        lost = false;
        this.maybeQueued = true;
        this.tasks.changed();
        this.coordination.changed();
        void this.catchUp(c, lostAfter);
      }
    });
    try {
      // Bookkeeping of this session, not a call of the agent's: it does not show the peer working.
      const [status, { peers }] = await Promise.all([
        c.request('status/get', {}, { background: true }),
        c.request('peers/list', { scope: 'machine', includeGone: true }, { background: true }),
      ]);
      this.lastSeq = Math.max(this.lastSeq, status.lastEventSeq);
      this.rememberPeers(peers);
    } catch (e) {
      this.log.warn(`could not read the mesh state after joining: ${(e as Error).message}`);
    }
  }

  /**
   * After a reconnect or fail-over: replay the events since the last one seen before the loss.
   * Pushes from the new broker may already have moved `lastSeq` past events this read returns,
   * so each is applied regardless (applying is idempotent).
   */
  private async catchUp(c: MeshClient, since: number): Promise<void> {
    try {
      for (let page = 0; page < 10; page++) {
        const { events, cursor } = await c.request('events/read', { since, limit: 500 }, { background: true });
        for (const e of events) this.apply(e);
        this.lastSeq = Math.max(this.lastSeq, cursor);
        if (events.length < 500 || cursor <= since) break;
        since = cursor;
      }
    } catch (e) {
      this.log.warn(`could not catch up on mesh events after reconnecting: ${(e as Error).message}`);
    }
    for (const r of meshTopics) this.changed(r);
  }

  private remember(m: Message): void {
    this.recent.delete(m.id);
    this.recent.set(m.id, m);
    if (this.recent.size > 200) this.recent.delete(this.recent.keys().next().value as number);
  }

  private onMessage(m: Message): void {
    const me = this.current?.peer.id;
    if (m.to !== me) return;
    this.remember(m);
    this.names.set(m.from, m.fromName);
    if (!this.handled.has(m.id) && (m.state === 'queued' || m.state === 'delivered')) this.unread.set(m.id, m.kind);
    if (m.state === 'queued') this.queued.add(m.id);
    for (const l of this.messageListeners) l(m);
    this.changed('inbox');
  }

  private onEvent(e: MeshEvent): void {
    if (e.seq <= this.lastSeq) return;
    this.lastSeq = e.seq;
    this.apply(e);
  }

  /** What an event means for this session; safe to apply twice. */
  private apply(e: MeshEvent): void {
    // Peer events carry the peer's name (a rename, its new one).
    if (e.peer && 'name' in e.data && e.data.name !== undefined) this.names.set(e.peer, e.data.name);
    // Every message is announced to all; only a new one to this peer changes its inbox.
    if (e.type === 'message_sent' && !this.countUnread(e.data)) return;
    this.tasks.apply(e, this.current?.peer.id);
    this.coordination.apply(e, this.current?.peer.id);
    for (const topic of eventTopics[e.type]) this.changed(topic);
  }

  /** Counts a sent message as unread if it is to this peer and not known yet; true if it was. */
  private countUnread(m: EventData<'message_sent'>): boolean {
    if (m.to !== this.current?.peer.id || this.handled.has(m.id) || this.unread.has(m.id)) return false;
    this.unread.set(m.id, m.kind);
    this.queued.add(m.id);
    return true;
  }

  private changed(r: MeshTopic): void {
    for (const l of this.changeListeners) l(r);
  }
}
