/**
 * Advisory locks on files and line ranges.
 *
 * - A whole-file lock conflicts with every lock on that file; ranges (inclusive, 1-based)
 *   conflict when they share a line. A holder never conflicts with itself: re-acquiring the
 *   exact same target renews it, an overlapping other range of its own is a new lock.
 * - Unless it asks not to be re-entrant: then its own live locks conflict like anyone's, and
 *   its own earlier waiting requests are ahead of it. Several processes may act as one holder
 *   (scripts at one terminal identity); this is how they exclude each other, as with flock.
 * - A lock whose `expires_at` has passed is free at once for every read and acquire; the
 *   sweep (or the next acquire on that file) deletes it with a `lock_expired` event.
 * - Waiting requests queue in strict FIFO order (see lock-queue.ts). They are retried after
 *   every release, expiry, departure and dequeue, and time out at their deadline.
 * - Locks are advisory between agents, but the person has the last word: from the editor or
 *   the terminal they may take any lock away (`forceRelease`), and the holder is told.
 */
import path from 'node:path';
import { BrokerError } from '../protocol/errors';
import { limits } from '../protocol/limits';
import { personKinds, SaveGuardChoice, type LineSpan, type Lock, type LockReleaseReason, type Peer, type WorktreeClaim } from '../protocol/entities';
import type { LockTarget } from '../protocol/methods';
import { ClaimAnchors, type EditorChange } from './claim-anchors';
import type { FileAccess } from './files';
import type { AcquireOptions, LocksService, MeshCounts } from './api';
import type { MeshContext, MeshTx } from './context';
import { conflictError, timeoutError, type Blocker } from './lock-errors';
import { LockQueue, type LockWaiter } from './lock-queue';
import type { Messages } from './messages';
import { describeTarget, mergeSpans, normalizeTarget, spansOverlap, type NormalizedTarget, type Span } from './paths';
import type { GoneReason, Peers } from './peers';
import type { MeshService } from './service';
import type { SqlTx } from './sql';
import { claimsSpan, eventData, toLock, type LockRow } from './lock-rows';
import { syntaxParsers } from './symbol-parser';

type Attempt = { lock: Lock; renewed: boolean } | { blocker: Blocker };

/** A granted claim, and the same file's claims in other worktrees of its repository (warnings). */
export interface Granted {
  lock: Lock;
  renewed: boolean;
  alsoClaimed?: WorktreeClaim[];
}

/** Live locks overlapping a target: another holder's, or (the second parameter 1) the caller's too. */
const conflictSql = `SELECT * FROM locks WHERE path = ? AND (holder != ? OR ?) AND expires_at > ?
  AND (start_line IS NULL OR ? IS NULL OR (start_line <= ? AND end_line >= ?))
  ORDER BY COALESCE(start_line, 0), id`;

export class Locks implements LocksService, MeshService {
  private readonly queue = new LockQueue();
  /** Ranged claims follow their code through edits (claim-anchors.ts). */
  private readonly anchors: ClaimAnchors;
  private pumping = false;
  /** Paths whose waiters must be retried: a lock there went away, or the queue changed. */
  private dirty: Set<string> | 'all' = new Set();
  private disposed = false;
  /** Told of every lock that goes, inside the transaction that removes it (release requests end with it). */
  private readonly goneListeners: Array<(t: MeshTx, lock: Lock, why: LockReleaseReason | 'expired') => Promise<void>> = [];

  constructor(
    private readonly ctx: MeshContext,
    private readonly peers: Peers,
    private readonly messages: Messages,
    files: FileAccess,
  ) {
    this.anchors = new ClaimAnchors(ctx, files, (p) => this.pump(p));
    void this.anchors.start().catch((e: unknown) => ctx.log.error(e instanceof Error ? e : String(e)));
    peers.onGone((t, peerId, reason) => this.releaseAllOf(t, peerId, reason));
    // A wait belongs to a request on the dropped connection: its answer could not be delivered.
    peers.onDisconnect((peerId) => this.cancelWaits(peerId, new BrokerError('unavailable', 'the connection closed while waiting for a lock')));
  }

  async acquire(holder: string, target: LockTarget, opts: AcquireOptions): Promise<Granted> {
    const reason = checkReason(opts.reason);
    const reentrant = opts.reentrant ?? true;
    const ttlMs = this.ttlMs(opts.ttlSeconds);
    const waitMs = opts.waitMs ?? 0;
    if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > limits.waitMs) {
      throw new BrokerError('invalidInput', `waitMs must be between 0 and ${limits.waitMs}`);
    }
    const now = this.ctx.clock.now();
    let settle!: Pick<LockWaiter, 'resolve' | 'reject'>;
    // The parser loads outside the transaction, which would otherwise hold every other request meanwhile.
    if (target.symbol !== undefined) await syntaxParsers();
    const granted = new Promise<{ lock: Lock; renewed: boolean }>((resolve, reject) => (settle = { resolve, reject }));
    let waiter: LockWaiter | undefined;
    let attempt: Attempt & { alsoClaimed?: WorktreeClaim[] };
    try {
      attempt = await this.ctx.tx(async (t) => {
        const peer = await this.peers.requireLiveIn(t, holder);
        const norm = await this.anchors.symbolLines(t, normalizeTarget(target, peer.cwd ?? peer.workspace, peer.workspace, this.ctx.probe));
        const tried = await this.attempt(t, holder, norm, reason, ttlMs, now, { reentrant });
        if ('lock' in tried) {
          const elsewhere = await this.otherWorktrees(t, norm, now);
          return elsewhere.length > 0 ? { ...tried, alsoClaimed: elsewhere } : tried;
        }
        // Queued in the same transaction as the failed try, so the next request already
        // finds it ahead (strict FIFO), and the release that frees the target serves it.
        if ('blocker' in tried && waitMs > 0 && !this.disposed) {
          waiter = { holder, target: norm, reason, ttlMs, reentrant, startedAt: now, deadline: now + waitMs, timer: undefined, ...settle };
          this.queue.add(waiter);
        }
        return tried;
      });
    } catch (e) {
      if (waiter) this.queue.remove(waiter);
      throw e;
    }
    if ('lock' in attempt) return attempt;
    if (waitMs === 0) throw conflictError(attempt.blocker, now, holder);
    if (!waiter) throw new BrokerError('unavailable', 'PeerMesh is shutting down');
    // Served (or ended) already, between the commit and here: nothing left to time.
    if (!this.queue.has(waiter)) return granted;
    const w = waiter;
    // The deadline counts from the request, not from when the store answered the first try.
    w.timer = this.ctx.timers.setTimeout(() => void this.onDeadline(w), Math.max(0, w.deadline - this.ctx.clock.now()));
    // A caller that gives up must not be granted a lock it no longer waits for.
    opts.signal?.addEventListener('abort', () => this.onCancel(w), { once: true });
    if (opts.signal?.aborted) this.onCancel(w);
    return granted;
  }

  release(holder: string, which: { target?: LockTarget; lockId?: number }): Promise<Lock[]> {
    const now = this.ctx.clock.now();
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireIn(t, holder);
      if (which.lockId !== undefined) {
        const lock = await this.requireHeld(t, holder, which.lockId, now);
        await this.remove(t, lock, 'released');
        return [lock];
      }
      if (!which.target) throw new BrokerError('invalidInput', 'give the target or the lockId to release');
      const norm = normalizeTarget(which.target, peer.cwd ?? peer.workspace, peer.workspace, this.ctx.probe);
      // A whole-file target means "done with this file": it releases every lock the holder
      // has on it. A range releases exactly that range.
      const mine = (await this.liveRows(t, 'path = ? AND holder = ?', [norm.path, holder], now))
        .filter((row) => (norm.startLine === null && norm.symbol === undefined) || claimsSpan(row, norm))
        .map(toLock);
      if (mine.length === 0) await this.throwNotHeld(t, holder, norm, now);
      for (const lock of mine) await this.remove(t, lock, 'released');
      return mine;
    });
  }

  releaseAll(holder: string, filter: { path?: string } = {}): Promise<Lock[]> {
    const now = this.ctx.clock.now();
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireIn(t, holder);
      const under = filter.path === undefined ? undefined : this.underPath(filter.path, peer.cwd ?? peer.workspace);
      const mine = (await this.liveRows(t, under ? `holder = ? AND ${under.where}` : 'holder = ?', [holder, ...(under?.params ?? [])], now)).map(toLock);
      for (const lock of mine) await this.remove(t, lock, 'released');
      return mine;
    });
  }

  async forceRelease(caller: string, lockId: number, reason?: string): Promise<{ released: Lock; alerted: boolean }> {
    const note = checkReason(reason);
    const now = this.ctx.clock.now();
    return this.ctx.tx(async (t) => {
      const by = await this.peers.requireLiveIn(t, caller);
      if (!personKinds.includes(by.kind)) {
        throw new BrokerError('unauthorized',
          `only the person may force-release a lock, from the editor or the peermesh command; ${by.name} is a ${by.kind} peer: ask the holder to release it`);
      }
      const row = await t.db.get<LockRow>('SELECT * FROM locks WHERE id = ? AND expires_at > ?', [lockId, now]);
      if (!row) throw new BrokerError('notFound', `no lock ${lockId}: it was released or has expired`);
      const lock = toLock(row);
      await this.remove(t, lock, 'forced', by);
      // A holder that is connected hears of it now; one in its grace period finds the lock gone.
      const holder = await this.peers.getIn(t, lock.holder);
      const alerted = holder !== undefined && holder.id !== by.id && (holder.status === 'working' || holder.status === 'idle');
      if (alerted) {
        const body = `${by.name} force-released your lock on ${describeTarget(lock)}${note ? `: ${note}` : ''}`;
        await this.messages.sendIn(t, by.id, { peer: holder.id }, 'alert', body);
      }
      return { released: lock, alerted };
    });
  }

  async saveGuarded(caller: string, guard: { path: string; lockIds: number[]; choice: SaveGuardChoice }): Promise<void> {
    const ids = [...new Set(guard.lockIds)];
    if (ids.length === 0 || ids.length > limits.list || !ids.every((id) => Number.isInteger(id))) {
      throw new BrokerError('invalidInput', `give 1 to ${limits.list} lock ids`);
    }
    if (!SaveGuardChoice.safeParse(guard.choice).success) {
      throw new BrokerError('invalidInput', `choice must be one of ${SaveGuardChoice.options.join(', ')}`);
    }
    const now = this.ctx.clock.now();
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireLiveIn(t, caller);
      const file = normalizeTarget({ path: guard.path }, peer.cwd ?? peer.workspace, peer.workspace, this.ctx.probe);
      // Claims released or expired since the warning are left out: the save no longer went over them.
      const held = (await this.liveRows(t, 'id IN (SELECT value FROM json_each(?))', [JSON.stringify(ids)], now)).map(toLock);
      await t.emit('save_guarded', caller, {
        path: file.path, relPath: file.relPath, lockIds: held.map((l) => l.id),
        holders: [...new Set(held.map((l) => l.holderName))], choice: guard.choice,
      });
    });
  }

  async renew(holder: string, which: { lockId?: number; target?: LockTarget }, ttlSeconds?: number): Promise<Lock[]> {
    const ttlMs = this.ttlMs(ttlSeconds);
    const now = this.ctx.clock.now();
    const { lockId, target } = which;
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireIn(t, holder);
      if (lockId !== undefined && target !== undefined) throw new BrokerError('invalidInput', 'give the lockId or the target to renew, not both');
      const base = peer.cwd ?? peer.workspace;
      let mine: Lock[];
      if (lockId !== undefined) mine = [await this.requireHeld(t, holder, lockId, now)];
      else if (target === undefined) {
        mine = (await this.liveRows(t, 'holder = ?', [holder], now)).map(toLock);
        if (mine.length === 0) throw new BrokerError('notFound', 'you hold no locks to renew');
      } else if (target.startLine !== undefined || target.endLine !== undefined || target.symbol !== undefined) {
        // A range (or a symbol) renews exactly that claim, like release.
        const norm = normalizeTarget(target, base, peer.workspace, this.ctx.probe);
        mine = (await this.liveRows(t, 'path = ? AND holder = ?', [norm.path, holder], now)).filter((row) => claimsSpan(row, norm)).map(toLock);
        if (mine.length === 0) await this.throwNotHeld(t, holder, norm, now);
      } else {
        // A file renews every lock the holder has in it; a folder, every one under it.
        const under = this.underPath(target.path, base);
        mine = (await this.liveRows(t, `holder = ? AND ${under.where}`, [holder, ...under.params], now)).map(toLock);
        if (mine.length === 0) await this.throwNotHeld(t, holder, normalizeTarget(target, base, peer.workspace, this.ctx.probe), now);
      }
      const renewed: Lock[] = [];
      for (const lock of mine) {
        await t.db.run('UPDATE locks SET expires_at = ? WHERE id = ?', [now + ttlMs, lock.id]);
        const next = { ...lock, expiresAt: now + ttlMs };
        await t.emit('lock_renewed', holder, eventData(next));
        renewed.push(next);
      }
      return renewed;
    });
  }

  async check(caller: string, target: LockTarget): Promise<Lock[]> {
    if (target.symbol !== undefined) await syntaxParsers(); // loaded outside the transaction, as for acquire
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireIn(t, caller);
      const norm = normalizeTarget(target, peer.cwd ?? peer.workspace, peer.workspace, this.ctx.probe);
      await this.anchors.current(t, norm.path);
      const at = norm.symbol !== undefined ? await this.anchors.symbolLines(t, norm) : this.anchors.inClaimLines(norm.path, caller, norm);
      return this.conflicting(t, caller, at, this.ctx.clock.now());
    });
  }

  /**
   * Other peers' requests waiting for (part of) `target`: an acquire now would queue behind
   * them even where no lock is held. How many, and the first one's holder name.
   */
  queuedFor(caller: string, target: LockTarget): Promise<{ ahead: number; first: string } | undefined> {
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireIn(t, caller);
      const norm = normalizeTarget(target, peer.cwd ?? peer.workspace, peer.workspace, this.ctx.probe);
      const ahead = this.queue.ahead(caller, this.anchors.inClaimLines(norm.path, caller, norm));
      if (ahead.length === 0) return undefined;
      return { ahead: ahead.length, first: (await this.peers.getIn(t, ahead[0].holder))?.name ?? ahead[0].holder };
    });
  }

  alsoClaimed(caller: string, target: LockTarget): Promise<WorktreeClaim[]> {
    return this.ctx.tx(async (t) => {
      const peer = await this.peers.requireIn(t, caller);
      const norm = normalizeTarget(target, peer.cwd ?? peer.workspace, peer.workspace, this.ctx.probe);
      return this.otherWorktrees(t, await this.anchors.symbolLines(t, norm), this.ctx.clock.now());
    });
  }

  async fileChanged(caller: string, file: string, change: EditorChange): Promise<{ tracked: boolean; needText?: boolean; moved: Lock[] }> {
    const norm = await this.ctx.tx(async (t) => {
      const peer = await this.peers.requireLiveIn(t, caller);
      // An editor's unsaved text moves everyone's claims, and its numbering becomes theirs.
      if (!personKinds.includes(peer.kind)) {
        throw new BrokerError('unauthorized', `only the person's editor reports unsaved text; ${peer.name} is a ${peer.kind} peer: claims follow its edits once they are on disk`);
      }
      return normalizeTarget({ path: file }, peer.cwd ?? peer.workspace, peer.workspace, this.ctx.probe);
    });
    return this.anchors.editorChanged(caller, norm.path, change);
  }

  async guardEdit(caller: string | null, file: string, ranges: readonly LineSpan[], claim?: { ttlSeconds: number; reason: string }, asPerson = false): Promise<{ conflicts: Lock[]; claimed: Lock[] }> {
    if (caller === null && claim) throw new BrokerError('invalidInput', 'only an agent\'s peer can claim what it edits: this hook matched none');
    const spans: Span[] = ranges.length === 0 ? [{ startLine: null, endLine: null }] : mergeSpans(ranges);
    const reason = claim && checkReason(claim.reason);
    const ttlMs = claim && this.ttlMs(claim.ttlSeconds);
    const now = this.ctx.clock.now();
    return this.ctx.tx(async (t) => {
      const peer = caller === null ? undefined : await this.peers.requireLiveIn(t, caller);
      let targets = spans.map((s) => normalizeTarget(
        { path: file, ...(s.startLine !== null && s.endLine !== null && { startLine: s.startLine, endLine: s.endLine }) },
        peer ? peer.cwd ?? peer.workspace : null, peer?.workspace ?? null, this.ctx.probe,
      ));
      const conflicts = new Map<number, Lock>();
      if (targets.length > 0) await this.anchors.current(t, targets[0].path);
      if (caller !== null) targets = targets.map((target) => this.anchors.inClaimLines(target.path, caller, target));
      for (const target of targets) for (const lock of await this.conflicting(t, caller ?? '', target, now)) conflicts.set(lock.id, lock);
      if (asPerson) {
        for (const lock of [...conflicts.values()]) {
          const kind = (await this.peers.getIn(t, lock.holder))?.kind;
          if (kind && personKinds.includes(kind)) conflicts.delete(lock.id);
        }
      }
      const claimed: Lock[] = [];
      if (conflicts.size === 0 && caller !== null && reason !== undefined && ttlMs !== undefined) {
        for (const target of targets) {
          const tried = await this.attempt(t, caller, target, reason, ttlMs, now, { reentrant: true });
          // Only a request queued ahead can stop it now; that range is left unclaimed.
          if ('lock' in tried) claimed.push(tried.lock);
        }
      }
      return { conflicts: [...conflicts.values()], claimed };
    });
  }

  /** Live locks, by file or folder (relative to `callerCwd`) and by holder (id or live name). */
  list(filter: { path?: string; holder?: string; callerCwd?: string | null }): Promise<Lock[]> {
    return this.ctx.tx(async (t) => {
      const where: string[] = [];
      const params: Array<string | number> = [];
      if (filter.path !== undefined) {
        const under = this.underPath(filter.path, filter.callerCwd ?? null);
        where.push(under.where);
        params.push(...under.params);
      }
      if (filter.holder !== undefined) {
        where.push('holder = ?');
        params.push((await this.peers.findIn(t, filter.holder))?.id ?? filter.holder);
      }
      const locks = (await this.liveRows(t, where.length ? where.join(' AND ') : '1 = 1', params, this.ctx.clock.now())).map(toLock);
      return locks.map((lock) => ({ ...lock, waiting: this.queue.waitingOn(lock) }));
    });
  }

  async counts(tx: SqlTx, now: number): Promise<Pick<MeshCounts, 'locks'>> {
    return { locks: (await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM locks WHERE expires_at > ?', [now]))?.n ?? 0 };
  }

  /** Frees the expired locks (the mesh's sweep); the waiters are served once it commits. */
  async sweep(t: MeshTx, now: number): Promise<{ locks: number }> {
    return { locks: await this.expire(t, now) };
  }

  /** When the next lock expires, if any (the mesh wakes then to free it and serve waiters). */
  async nextExpiry(tx: SqlTx): Promise<number | null> {
    return (await tx.get<{ t: number | null }>('SELECT MIN(expires_at) AS t FROM locks'))?.t ?? null;
  }

  /** Deletes expired locks (of one file, or all) with a `lock_expired` event each; inside a transaction. */
  async expire(t: MeshTx, now: number, path?: string): Promise<number> {
    const rows = path === undefined
      ? await t.db.all<LockRow>('SELECT * FROM locks WHERE expires_at <= ? ORDER BY expires_at, id', [now])
      : await t.db.all<LockRow>('SELECT * FROM locks WHERE path = ? AND expires_at <= ? ORDER BY expires_at, id', [path, now]);
    for (const row of rows) await this.remove(t, toLock(row), 'expired');
    return rows.length;
  }

  // For release requests (lock-requests.ts): what they do to a lock, inside their transaction.

  /** Runs `listener` inside the transaction that removes any lock, with why it went. */
  onLockGone(listener: (t: MeshTx, lock: Lock, why: LockReleaseReason | 'expired') => Promise<void>): void {
    this.goneListeners.push(listener);
  }

  /** The live lock `id`, if any. */
  async liveLock(t: MeshTx, id: number, now: number): Promise<Lock | undefined> {
    const row = await t.db.get<LockRow>('SELECT * FROM locks WHERE id = ? AND expires_at > ?', [id, now]);
    return row && toLock(row);
  }

  /** `target` as the caller means it, and the live locks of other peers in its way now. */
  async blockersIn(t: MeshTx, caller: string, target: LockTarget, now: number): Promise<{ target: NormalizedTarget; locks: Lock[] }> {
    const peer = await this.peers.requireLiveIn(t, caller);
    const norm = normalizeTarget(target, peer.cwd ?? peer.workspace, peer.workspace, this.ctx.probe);
    await this.anchors.current(t, norm.path);
    const lines = this.anchors.inClaimLines(norm.path, caller, norm);
    return { target: lines, locks: await this.conflicting(t, caller, lines, now) };
  }

  /** Its holder lets `lock` go (answering a request); waiters are served once it commits. */
  releaseIn(t: MeshTx, lock: Lock): Promise<void> {
    return this.remove(t, lock, 'released');
  }

  /**
   * Its holder keeps only `keep` of `lock` (answering a request): the claim's lines become
   * those, as the holder now names them, and the rest is free to the waiters once it commits.
   * A ranged claim reports `lock_moved`; a whole-file one `lock_renewed` with its new lines.
   */
  async narrowIn(t: MeshTx, lock: Lock, keep: LineSpan): Promise<Lock> {
    await t.db.run('UPDATE locks SET start_line = ?, end_line = ?, named_start = ?, named_end = ? WHERE id = ?',
      [keep.startLine, keep.endLine, keep.startLine, keep.endLine, lock.id]);
    const kept = await this.anchors.claimed(t, { ...lock, startLine: keep.startLine, endLine: keep.endLine });
    if (lock.startLine !== null && lock.endLine !== null) {
      await t.emit('lock_moved', lock.holder, { ...eventData(kept), from: { startLine: lock.startLine, endLine: lock.endLine }, anchorLost: false });
    } else {
      await t.emit('lock_renewed', lock.holder, eventData(kept));
    }
    t.whenCommitted(`locks.narrow.${lock.path}`, () => this.pump(lock.path));
    return kept;
  }

  /** How many requests are waiting (for status and tests). */
  waiting(): number {
    return this.queue.size;
  }

  /** Rejects every pending wait with `unavailable`; later waits are refused. */
  dispose(): void {
    this.disposed = true;
    this.anchors.dispose();
    this.cancelWaits(undefined, new BrokerError('unavailable', 'PeerMesh is shutting down'));
  }

  /**
   * One try at `target` inside the caller's transaction: renew the holder's own exact lock,
   * else grant if no other peer's live lock and no earlier waiter of another peer overlaps.
   * Not re-entrant: no renewal, and the holder's own locks and earlier waiters count too.
   */
  private async attempt(
    t: MeshTx, holder: string, target: NormalizedTarget, reason: string, ttlMs: number, now: number,
    how: { reentrant: boolean; self?: LockWaiter },
  ): Promise<Attempt> {
    const holderName = (await this.peers.requireLiveIn(t, holder)).name;
    await this.expire(t, now, target.path);
    // Ranges as the file is now: an edit made just before this request has moved them.
    await this.anchors.current(t, target.path);
    const named = target;
    // A symbol's lines were resolved in the claims' numbering already.
    if (target.symbol === undefined) target = this.anchors.inClaimLines(target.path, holder, target);
    const own = how.reentrant
      ? (await t.db.all<LockRow>('SELECT * FROM locks WHERE path = ? AND holder = ? ORDER BY id', [target.path, holder]))
        .find((row) => claimsSpan(row, target) || claimsSpan(row, named))
      : undefined;
    if (own) {
      // Taking it again re-reads the code it covers (and clears a lost anchor).
      const lock = await this.anchors.claimed(t, { ...toLock(own), expiresAt: now + ttlMs, reason: reason || own.reason, holderName });
      await t.db.run('UPDATE locks SET expires_at = ?, reason = ?, holder_name = ? WHERE id = ?', [lock.expiresAt, lock.reason, holderName, own.id]);
      await t.emit('lock_renewed', holder, eventData(lock));
      return { lock, renewed: true };
    }
    const conflicts = await this.conflicting(t, holder, target, now, !how.reentrant);
    if (conflicts.length > 0) return { blocker: { lock: conflicts[0], more: conflicts.length - 1 } };
    const queued = this.queue.firstAhead(holder, target, how.self, !how.reentrant);
    if (queued) return { blocker: { queued, holderName: (await this.peers.getIn(t, queued.holder))?.name ?? queued.holder } };
    const { lastInsertRowid: id } = await t.db.run(
      `INSERT INTO locks (path, root, rel_path, repo, start_line, end_line, named_start, named_end, holder, holder_name, reason, created_at, expires_at, symbol)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [target.path, target.root, target.relPath, target.repo, target.startLine, target.endLine, named.startLine, named.endLine, holder, holderName, reason, now, now + ttlMs, target.symbol ?? null],
    );
    const lock = await this.anchors.claimed(t, {
      id, path: target.path, root: target.root, relPath: target.relPath, startLine: target.startLine, endLine: target.endLine,
      holder, holderName, reason, createdAt: now, expiresAt: now + ttlMs, ...(target.repo !== null && { repo: target.repo }),
      ...(target.symbol !== undefined && { symbol: target.symbol }),
    });
    await t.emit('lock_acquired', holder, eventData(lock));
    return { lock, renewed: false };
  }

  /** Live locks of other holders overlapping `target`; with `ownToo`, the holder's own as well. */
  private async conflicting(t: MeshTx, holder: string, target: NormalizedTarget, now: number, ownToo = false): Promise<Lock[]> {
    const params = [target.path, holder, ownToo ? 1 : 0, now, target.startLine, target.endLine, target.startLine];
    return (await t.db.all<LockRow>(conflictSql, params)).map(toLock);
  }

  /**
   * Live claims overlapping `target` on the same file of the same repository in another
   * worktree: warnings, since edits there meet this one only at merge.
   */
  private async otherWorktrees(t: MeshTx, target: NormalizedTarget, now: number): Promise<WorktreeClaim[]> {
    if (target.repo === null) return [];
    const rows = await t.db.all<LockRow>(
      'SELECT * FROM locks WHERE repo = ? AND rel_path = ? AND path != ? AND expires_at > ? ORDER BY id',
      [target.repo, target.relPath, target.path, now],
    );
    return rows.map(toLock).filter((l) => spansOverlap(l, target)).map((lock) => ({
      lock,
      worktree: lock.root ?? path.dirname(lock.path),
      branch: lock.root === null ? null : this.ctx.probe.gitBranch(lock.root),
    }));
  }

  private liveRows(t: MeshTx, where: string, params: Array<string | number>, now: number): Promise<LockRow[]> {
    return t.db.all<LockRow>(
      `SELECT * FROM locks WHERE ${where} AND expires_at > ? ORDER BY path, COALESCE(start_line, 0), id`,
      [...params, now],
    );
  }

  /** SQL that keeps locks on the file `p`, or under the folder `p` (relative to `base`). */
  private underPath(p: string, base: string | null): { where: string; params: Array<string | number> } {
    const file = normalizeTarget({ path: p }, base, null, this.ctx.probe).path;
    const folder = file.endsWith(path.sep) ? file : file + path.sep;
    return { where: '(path = ? OR substr(path, 1, ?) = ?)', params: [file, [...folder].length, folder] };
  }

  /** The caller holds nothing on `target`: `notHolder` naming who does, else `notFound`. */
  private async throwNotHeld(t: MeshTx, holder: string, target: NormalizedTarget, now: number): Promise<never> {
    if (target.symbol !== undefined) throw new BrokerError('notFound', `you hold no claim on ${describeTarget(target)}`);
    const other = (await this.conflicting(t, holder, target, now))[0];
    if (other) {
      throw new BrokerError('notHolder', `${describeTarget(other)} is held by ${other.holderName}, not by you`, { holder: other.holder, holderName: other.holderName });
    }
    throw new BrokerError('notFound', `you hold no lock on ${describeTarget(target)}`);
  }

  private async requireHeld(t: MeshTx, holder: string, lockId: number, now: number): Promise<Lock> {
    const row = await t.db.get<LockRow>('SELECT * FROM locks WHERE id = ? AND expires_at > ?', [lockId, now]);
    if (!row) throw new BrokerError('notFound', `no lock ${lockId}: it was released or has expired`);
    const lock = toLock(row);
    if (lock.holder !== holder) {
      throw new BrokerError('notHolder', `lock ${lockId} on ${describeTarget(lock)} is held by ${lock.holderName}, not by you`, { holder: lock.holder, holderName: lock.holderName });
    }
    return lock;
  }

  /**
   * Deletes a lock with its event, and retries the waiters once the transaction commits. A
   * forced release names the peer that forced it (`by`) instead of the holder.
   */
  private async remove(t: MeshTx, lock: Lock, why: LockReleaseReason | 'expired', by?: Peer): Promise<void> {
    await t.db.run('DELETE FROM locks WHERE id = ?', [lock.id]);
    for (const listener of this.goneListeners) await listener(t, lock, why);
    if (why === 'expired') await t.emit('lock_expired', lock.holder, eventData(lock));
    else if (by) await t.emit('lock_released', by.id, { ...eventData(lock), reason: why, by: by.name });
    else await t.emit('lock_released', lock.holder, { ...eventData(lock), reason: why });
    const file = lock.path;
    t.whenCommitted(`locks.pump.${file}`, () => {
      this.pump(file);
      void this.anchors.released(file).catch((e: unknown) => this.ctx.log.error(e instanceof Error ? e : String(e)));
    });
  }

  private async releaseAllOf(t: MeshTx, holder: string, reason: GoneReason): Promise<void> {
    const now = this.ctx.clock.now();
    for (const row of await t.db.all<LockRow>('SELECT * FROM locks WHERE holder = ? ORDER BY id', [holder])) {
      if (row.expires_at <= now) await this.remove(t, toLock(row), 'expired');
      else await this.remove(t, toLock(row), reason);
    }
    t.whenCommitted(`locks.cancel.${holder}`, () =>
      this.cancelWaits(holder, new BrokerError('unavailable', `peer ${holder} left the mesh while waiting for a lock`)));
  }

  private cancelWaits(holder: string | undefined, error: BrokerError): void {
    const taken = this.queue.takeAll(holder);
    for (const w of taken) {
      this.ctx.timers.clearTimeout(w.timer);
      w.reject(error);
    }
    if (taken.length > 0 && !this.disposed) this.pump();
  }

  /**
   * Grants every waiter that can go now, in arrival order: those on `path`, or all of them.
   * Waiters elsewhere cannot have been unblocked, so they are not retried. One pump runs at a
   * time; a call while it runs adds its paths to the running one's next round.
   */
  private pump(path?: string): void {
    if (path === undefined) this.dirty = 'all';
    else if (this.dirty !== 'all') this.dirty.add(path);
    if (this.pumping) return;
    this.pumping = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.dirty === 'all' || this.dirty.size > 0) {
        const dirty = this.dirty;
        this.dirty = new Set();
        for (const w of this.queue.all()) if (dirty === 'all' || dirty.has(w.target.path)) await this.tryWaiter(w);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async tryWaiter(w: LockWaiter): Promise<void> {
    if (!this.queue.has(w)) return;
    let attempt: Attempt | null;
    try {
      attempt = await this.ctx.tx(async (t) => {
        // Checked inside: the waiter may have ended while this waited for its turn.
        if (!this.queue.has(w)) return null;
        // A symbol is looked for again: it may have moved while this waited.
        const tried = await this.attempt(t, w.holder, await this.anchors.symbolLines(t, w.target), w.reason, w.ttlMs, this.ctx.clock.now(), { reentrant: w.reentrant, self: w });
        // Nobody would receive a lock granted to a waiter that ended meanwhile (a store that
        // answers over the network lets a cancel or deadline in): roll it back.
        if ('lock' in tried && !this.queue.has(w)) throw new WaiterGone();
        return tried;
      });
    } catch (e) {
      if (e instanceof WaiterGone) return;
      if (this.queue.has(w)) {
        this.settle(w);
        w.reject(e instanceof Error ? e : new Error(String(e)));
      }
      return;
    }
    if (attempt && 'lock' in attempt) {
      this.settle(w);
      w.resolve(attempt);
    }
  }

  private async onDeadline(w: LockWaiter): Promise<void> {
    if (!this.queue.has(w)) return;
    // A last chance, in case the lock freed at this very moment.
    await this.tryWaiter(w);
    if (!this.queue.has(w)) return;
    this.settle(w);
    const now = this.ctx.clock.now();
    const ahead = this.queue.firstAhead(w.holder, w.target, w, !w.reentrant);
    let blocker: Blocker | undefined;
    try {
      blocker = await this.ctx.tx(async (t) => {
        const lock = await this.conflicting(t, w.holder, w.target, now, !w.reentrant);
        return lock.length > 0
          ? { lock: lock[0], more: lock.length - 1 }
          : ahead && { queued: ahead, holderName: (await this.peers.getIn(t, ahead.holder))?.name ?? ahead.holder };
      });
    } catch {
      blocker = undefined;
    }
    // The wait asked for, not the time since: a busy event loop runs the timer late, and
    // "timed out after 3s" for a 2 s wait reads as if the wait had been ignored.
    w.reject(timeoutError(w.target, w.deadline - w.startedAt, blocker, now, w.holder));
    this.pump(w.target.path); // later waiters that only queued behind this one may go now
  }

  private onCancel(w: LockWaiter): void {
    if (!this.queue.has(w)) return;
    this.settle(w);
    w.reject(new BrokerError('cancelled', `stopped waiting for ${w.target.relPath}: the request was cancelled`));
    this.pump(w.target.path); // later waiters that only queued behind this one may go now
  }

  private settle(w: LockWaiter): void {
    this.queue.remove(w);
    this.ctx.timers.clearTimeout(w.timer);
  }

  private ttlMs(ttlSeconds: number | undefined): number {
    const ttl = ttlSeconds ?? this.ctx.settings.lockTtlSeconds;
    if (!(ttl > 0) || ttl > limits.ttlSeconds) throw new BrokerError('invalidInput', `ttlSeconds must be between 1 and ${limits.ttlSeconds}`);
    return Math.round(ttl * 1000);
  }
}

/** Rolls back a grant whose waiter ended while it was being made. */
class WaiterGone extends Error {}

function checkReason(reason: string | undefined): string {
  const r = reason ?? '';
  if (typeof r !== 'string' || r.length > limits.reason) throw new BrokerError('invalidInput', `reason must be at most ${limits.reason} characters`);
  return r;
}
