/**
 * The lock wait queue: acquire requests that found their target taken and asked to wait.
 * It lives in memory only (a waiting request belongs to a live connection, which a broker
 * restart ends anyway), in arrival order. Strict FIFO: a waiter blocks every later request
 * of another peer for an overlapping target, including fresh ones that would not wait (and
 * its own holder's later requests that are not re-entrant).
 */
import type { Lock } from '../protocol/entities';
import { spansOverlap, type NormalizedTarget, type Span } from './paths';

export interface LockWaiter {
  readonly holder: string;
  readonly target: NormalizedTarget;
  readonly reason: string;
  readonly ttlMs: number;
  /** False: it waits for its holder's own overlapping locks too (see Locks.acquire). */
  readonly reentrant: boolean;
  readonly startedAt: number;
  readonly deadline: number;
  timer: unknown;
  resolve(result: { lock: Lock; renewed: boolean }): void;
  reject(error: Error): void;
}

export class LockQueue {
  private waiters: LockWaiter[] = [];

  add(waiter: LockWaiter): void {
    this.waiters.push(waiter);
  }

  /** Takes `waiter` out of the queue; false if it was no longer in it. */
  remove(waiter: LockWaiter): boolean {
    const i = this.waiters.indexOf(waiter);
    if (i < 0) return false;
    this.waiters.splice(i, 1);
    return true;
  }

  has(waiter: LockWaiter): boolean {
    return this.waiters.includes(waiter);
  }

  /** A copy, in arrival order. */
  all(): LockWaiter[] {
    return [...this.waiters];
  }

  get size(): number {
    return this.waiters.length;
  }

  /**
   * The first waiter of another peer (with `ownToo`, of any peer), queued before `before` (or
   * at all), whose target overlaps `target`: that request must be served first.
   */
  firstAhead(holder: string, target: NormalizedTarget, before?: LockWaiter, ownToo = false): LockWaiter | undefined {
    for (const w of this.waiters) {
      if (w === before) return undefined;
      if ((ownToo || w.holder !== holder) && w.target.path === target.path && spansOverlap(w.target, target)) return w;
    }
    return undefined;
  }

  /**
   * How many requests wait for (part of) a lock held on `lock`'s span: other peers', and the
   * holder's own that are not re-entrant (another process of the same identity).
   */
  waitingOn(lock: Span & { holder: string; path: string }): number {
    return this.waiters.filter((w) => (w.holder !== lock.holder || !w.reentrant) && w.target.path === lock.path && spansOverlap(w.target, lock)).length;
  }

  /** Other peers' waiters whose targets overlap `target`, in arrival order: a new acquire would queue behind them all. */
  ahead(holder: string, target: NormalizedTarget): LockWaiter[] {
    return this.waiters.filter((w) => w.holder !== holder && w.target.path === target.path && spansOverlap(w.target, target));
  }

  takeAll(holder?: string): LockWaiter[] {
    const taken = this.waiters.filter((w) => holder === undefined || w.holder === holder);
    this.waiters = this.waiters.filter((w) => !taken.includes(w));
    return taken;
  }
}
