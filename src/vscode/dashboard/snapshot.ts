/** What the dashboard shows, built from the window's one mesh model (see protocol/webview.ts). */
import { printable } from '../../core/printable';
import type { Peer } from '../../protocol/entities';
import type { DashboardPeer, DashboardSnapshot } from '../../protocol/webview';
import type { MeshModel } from '../mesh/meshModel';

export function dashboardSnapshot(version: string, model: MeshModel): DashboardSnapshot {
  return { version, peers: model.peers.items.map(toDashboardPeer) };
}

/** Other peers' words as the dashboard shows them: control, bidi and invisible characters escaped. */
function toDashboardPeer({ id, name, kind, client, status, summary }: Peer): DashboardPeer {
  return { id, name: printable(name), kind, ...(kind === 'unknown' && client && { client: printable(client) }), status, summary: printable(summary) };
}
