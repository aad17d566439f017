/**
 * The landing queue (protocol/coordination.ts; the rules are the JSDoc of
 * protocol/requests/sync.ts): one FIFO token per (repository, branch), so agents push to a
 * shared branch one at a time, and agents landing on different branches never wait for each
 * other. The repository is the project root (project.ts).
 *
 * - Renewing (acquiring again while holding) moves `expiresAt` and emits `sync_acquired` with
 *   `waitedMs` 0: every change appends an event, which keeps views current and the mesh's
 *   wake-up timer right.
 * - The token passes in the transaction that frees it (a release, or the sweep taking it from a
 *   holder past its TTL or gone), to the first waiter not gone, whether it is still waiting on
 *   a request or not; gone waiters are dropped on the way.
 * - A wait lasts `waitMs`, or longer: until the holder ahead could be declared stale (its
 *   `expiresAt`, or the end of its grace period when it is disconnected, whichever is first;
 *   the person's terminal has none) plus {@link staleBeatMs}, but never past
 *   {@link maxStaleWaitMs} from the request. Only the wait is in memory (sync-waits.ts).
 * - A hold lasting more than `stallFactor` (3)× the branch's usual hold (the median of its last
 *   `holdsKept` (20) released holds) and at least `stallFloorMs` (2 min), or with no history
 *   more than half its TTL, is reported once (`sync_stalled`), by the sweep (sync-store.ts).
 *   Only released holds count: an expired or gone one measures the TTL or a crash, not a landing.
 * - A waiter whose turn comes while no request of its waits (it asked without waiting, or its
 *   wait ended) gets the token for {@link pickupMs} only, the full TTL once it acquires again:
 *   an agent that moved on, or the person's terminal left queued, does not hold the line for a
 *   whole TTL.
 */
import { Branch, type SyncQueue } from '../protocol/coordination';
import { BrokerError } from '../protocol/errors';
import { limits } from '../protocol/limits';
import { syncRequests } from '../protocol/requests/sync';
import type { MeshCounts, ProjectRef, SyncService } from './api';
import { checked } from './checked';
import type { MeshContext, MeshTx } from './context';
import type { Peers } from './peers';
import { inProject } from './project';
import type { MeshService } from './service';
import type { SqlTx } from './sql';
import { activeBranches, branchRows, isGone, loadQueue, positionOf, recordHold, stallsAt, toQueue, usualMs, type SyncRow } from './sync-store';
import { SyncWaits, type SyncAnswer, type SyncWaiter } from './sync-waits';

/** How long a waiter that was not waiting when its turn came holds the token before it is passed on, unless it acquires again. */
export const pickupMs = 2 * 60_000;

/** How long past the moment a holder could be declared stale a wait still lasts: the sweep's moment to pass the token on. */
export const staleBeatMs = 1000;

/** The longest a wait lasts for a stale holder (the longest wait a request may ask for): a long TTL must not hold a request open for hours. */
export const maxStaleWaitMs = limits.waitMs;

const acquireParams = syncRequests['sync/acquire'].params.shape;

/** The landing queue service; see the file's header. Each request is one transaction, its events with it. */
export class SyncQueues implements SyncService, MeshService {
  private readonly waits = new SyncWaits();
  private disposed = false;

  constructor(private readonly ctx: MeshContext, private readonly peers: Peers) {
    // A wait belongs to a request on the dropped connection: its answer could not be delivered.
    peers.onDisconnect((peer) => this.endWaits(peer, new BrokerError('unavailable', 'the connection closed while waiting for the landing token')));
    peers.onGone(async (t, peer) => {
      t.whenCommitted(`sync.gone.${peer}`, () => this.endWaits(peer, new BrokerError('unavailable', 'left the mesh while waiting for the landing token')));
    });
  }

  async acquire(caller: string, project: ProjectRef, branch: string, opts: { ttlSeconds?: number; waitMs?: number; signal?: AbortSignal } = {}): Promise<SyncAnswer> {
    const name = checked(Branch, branch, 'branch');
    const ttlMs = checked(acquireParams.ttlSeconds, opts.ttlSeconds, 'ttlSeconds') * 1000;
    const waitMs = checked(acquireParams.waitMs, opts.waitMs, 'waitMs');
    let settle!: Pick<SyncWaiter, 'resolve' | 'reject'>;
    const granted = new Promise<SyncAnswer>((resolve, reject) => (settle = { resolve, reject }));
    let waiter: SyncWaiter | undefined;
    const answer = await inProject(this.ctx, this.peers, caller, project, async (t, peer, root) => {
      const now = this.ctx.clock.now();
      await this.settleBranch(t, root, name, now);
      const rows = await branchRows(t.db, root, name);
      const mine = rows.find((r) => r.peer === caller);
      if (mine?.acquired_at != null || rows.length === 0) {
        const expiresAt = now + ttlMs;
        if (mine) {
          await t.db.run('UPDATE sync_queue SET expires_at = ?, ttl_ms = ?, peer_name = ? WHERE project = ? AND branch = ? AND peer = ?',
            [expiresAt, ttlMs, peer.name, root, name, caller]);
        } else {
          await t.db.run(`INSERT INTO sync_queue (project, branch, peer, peer_name, queued_at, acquired_at, expires_at, ttl_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [root, name, caller, peer.name, now, now, expiresAt, ttlMs]);
        }
        await t.emit('sync_acquired', caller, { project: root, branch: name, expiresAt, waitedMs: 0, byName: peer.name });
      } else if (mine) {
        // Asking again keeps its place; the TTL asked for now is the one it will hold with.
        await t.db.run('UPDATE sync_queue SET ttl_ms = ?, peer_name = ? WHERE project = ? AND branch = ? AND peer = ?', [ttlMs, peer.name, root, name, caller]);
      } else {
        await t.db.run('INSERT INTO sync_queue (project, branch, peer, peer_name, queued_at, ttl_ms) VALUES (?, ?, ?, ?, ?, ?)',
          [root, name, caller, peer.name, now, ttlMs]);
        await t.emit('sync_queued', caller, { project: root, branch: name, position: rows.length, byName: peer.name });
      }
      const queue = await loadQueue(t.db, root, name);
      const position = positionOf(queue, caller);
      // Registered in the same transaction, so the grant that ends it (a later one) finds it.
      if (position > 0 && waitMs > 0 && !this.disposed) {
        // The holder is the one found above: joining the line does not change it.
        const holder = rows.find((r) => r.acquired_at !== null);
        waiter = { peer: caller, project: root, branch: name, deadline: this.waitDeadline(holder, now, waitMs), timer: undefined, ...settle };
        this.waits.add(waiter);
      }
      return { queue, acquired: position === 0, position };
    }).catch((e: unknown) => {
      if (waiter) this.waits.remove(waiter);
      throw e;
    });
    if (!waiter) return answer;
    // Its turn came between the commit and here: the answer is on its way.
    if (!this.waits.has(waiter)) return granted;
    const w = waiter;
    w.timer = this.ctx.timers.setTimeout(() => void this.onDeadline(w), Math.max(0, w.deadline - this.ctx.clock.now()));
    opts.signal?.addEventListener('abort', () => this.onCancel(w), { once: true });
    if (opts.signal?.aborted) this.onCancel(w);
    return granted;
  }

  release(caller: string, project: ProjectRef, branch: string): Promise<SyncQueue> {
    const name = checked(Branch, branch, 'branch');
    return inProject(this.ctx, this.peers, caller, project, async (t, peer, root) => {
      const now = this.ctx.clock.now();
      // Not settled first: a holder releasing a moment past its TTL still released it.
      const mine = (await branchRows(t.db, root, name)).find((r) => r.peer === caller);
      if (!mine) throw new BrokerError('notHolder', `${peer.name} neither holds nor waits for the landing token of ${name} in ${root}`);
      if (mine.acquired_at !== null) await recordHold(t.db, root, name, now - mine.acquired_at, now);
      await this.drop(t, mine, mine.acquired_at !== null ? 'released' : 'skipped', caller, now);
      await this.settleBranch(t, root, name, now);
      return loadQueue(t.db, root, name);
    });
  }

  status(caller: string, project: ProjectRef, branch?: string): Promise<SyncQueue[]> {
    const name = branch === undefined ? undefined : checked(Branch, branch, 'branch');
    return inProject(this.ctx, this.peers, caller, project, async (t, _peer, root) => {
      const branches = name === undefined ? await activeBranches(t.db, { project: root }) : [{ project: root, branch: name }];
      return this.queues(t, branches);
    });
  }

  mine(caller: string): Promise<SyncQueue[]> {
    return this.ctx.tx(async (t) => {
      await this.peers.requireLiveIn(t, caller);
      return this.queues(t, await activeBranches(t.db, { peer: caller }));
    });
  }

  /** Takes the token from holders past their TTL or gone, drops gone waiters, reports stalls. */
  async sweep(t: MeshTx, now: number): Promise<{ syncChanges: number; syncHolds: number }> {
    let changes = 0;
    for (const { project, branch } of await activeBranches(t.db)) changes += await this.settleBranch(t, project, branch, now);
    // The hold times of branches nobody has landed on for the audit retention say nothing usual any more.
    const { changes: holds } = await t.db.run('DELETE FROM sync_holds WHERE at < ?', [now - this.ctx.settings.retention.auditMs]);
    return { syncChanges: changes, syncHolds: holds };
  }

  /** Now while a holder or waiter is gone; else the next TTL end or stall moment. */
  async nextExpiry(tx: SqlTx): Promise<number | null> {
    let due: number | null = null;
    for (const { project, branch } of await activeBranches(tx)) {
      const rows = await branchRows(tx, project, branch);
      if (rows.some(isGone)) return this.ctx.clock.now();
      const holder = rows.find((r) => r.acquired_at !== null);
      if (!holder) continue;
      const at = holder.stalled ? holder.expires_at! : Math.min(holder.expires_at!, stallsAt(holder.acquired_at!, holder.ttl_ms, await usualMs(tx, project, branch)));
      if (due === null || at < due) due = at;
    }
    return due;
  }

  /** How many acquire requests are waiting (for tests). */
  waiting(): number {
    return this.waits.size;
  }

  async counts(): Promise<Partial<MeshCounts>> {
    return {};
  }

  dispose(): void {
    this.disposed = true;
    this.endWaits(undefined, new BrokerError('unavailable', 'PeerMesh is shutting down'));
  }

  /**
   * Brings one branch up to date at `now`: a holder past its TTL or gone loses the token, gone
   * waiters are dropped, the first remaining waiter gets a free token, a holder past its stall
   * moment is reported. Returns how many of these happened.
   */
  private async settleBranch(t: MeshTx, project: string, branch: string, now: number): Promise<number> {
    let changes = 0;
    const rows = await branchRows(t.db, project, branch);
    let holder = rows.find((r) => r.acquired_at !== null);
    if (holder && (isGone(holder) || holder.expires_at! <= now)) {
      await this.drop(t, holder, isGone(holder) ? 'gone' : 'expired', null, now);
      holder = undefined;
      changes += 1;
    }
    const waiting: SyncRow[] = [];
    for (const row of rows.filter((r) => r.acquired_at === null)) {
      if (!isGone(row)) waiting.push(row);
      else {
        await this.drop(t, row, 'skipped', null, now);
        changes += 1;
      }
    }
    if (!holder && waiting.length > 0) {
      await this.grant(t, waiting[0], now);
      return changes + 1;
    }
    if (holder && !holder.stalled) {
      const usual = await usualMs(t.db, project, branch);
      if (now >= stallsAt(holder.acquired_at!, holder.ttl_ms, usual)) {
        await t.db.run('UPDATE sync_queue SET stalled = 1 WHERE project = ? AND branch = ? AND peer = ?', [project, branch, holder.peer]);
        await t.emit('sync_stalled', null, {
          project, branch, who: holder.peer, whoName: holder.peer_name, heldMs: now - holder.acquired_at!, usualMs: usual, waiting: waiting.length,
        });
        changes += 1;
      }
    }
    return changes;
  }

  /** Gives the free token to `row` (a waiter); its pending waits are answered once this commits. */
  private async grant(t: MeshTx, row: SyncRow, now: number): Promise<void> {
    // A waiter not waiting on a request now learns of its turn from its news, if it still
    // works at all: it holds the token for a pickup window, and its TTL once it acquires again.
    const waiting = this.waits.waiting(row.peer, row.project, row.branch);
    const expiresAt = now + (waiting ? row.ttl_ms : Math.min(row.ttl_ms, pickupMs));
    await t.db.run('UPDATE sync_queue SET acquired_at = ?, expires_at = ?, stalled = 0 WHERE project = ? AND branch = ? AND peer = ?',
      [now, expiresAt, row.project, row.branch, row.peer]);
    await t.emit('sync_acquired', row.peer, { project: row.project, branch: row.branch, expiresAt, waitedMs: now - row.queued_at, byName: row.peer_name });
    const queue = await loadQueue(t.db, row.project, row.branch);
    t.whenCommitted(`sync.grant.${row.project}\0${row.branch}`, () => {
      for (const w of this.waits.takeGranted(queue)) {
        this.ctx.timers.clearTimeout(w.timer);
        w.resolve({ queue, acquired: true, position: 0 });
      }
    });
  }

  /** Removes a holder's or waiter's row, with its `sync_released`. */
  private async drop(t: MeshTx, row: SyncRow, reason: 'released' | 'expired' | 'gone' | 'skipped', by: string | null, now: number): Promise<void> {
    await t.db.run('DELETE FROM sync_queue WHERE project = ? AND branch = ? AND peer = ?', [row.project, row.branch, row.peer]);
    const holder = row.acquired_at !== null;
    await t.emit('sync_released', by, {
      project: row.project, branch: row.branch, reason, holder, who: row.peer, whoName: row.peer_name,
      heldMs: now - (holder ? row.acquired_at! : row.queued_at),
    });
  }

  /** When a wait of `waitMs` asked at `now` ends: see the file's header. */
  private waitDeadline(holder: SyncRow | undefined, now: number, waitMs: number): number {
    if (!holder) return now + waitMs;
    // The person's terminal (kind `cli`) disconnects after every command and has no grace period.
    const inGrace = holder.peer_disconnected_at !== null && holder.peer_kind !== 'cli';
    const graceEnds = inGrace ? holder.peer_disconnected_at! + this.ctx.settings.graceMs : Infinity;
    const stale = Math.min(holder.expires_at!, graceEnds) + staleBeatMs;
    return Math.max(now + waitMs, Math.min(stale, now + maxStaleWaitMs + staleBeatMs));
  }

  /** The wait ended without the token: one last look (the sweep may be a moment behind), then the answer as it stands. */
  private async onDeadline(w: SyncWaiter): Promise<void> {
    if (!this.waits.remove(w)) return;
    try {
      w.resolve(await this.ctx.tx(async (t) => {
        await this.settleBranch(t, w.project, w.branch, this.ctx.clock.now());
        const queue = await loadQueue(t.db, w.project, w.branch);
        const position = positionOf(queue, w.peer);
        return { queue, acquired: position === 0, position };
      }));
    } catch (e) {
      w.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private onCancel(w: SyncWaiter): void {
    if (!this.waits.remove(w)) return;
    this.ctx.timers.clearTimeout(w.timer);
    w.reject(new BrokerError('cancelled', `stopped waiting for the landing token of ${w.branch}: the request was cancelled (your place in line is kept; release leaves it)`));
  }

  private endWaits(peer: string | undefined, error: BrokerError): void {
    for (const w of this.waits.takeAll(peer)) {
      this.ctx.timers.clearTimeout(w.timer);
      w.reject(error);
    }
  }

  private async queues(t: MeshTx, branches: ReadonlyArray<{ project: string; branch: string }>): Promise<SyncQueue[]> {
    const out: SyncQueue[] = [];
    for (const { project, branch } of branches) {
      const rows = await branchRows(t.db, project, branch);
      if (rows.length > 0) out.push(toQueue(project, branch, rows, await usualMs(t.db, project, branch)));
    }
    return out;
  }
}
