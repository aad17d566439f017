/**
 * What the mesh asks of each of its services, so that `mesh.ts` keeps one list of them and
 * loops over it (sweep, wake-up timer, counts, dispose) instead of naming every service in
 * each. A new service implements this and is added to that list.
 */
import type { MeshCounts } from './api';

export interface MeshService {
  /**
   * Runs inside the mesh's one sweep transaction: expires what is due at `now` (with its
   * events) and prunes what the retention settings let go. Returns how many of what it
   * removed, by name (`{ locks: 2 }`), for the debug log.
   */
  sweep(now: number): Record<string, number>;
  /**
   * This service's share of the counts: names declared in `protocol/requests/status.ts`, each
   * counted by exactly one service.
   */
  counts(now: number): Partial<MeshCounts>;
  /** When something of this service falls due next (the mesh wakes then and sweeps), if ever. */
  nextExpiry?(): number | null;
  /** Stops its timers and rejects its pending waits (`unavailable`). Called once. */
  dispose?(): void;
}
