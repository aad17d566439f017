/**
 * The release requests waiting for this window's answer: other peers asking it to let go of
 * claims it holds (`release/mine`'s `toYou`, open or escalated), fetched as
 * {@link FetchedModel} says on every event of the locks topic. The Locks view shows them on the
 * claims they are about.
 */
import type { Logger } from '../../core/logger';
import type { MeshEvent } from '../../protocol/entities';
import type { LockRequest } from '../../protocol/requests/release';
import { FetchedModel } from './fetchedModel';
import type { MeshConnection } from './meshConnection';

export class RequestsModel extends FetchedModel {
  private current: readonly LockRequest[] = [];

  constructor(mesh: MeshConnection, log: Logger) {
    super(mesh, log, 'locks');
  }

  /** The requests waiting for this window's answer on claim `lockId`, oldest first. */
  on(lockId: number): LockRequest[] {
    return this.current.filter((r) => r.lockId === lockId);
  }

  protected override concerns(event: MeshEvent): boolean {
    return event.type === 'lock_release_requested' || event.type === 'lock_request_answered' || event.type === 'lock_request_escalated'
      || event.type === 'lock_released' || event.type === 'lock_expired';
  }

  protected async fetch(): Promise<void> {
    const client = this.mesh.client;
    if (!client || this.isDisposed) return;
    try {
      // Background: the window redrawing a view is not the person working.
      const { toYou } = await client.request('release/mine', {}, { background: true });
      if (client === this.mesh.client) this.set(toYou);
    } catch (error) {
      this.log.warn(`[locks] reading the release requests to this window failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  protected forget(): void {
    this.set([]);
  }

  private set(requests: readonly LockRequest[]): void {
    this.current = requests;
    this.changeEmitter.fire();
  }
}
