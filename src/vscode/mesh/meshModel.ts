/**
 * The one owner of what the window knows about the mesh (STYLE.md §11): the peers, the locks,
 * and the messages sent to the person. The trees, the status bar, the editor decorations, the
 * explorer badges, the save guard and the dashboard all read these lists and subscribe to their
 * changes; none of them asks the broker for lists of its own.
 *
 * The lists are fetched whole when the window joins (or rejoins after a fail-over) and again
 * shortly after any pushed event that changes them. Events come in bursts (an agent joining,
 * claiming three files and setting its summary), so refreshes are debounced and each list is
 * fetched once per burst. Messages arrive pushed, one by one.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { Lock, Message, MeshEvent, Peer, Scope } from '../../protocol/entities';
import { eventTopics, type MeshTopic } from '../../protocol/topics';
import type { Config } from '../config';
import { Disposable } from '../dispose';
import { livenessOf } from '../peerLook';
import { debounceMs } from '../timing';
import type { MeshConnection } from './meshConnection';

/** The items of one list. The model replaces them wholesale; its views redraw. */
export class ListModel<T> extends Disposable {
  private current: readonly T[] = [];
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changeEmitter.event;

  get items(): readonly T[] {
    return this.current;
  }

  replace(items: readonly T[]): void {
    this.current = items;
    this.changeEmitter.fire();
  }
}

/** The topics the fetched lists show; events of other topics (the inbox) do not refresh them. */
type ListName = Extract<MeshTopic, 'peers' | 'locks'>;

function isList(topic: MeshTopic): topic is ListName {
  return topic === 'peers' || topic === 'locks';
}

/**
 * How often the peers are fetched while nothing happens: a peer goes from working to idle by
 * the clock alone, which no event announces.
 */
const peersRefreshMs = 30_000;
/** How many messages the window keeps (the newest). */
const keptMessages = 200;

export class MeshModel extends Disposable {
  readonly peers = this.register(new ListModel<Peer>());
  readonly locks = this.register(new ListModel<Lock>());
  /** Messages to this window's peer (sent to it, or broadcast), oldest first. */
  readonly messages = this.register(new ListModel<Message>());

  private readonly messageEmitter = this.register(new vscode.EventEmitter<Message>());
  /** A new message to the person arrived (after it was added to {@link messages}). */
  readonly onDidReceiveMessage = this.messageEmitter.event;

  /** The peer whose messages {@link messages} holds. */
  private messagesOf: string | undefined;
  private readonly due = new Set<ListName>();
  private timer: NodeJS.Timeout | undefined;
  /** Fetches run one after another, so an older answer never overwrites a newer one. */
  private fetching: Promise<void> = Promise.resolve();

  constructor(
    private readonly mesh: MeshConnection,
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    super();
    mesh.onDidChangeState((state) => {
      if (state.kind === 'connected') {
        // Another peer than before (a new mesh home, or the old identity gone): its messages only.
        if (this.selfId !== this.messagesOf) this.messages.replace([]);
        this.messagesOf = this.selfId;
        this.schedule(['peers', 'locks'], 0);
        void this.fetchMessages();
      }
      if (state.kind === 'closed' || state.kind === 'connecting') this.clear();
    }, undefined, this.subscriptions);
    mesh.onDidReceiveEvent(this.onEvent, this, this.subscriptions);
    mesh.onDidReceiveMessage(this.onMessage, this, this.subscriptions);
    config.onDidChange(({ changed }) => {
      if (changed.includes('scope')) this.schedule(['peers']);
    }, undefined, this.subscriptions);
    const refresh = setInterval(() => this.schedule(['peers'], 0), peersRefreshMs);
    this.register({ dispose: () => { clearTimeout(this.timer); clearInterval(refresh); } });
  }

  /** This window's peer id, once it has joined. */
  get selfId(): string | undefined {
    return this.mesh.client?.peer.id;
  }

  /** The peer with this id, if the window knows it. */
  peer(id: string): Peer | undefined {
    return this.peers.items.find((peer) => peer.id === id);
  }

  /**
   * The peers the views list: all but a terminal identity between commands (kind `cli`, not
   * working) that holds no claim and has nothing unread for the person.
   */
  listedPeers(): Peer[] {
    return this.peers.items.filter((peer) => livenessOf(peer) !== 'terminal'
      || this.claimsOf(peer.id) > 0 || this.unreadFrom(peer.id).length > 0);
  }

  /** How many claims `peerId` holds. */
  claimsOf(peerId: string): number {
    return this.locks.items.filter((lock) => lock.holder === peerId).length;
  }

  /** The locks this window holds. */
  ownLocks(): Lock[] {
    const self = this.selfId;
    return this.locks.items.filter((lock) => lock.holder === self);
  }

  /** The locks held by someone other than this window. */
  othersLocks(): Lock[] {
    const self = this.selfId;
    return this.locks.items.filter((lock) => lock.holder !== self);
  }

  /** Unread messages to the person from `peerId` (or from anyone). */
  unreadFrom(peerId?: string): Message[] {
    return this.messages.items.filter((m) => m.readAt === null && (peerId === undefined || m.from === peerId));
  }

  /** Records locally that the person has seen these messages (the broker is told by the caller). */
  markSeen(ids: readonly number[]): void {
    const seen = new Set(ids);
    const now = Date.now();
    this.messages.replace(this.messages.items.map((m) => (seen.has(m.id) && m.readAt === null ? { ...m, state: 'read', readAt: now } : m)));
  }

  private onEvent(event: MeshEvent): void {
    const lists = eventTopics[event.type].filter(isList);
    if (lists.length > 0) this.schedule(lists);
  }

  private onMessage(message: Message): void {
    if (this.messages.items.some((m) => m.id === message.id)) return;
    this.messages.replace([...this.messages.items, message].slice(-keptMessages));
    this.messageEmitter.fire(message);
  }

  private schedule(lists: ListName[], delayMs: number = debounceMs.views): void {
    for (const list of lists) this.due.add(list);
    if (this.timer && delayMs > 0) return; // the burst's fetch is already scheduled
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.fetching = this.fetching.then(() => this.fetch());
    }, delayMs);
  }

  private async fetch(): Promise<void> {
    const client = this.mesh.client;
    if (!client || this.isDisposed || this.due.size === 0) return;
    const lists = [...this.due];
    this.due.clear();
    try {
      await Promise.all(lists.map(async (list) => {
        if (list === 'peers') {
          // Background: the window refreshing its views is not the person working.
          const { peers } = await client.request('peers/list', { scope: this.scope() }, { background: true });
          if (client === this.mesh.client) this.peers.replace(peers);
        } else {
          const { locks } = await client.request('locks/list', {}, { background: true });
          if (client === this.mesh.client) this.locks.replace(locks);
        }
      }));
    } catch (error) {
      this.log.warn(`[views] refreshing ${lists.join(' and ')} failed: ${describe(error)}`);
    }
  }

  /** The window's recent messages, read and unread; reading them marks them delivered. */
  private async fetchMessages(): Promise<void> {
    const client = this.mesh.client;
    if (!client) return;
    try {
      const { messages } = await client.request('messages/inbox', { unreadOnly: false, limit: 100 }, { background: true });
      if (client !== this.mesh.client) return;
      const known = new Map(this.messages.items.map((m) => [m.id, m]));
      for (const message of messages) known.set(message.id, message);
      this.messages.replace([...known.values()].sort((a, b) => a.id - b.id).slice(-keptMessages));
    } catch (error) {
      this.log.warn(`[views] reading the window's messages failed: ${describe(error)}`);
    }
  }

  /** The configured scope; a window without a folder has no workspace to share, so it sees the machine. */
  scope(): Scope {
    const scope = this.config.get('scope');
    return scope === 'workspace' && this.mesh.client?.peer.workspace === null ? 'machine' : scope;
  }

  private clear(): void {
    this.due.clear();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.peers.replace([]);
    this.locks.replace([]);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
