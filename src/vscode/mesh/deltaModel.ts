/**
 * The context deltas of the window's project, newest first, as the dashboard's feed shows them
 * (`delta/list`, fetched as {@link FetchedModel} says: on joining, and after each burst of
 * delta events, acks included).
 */
import type { PeerClient } from '../../client/peer';
import type { Logger } from '../../core/logger';
import type { Delta } from '../../protocol/coordination';
import { FetchedList } from './fetchedModel';
import type { MeshConnection } from './meshConnection';

/** The newest deltas kept: the feed need not hold a project's whole history. */
export const deltasKept = 200;
/** Pages of `delta/list` read at most per fetch (oldest first, 100 a page). */
const maxPages = 20;

export class DeltaModel extends FetchedList<Delta> {
  protected readonly what = 'deltas';

  constructor(mesh: MeshConnection, log: Logger) {
    super(mesh, log, 'deltas');
  }

  /** The project's latest deltas, newest first. */
  get deltas(): readonly Delta[] {
    return this.items;
  }

  protected async read(client: PeerClient, project: string): Promise<readonly Delta[]> {
    const all: Delta[] = [];
    let since = 0;
    for (let page = 0; page < maxPages; page++) {
      // Background: the window redrawing its dashboard is not the person working.
      const { deltas, more } = await client.request('delta/list', { project, since, limit: 100 }, { background: true });
      all.push(...deltas);
      if (!more || deltas.length === 0) break;
      since = deltas[deltas.length - 1].id;
    }
    return all.slice(-deltasKept).reverse();
  }
}
