/**
 * A view of the mesh the window fetches whole (the plan, the debates): when the window joins,
 * and shortly after any pushed event of its topic, since changes come in bursts (an agent
 * claiming, then blocking; a round of turns) and a burst should cost one fetch. Actions that
 * change it call {@link FetchedModel.refresh} and await it, so the view shows their effect
 * when they return. Fetches run one after another, so an older answer never overwrites a newer one.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { MeshEvent } from '../../protocol/entities';
import { eventTopics, type MeshTopic } from '../../protocol/topics';
import { Disposable } from '../dispose';
import { debounceMs } from '../timing';
import type { PeerClient } from '../../client/peer';
import type { MeshConnection } from './meshConnection';

export abstract class FetchedModel extends Disposable {
  private timer: NodeJS.Timeout | undefined;
  private fetching: Promise<void> = Promise.resolve();

  protected readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  /** What the model holds changed. */
  readonly onDidChange = this.changeEmitter.event;

  constructor(protected readonly mesh: MeshConnection, protected readonly log: Logger, private readonly topic: MeshTopic) {
    super();
    mesh.onDidChangeState((state) => {
      if (state.kind === 'connected') this.schedule(0);
      if (state.kind === 'closed' || state.kind === 'connecting') this.forget();
    }, undefined, this.subscriptions);
    mesh.onDidReceiveEvent((event) => {
      if (eventTopics[event.type].includes(this.topic) && this.concerns(event)) this.schedule();
    }, undefined, this.subscriptions);
    this.register({ dispose: () => clearTimeout(this.timer) });
  }

  /** Fetches now (after any fetch under way) and resolves once the model holds the answer. */
  refresh(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.fetching = this.fetching.then(() => this.fetch());
    return this.fetching;
  }

  /** Fetches it and keeps the answer; never throws (a failure is logged, the old answer kept). */
  protected abstract fetch(): Promise<void>;

  /** Out of the mesh: what the model held is unknown now. */
  protected abstract forget(): void;

  /** Whether an event of the topic changes this model (another project's does not). */
  protected concerns(_event: MeshEvent): boolean {
    return true;
  }

  private schedule(delayMs: number = debounceMs.views): void {
    if (this.timer && delayMs > 0) return; // the burst's fetch is already scheduled
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delayMs);
  }
}

/**
 * A {@link FetchedModel} that is a list of the window's project (its debates, its deltas):
 * `read` fetches it; a failure is logged and the old list kept; out of the mesh, or without a
 * project folder, it is empty.
 */
export abstract class FetchedList<T> extends FetchedModel {
  private current: readonly T[] = [];

  /** What the list is of, for the log ("debates"). */
  protected abstract readonly what: string;

  protected get items(): readonly T[] {
    return this.current;
  }

  /** The list as the broker has it now. */
  protected abstract read(client: PeerClient, project: string): Promise<readonly T[]>;

  protected async fetch(): Promise<void> {
    const client = this.mesh.client;
    if (!client || this.isDisposed) return;
    const project = client.peer.workspace;
    if (project === null) return this.set([]);
    try {
      const items = await this.read(client, project);
      if (client === this.mesh.client) this.set(items);
    } catch (error) {
      this.log.warn(`[${this.what}] reading the ${this.what} of ${project} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  protected forget(): void {
    this.set([]);
  }

  private set(items: readonly T[]): void {
    this.current = items;
    this.changeEmitter.fire();
  }
}
