/**
 * The landing queue: one FIFO token per target branch of a repository, so agents rebase and
 * push to a shared branch one at a time; agents landing on different branches never wait for
 * each other. `project` names the repository as the plan's requests do.
 */
import * as z from 'zod';
import { Branch, SyncQueue } from '../coordination';
import { limits } from '../limits';
import { defineRequests } from './spec';

const project = z.string().min(1).max(limits.path).optional();

export const syncRequests = defineRequests('sync', {
  /**
   * Asks for the branch's token: granted at once when free (or already the caller's: a renew,
   * which moves `expiresAt` and emits `sync_acquired` with `waitedMs` 0), else the caller joins
   * the queue (asking again keeps its place) and, with `waitMs`, waits for its turn. A wait
   * never gives up before the holder ahead could be declared stale: it lasts until that
   * holder's `expiresAt` (or the end of its grace period, if it is disconnected and that comes
   * first) plus a second, when that is later than `waitMs`, but at most `limits.waitMs` past
   * it. A wait that ends without the token answers `acquired: false` with the place in line,
   * which is kept; a cancelled one answers `cancelled`, the place kept too. A waiter whose turn
   * comes while it is not waiting gets the token all the same (its news says so), for two
   * minutes: acquiring again then gives it its TTL; else it passes on. Emits `sync_queued`,
   * `sync_acquired`.
   */
  'sync/acquire': {
    params: z.object({
      project,
      branch: Branch,
      ttlSeconds: z.number().int().min(10).max(limits.ttlSeconds).default(600),
      waitMs: z.number().int().min(0).max(limits.waitMs).default(0),
    }),
    result: z.object({
      queue: SyncQueue,
      acquired: z.boolean(),
      /** 0 when holding it, else the place in the queue (1: next). */
      position: z.number().int(),
    }),
    retry: 'safe',
  },
  /**
   * Gives the token back (or leaves the queue). `notHolder` when the caller neither holds nor
   * waits for it. Emits `sync_released`, and `sync_acquired` for the next in line.
   */
  'sync/release': {
    params: z.object({ project, branch: Branch }),
    result: z.object({ queue: SyncQueue }),
    // Not retried: a release that went through before a fail-over would answer notHolder the second time.
    retry: 'never',
  },
  /** The queues of the repository (one branch when given) that have a holder or waiters. */
  'sync/status': {
    params: z.object({ project, branch: Branch.optional() }),
    result: z.object({ queues: z.array(SyncQueue) }),
    retry: 'safe',
  },
  /** The queues where the caller holds the token or waits, over every repository: its news. */
  'sync/mine': {
    params: z.object({}),
    result: z.object({ queues: z.array(SyncQueue) }),
    retry: 'safe',
  },
});
