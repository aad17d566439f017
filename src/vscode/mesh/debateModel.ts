/**
 * The debates of the window's project, as the Debates view, its badge, the notifier and the
 * actions read them (`debate/list`, fetched as {@link FetchedModel} says).
 */
import type { PeerClient } from '../../client/peer';
import type { Logger } from '../../core/logger';
import type { DebateSummary } from '../../protocol/coordination';
import { limits } from '../../protocol/limits';
import { FetchedList } from './fetchedModel';
import type { MeshConnection } from './meshConnection';

/** Settled debates (agreed or decided) the view lists, the newest. */
const settledShown = 50;

export class DebateModel extends FetchedList<DebateSummary> {
  protected readonly what = 'debates';

  constructor(mesh: MeshConnection, log: Logger) {
    super(mesh, log, 'debates');
  }

  /** The project's debates still going, then the latest settled ones; newest first within each. */
  get debates(): readonly DebateSummary[] {
    return this.items;
  }

  /** Escalated debates: the agents could not agree and wait for the person's ruling. */
  awaitingRuling(): DebateSummary[] {
    return this.items.filter((d) => d.status === 'escalated');
  }

  debate(id: number): DebateSummary | undefined {
    return this.items.find((d) => d.id === id);
  }

  protected async read(client: PeerClient, project: string): Promise<readonly DebateSummary[]> {
    // Background: the window redrawing a view is not the person working. Every debate still
    // going (none awaiting a ruling may drop off), and the latest settled ones.
    const [going, settled] = await Promise.all([
      client.request('debate/list', { project, status: ['escalated', 'open'], limit: limits.page }, { background: true }),
      client.request('debate/list', { project, status: ['resolved', 'decided'], limit: settledShown }, { background: true }),
    ]);
    return [...going.debates, ...settled.debates];
  }
}
