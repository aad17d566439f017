/**
 * The debates of the window's project, as the Debates view, its badge, the notifier and the
 * actions read them (`debate/list`, fetched as {@link FetchedModel} says).
 */
import type { Logger } from '../../core/logger';
import type { DebateSummary } from '../../protocol/coordination';
import { limits } from '../../protocol/limits';
import { FetchedModel } from './fetchedModel';
import type { MeshConnection } from './meshConnection';

/** Settled debates (agreed or decided) the view lists, the newest. */
const settledShown = 50;

export class DebateModel extends FetchedModel {
  private current: readonly DebateSummary[] = [];

  constructor(mesh: MeshConnection, log: Logger) {
    super(mesh, log, 'debates');
  }

  /** The project's debates still going, then the latest settled ones; newest first within each. */
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

  protected async fetch(): Promise<void> {
    const client = this.mesh.client;
    if (!client || this.isDisposed) return;
    const project = client.peer.workspace;
    if (project === null) return this.set([]);
    try {
      // Background: the window redrawing a view is not the person working. Every debate still
      // going (none awaiting a ruling may drop off), and the latest settled ones.
      const [going, settled] = await Promise.all([
        client.request('debate/list', { project, status: ['escalated', 'open'], limit: limits.page }, { background: true }),
        client.request('debate/list', { project, status: ['resolved', 'decided'], limit: settledShown }, { background: true }),
      ]);
      if (client === this.mesh.client) this.set([...going.debates, ...settled.debates]);
    } catch (error) {
      this.log.warn(`[debates] reading the debates of ${project} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  protected forget(): void {
    this.set([]);
  }

  private set(debates: readonly DebateSummary[]): void {
    this.current = debates;
    this.changeEmitter.fire();
  }
}
