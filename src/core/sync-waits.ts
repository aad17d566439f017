/**
 * The `sync/acquire` requests waiting for their turn. Only the wait is in memory: the place in
 * line is a row of `sync_queue`, kept whether or not anyone waits on it, so a wait that ends
 * (its deadline, a cancel, a dropped connection) never loses the peer its place.
 */
import type { SyncQueue } from '../protocol/coordination';

export interface SyncAnswer {
  queue: SyncQueue;
  acquired: boolean;
  position: number;
}

export interface SyncWaiter {
  readonly peer: string;
  readonly project: string;
  readonly branch: string;
  /** When the wait ends without the token (see `waitDeadline` in sync.ts). */
  readonly deadline: number;
  timer: unknown;
  resolve(answer: SyncAnswer): void;
  reject(error: Error): void;
}

export class SyncWaits {
  private readonly waiters = new Set<SyncWaiter>();

  add(waiter: SyncWaiter): void {
    this.waiters.add(waiter);
  }

  get size(): number {
    return this.waiters.size;
  }

  has(waiter: SyncWaiter): boolean {
    return this.waiters.has(waiter);
  }

  /** Takes `waiter` out; false if it had ended already. */
  remove(waiter: SyncWaiter): boolean {
    return this.waiters.delete(waiter);
  }

  /** Whether `peer` has a request waiting for the branch's token now. */
  waiting(peer: string, project: string, branch: string): boolean {
    return [...this.waiters].some((w) => w.peer === peer && w.project === project && w.branch === branch);
  }

  /** Takes out the waits of the holder of `queue` on its branch: their turn came. */
  takeGranted(queue: SyncQueue): SyncWaiter[] {
    return this.take((w) => w.peer === queue.holder?.peer && w.project === queue.project && w.branch === queue.branch);
  }

  /** Takes out the waits of `peer`, or all of them. */
  takeAll(peer?: string): SyncWaiter[] {
    return this.take((w) => peer === undefined || w.peer === peer);
  }

  private take(match: (w: SyncWaiter) => boolean): SyncWaiter[] {
    const taken = [...this.waiters].filter(match);
    for (const w of taken) this.waiters.delete(w);
    return taken;
  }
}
