/**
 * What the mesh asks of each of its services, so that `mesh.ts` keeps one list of them and
 * loops over it (sweep, wake-up timer, counts, dispose) instead of naming every service in
 * each. A new service implements this and is added to that list.
 */
import type { MeshCounts } from './api';
import type { MeshTx } from './context';
import type { SqlTx } from './sql';

export interface MeshService {
  /**
   * Runs inside the mesh's one sweep transaction: expires what is due at `now` (with its
   * events) and prunes what the retention settings let go. Returns how many of what it
   * removed, by name (`{ locks: 2 }`), for the debug log.
   */
  sweep(tx: MeshTx, now: number): Promise<Record<string, number>>;
  /**
   * This service's share of the counts: names declared in `protocol/requests/status.ts`, each
   * counted by exactly one service. Inside the mesh's one counting transaction.
   */
  counts(tx: SqlTx, now: number): Promise<Partial<MeshCounts>>;
  /**
   * When something of this service falls due next (the mesh wakes then and sweeps), if ever.
   * Inside the transaction that just changed it, or one of the mesh's own.
   */
  nextExpiry?(tx: SqlTx): Promise<number | null>;
  /** Stops its timers and rejects its pending waits (`unavailable`). Called once. */
  dispose?(): void;
}
