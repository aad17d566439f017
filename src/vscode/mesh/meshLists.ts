/**
 * Feeds the Peers and Locks trees from the mesh: a full `peers/list` / `locks/list` when the
 * window joins (or rejoins after a fail-over), and again shortly after any pushed event that
 * changes what they show. Events come in bursts (an agent joining, claiming three files and
 * setting its summary), so refreshes are debounced and a list is fetched once per burst.
 */
import type { Logger } from '../../core/logger';
import type { MeshEvent, Scope } from '../../protocol/entities';
import { eventTopics, type MeshTopic } from '../../protocol/topics';
import type { Config } from '../config';
import { Disposable } from '../dispose';
import type { LocksTree } from '../trees/locksTree';
import type { PeersTree } from '../trees/peersTree';
import type { MeshConnection } from './meshConnection';

/** The topics these lists show; events of other topics (the inbox) do not refresh them. */
type ListName = Extract<MeshTopic, 'peers' | 'locks'>;

function isList(topic: MeshTopic): topic is ListName {
  return topic === 'peers' || topic === 'locks';
}

/** How long to wait for the rest of a burst of events before fetching. */
const debounceMs = 150;

export class MeshLists extends Disposable {
  private readonly due = new Set<ListName>();
  private timer: NodeJS.Timeout | undefined;
  /** Fetches run one after another, so an older answer never overwrites a newer one. */
  private fetching: Promise<void> = Promise.resolve();

  constructor(
    private readonly mesh: MeshConnection,
    private readonly peers: PeersTree,
    private readonly locks: LocksTree,
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    super();
    mesh.onDidChangeState((state) => {
      if (state.kind === 'connected') this.schedule(['peers', 'locks'], 0);
      if (state.kind === 'closed' || state.kind === 'connecting') this.clear();
    }, undefined, this.subscriptions);
    mesh.onDidReceiveEvent(this.onEvent, this, this.subscriptions);
    config.onDidChange(({ changed }) => {
      if (changed.includes('scope')) this.schedule(['peers']);
    }, undefined, this.subscriptions);
    this.register({ dispose: () => clearTimeout(this.timer) });
  }

  private onEvent(event: MeshEvent): void {
    const lists = eventTopics[event.type].filter(isList);
    if (lists.length > 0) this.schedule(lists);
  }

  private schedule(lists: ListName[], delayMs = debounceMs): void {
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
    if (!client || this.isDisposed) return;
    const lists = [...this.due];
    this.due.clear();
    try {
      await Promise.all(lists.map(async (list) => {
        if (list === 'peers') {
          const { peers } = await client.request('peers/list', { scope: this.scope() });
          this.peers.selfId = client.peer.id;
          if (client === this.mesh.client) this.peers.model.replace(peers);
        } else {
          const { locks } = await client.request('locks/list', {});
          if (client === this.mesh.client) this.locks.model.replace(locks);
        }
      }));
    } catch (error) {
      this.log.warn(`[views] refreshing ${lists.join(' and ')} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The configured scope; a window without a folder has no workspace to share, so it sees the machine. */
  private scope(): Scope {
    const scope = this.config.get('scope');
    return scope === 'workspace' && this.mesh.client?.peer.workspace === null ? 'machine' : scope;
  }

  private clear(): void {
    this.due.clear();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.peers.model.replace([]);
    this.locks.model.replace([]);
  }
}
