/**
 * The debates of the window's project, as the Debates view, its badge, the notifier and the
 * actions read them. Fetched whole (`debate/list`) when the window joins and shortly after any
 * pushed event of the `debates` topic (a round is a burst of turns: one fetch for it). Actions
 * that change a debate call {@link DebateModel.refresh} and await it.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { DebateSummary } from '../../protocol/coordination';
import type { MeshEvent } from '../../protocol/entities';
import { eventTopics } from '../../protocol/topics';
import { Disposable } from '../dispose';
import { debounceMs } from '../timing';
import type { MeshConnection } from './meshConnection';

export class DebateModel extends Disposable {
  private current: readonly DebateSummary[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Fetches run one after another, so an older answer never overwrites a newer one. */
  private fetching: Promise<void> = Promise.resolve();

  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly mesh: MeshConnection, private readonly log: Logger) {
    super();
    mesh.onDidChangeState((state) => {
      if (state.kind === 'connected') this.schedule(0);
      if (state.kind === 'closed' || state.kind === 'connecting') this.set([]);
    }, undefined, this.subscriptions);
    mesh.onDidReceiveEvent(this.onEvent, this, this.subscriptions);
    this.register({ dispose: () => clearTimeout(this.timer) });
  }

  /** The project's debates, newest first. */
  get debates(): readonly DebateSummary[] {
    return this.current;
  }

  /** Escalated debates: the agents could not agree and wait for the person's ruling. */
  awaitingRuling(): DebateSummary[] {
    return this.current.filter((d) => d.status === 'escalated');
  }

  debate(id: number): DebateSummary | undefined {
    return this.current.find((d) => d.id === id);
  }

  /** Fetches the debates now (after any fetch under way) and resolves once the model holds them. */
  refresh(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.fetching = this.fetching.then(() => this.fetch());
    return this.fetching;
  }

  private onEvent(event: MeshEvent): void {
    if (eventTopics[event.type].includes('debates')) this.schedule();
  }

  private schedule(delayMs: number = debounceMs.views): void {
    if (this.timer && delayMs > 0) return; // the burst's fetch is already scheduled
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delayMs);
  }

  private async fetch(): Promise<void> {
    const client = this.mesh.client;
    if (!client || this.isDisposed) return;
    const project = client.peer.workspace;
    if (project === null) return this.set([]);
    try {
      // Background: the window redrawing a view is not the person working.
      const { debates } = await client.request('debate/list', { project }, { background: true });
      if (client === this.mesh.client) this.set(debates);
    } catch (error) {
      this.log.warn(`[debates] reading the debates of ${project} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private set(debates: readonly DebateSummary[]): void {
    this.current = debates;
    this.changeEmitter.fire();
  }
}
