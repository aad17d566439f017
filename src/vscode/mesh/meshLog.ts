/**
 * The story of the mesh in the PeerMesh log, at info level: peers joining and leaving, claims
 * taken, released and expiring (messages to the person are told by the notifier). Names,
 * paths and lines only: no message bodies, reasons or secrets at info level (a reason may
 * quote code).
 */
import { describeTarget } from '../../core/paths';
import type { Logger } from '../../core/logger';
import type { MeshEvent } from '../../protocol/entities';
import { Disposable } from '../dispose';
import type { MeshConnection } from './meshConnection';
import type { MeshModel } from './meshModel';

export class MeshLog extends Disposable {
  constructor(mesh: MeshConnection, private readonly model: MeshModel, private readonly log: Logger) {
    super();
    mesh.onDidReceiveEvent(this.onEvent, this, this.subscriptions);
    mesh.onDidChangeBroker((broker) => log.info(`[mesh] served by the broker in pid ${broker.pid} on port ${broker.port}${mesh.hostsBroker ? ' (this window)' : ''}`), undefined, this.subscriptions);
  }

  private onEvent(event: MeshEvent): void {
    const line = this.describe(event);
    if (line) this.log.info(line);
  }

  /** One line for the events worth telling; undefined for the rest (state writes, renewals). */
  private describe(event: MeshEvent): string | undefined {
    const who = (id: string | null): string => (id && this.model.peer(id)?.name) || id || 'the mesh';
    switch (event.type) {
      case 'peer_joined':
        // The terminal's identity comes back with every command: not news.
        if (event.data.kind === 'cli' && event.data.resumed) return undefined;
        return `[peers] ${event.data.name} (${event.data.kind}) ${event.data.resumed ? 'is back' : 'joined'}`;
      case 'peer_left':
        return `[peers] ${event.data.name} ${event.data.reason === 'left' ? 'left' : 'was gone past its grace period'}; its claims went with it`;
      case 'peer_status':
        if (event.data.name && event.data.previousName) return `[peers] ${event.data.previousName} is now called ${event.data.name}`;
        if (event.data.connected !== false || (event.peer && this.model.peer(event.peer)?.kind === 'cli')) return undefined;
        return `[peers] ${who(event.peer)} disconnected; its claims are kept for its grace period`;
      case 'lock_acquired':
        return `[locks] ${event.data.holderName} locked ${describeTarget(event.data)}`;
      case 'lock_released':
        return `[locks] ${event.data.holderName}'s lock on ${describeTarget(event.data)} was released${event.data.reason === 'released' ? '' : ` (${event.data.reason})`}`;
      case 'lock_expired':
        return `[locks] ${event.data.holderName}'s lock on ${describeTarget(event.data)} expired`;
      default:
        return undefined;
    }
  }
}
