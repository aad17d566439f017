/**
 * What the Messages view shows beyond the person's own messages: its filter ("To me", "All
 * traffic", "From/To <peer>") and, while the filter reaches past the person, the traffic
 * between peers that matches it (`messages/traffic`, which only the person's peers may read).
 * The person's own messages stay in {@link MeshModel.messages}; this model fetches the rest
 * (and the names of the peers, those that left included), again shortly after every
 * `message_sent` event (debounced: a broadcast is one event per recipient), and only while the
 * filter is on.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { Message } from '../../protocol/entities';
import { Disposable } from '../dispose';
import type { MeshConnection } from './meshConnection';
import { ListModel } from './meshModel';

/** Which messages the Messages view shows. */
export type MessageFilter =
  /** The messages to this window's peer (sent to it, or broadcast): the person's inbox. */
  | { readonly kind: 'toMe' }
  /** Every message between any peers. */
  | { readonly kind: 'all' }
  /** The messages from or to one peer. */
  | { readonly kind: 'peer'; readonly peerId: string; readonly name: string };

export const toMe: MessageFilter = { kind: 'toMe' };

/** How long to wait for the rest of a burst of `message_sent` events before fetching. */
const debounceMs = 250;
/** How many of the newest messages the traffic shows. */
const pageSize = 100;

export class MessageTraffic extends Disposable {
  /** The traffic that matches the filter, oldest first; empty while the filter is "To me". */
  readonly messages = this.register(new ListModel<Message>());
  /** Names of every peer the mesh remembers, those that left included (the view names recipients). */
  private names = new Map<string, string>();
  private current: MessageFilter = toMe;
  private problem: string | undefined;
  private loading = false;
  private readonly filterEmitter = this.register(new vscode.EventEmitter<MessageFilter>());
  /** The filter changed (its messages follow in {@link messages}). */
  readonly onDidChangeFilter = this.filterEmitter.event;

  private timer: NodeJS.Timeout | undefined;
  /** Fetches run one after another, so an older answer never overwrites a newer one. */
  private fetching: Promise<void> = Promise.resolve();
  /** Bumped by every filter change: an answer for an older filter is dropped. */
  private generation = 0;

  constructor(
    private readonly mesh: MeshConnection,
    private readonly log: Logger,
  ) {
    super();
    mesh.onDidReceiveEvent((event) => {
      if (event.type === 'message_sent') this.schedule();
    }, undefined, this.subscriptions);
    mesh.onDidChangeState((state) => {
      if (state.kind === 'connected') this.schedule(0);
      if (state.kind === 'closed' || state.kind === 'connecting') this.messages.replace([]);
    }, undefined, this.subscriptions);
    this.register({ dispose: () => clearTimeout(this.timer) });
  }

  get filter(): MessageFilter {
    return this.current;
  }

  /** Why the traffic could not be read, until a fetch succeeds. */
  get error(): string | undefined {
    return this.problem;
  }

  /** The name of peer `id` as of the last fetch, if the mesh remembered it. */
  nameOf(id: string): string | undefined {
    return this.names.get(id);
  }

  /** Whether the first answer for the filter is still awaited. */
  get isLoading(): boolean {
    return this.loading;
  }

  /** Shows `filter`; resolves once its messages are in (at once for "To me"). */
  async setFilter(filter: MessageFilter): Promise<void> {
    this.current = filter;
    this.generation++;
    this.problem = undefined;
    this.loading = filter.kind !== 'toMe';
    clearTimeout(this.timer);
    this.timer = undefined;
    this.messages.replace([]);
    this.filterEmitter.fire(filter);
    if (filter.kind !== 'toMe') await this.enqueue();
  }

  private schedule(delayMs = debounceMs): void {
    if (this.current.kind === 'toMe') return;
    if (this.timer && delayMs > 0) return; // the burst's fetch is already scheduled
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.enqueue();
    }, delayMs);
  }

  private enqueue(): Promise<void> {
    this.fetching = this.fetching.then(() => this.fetch());
    return this.fetching;
  }

  private async fetch(): Promise<void> {
    const client = this.mesh.client;
    const filter = this.current;
    const generation = this.generation;
    if (!client || this.isDisposed || filter.kind === 'toMe') return;
    try {
      const [{ messages }, { peers }] = await Promise.all([
        // Background: the view following traffic is not the person working.
        client.request('messages/traffic', filter.kind === 'peer' ? { limit: pageSize, peer: filter.peerId } : { limit: pageSize }, { background: true }),
        client.request('peers/list', { scope: 'machine', includeGone: true }, { background: true }),
      ]);
      if (generation !== this.generation || client !== this.mesh.client) return;
      this.names = new Map(peers.map((peer) => [peer.id, peer.name]));
      this.problem = undefined;
      this.loading = false;
      this.messages.replace(messages);
    } catch (error) {
      if (generation !== this.generation) return;
      this.problem = error instanceof Error ? error.message : String(error);
      this.loading = false;
      this.log.warn(`[views] reading the mesh's message traffic failed: ${this.problem}`);
      this.messages.replace([]);
    }
  }
}
