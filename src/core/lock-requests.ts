/**
 * Release requests: asking a claim's holder to let go instead of only waiting or giving up.
 *
 * - A request names one claim of another peer (by id, or each claim in the way of a target)
 *   and says why. Asking again for the same claim while it is open is the same request.
 * - The holder answers: `release` (the claim goes), `deny` (with a reason, told to the
 *   requester), or `narrow` (it keeps a smaller range inside its claim; the rest is free).
 *   Releasing or narrowing answers every open request on that claim; a deny answers one.
 * - A requester that asked to wait also queues an acquire (the FIFO wait queue of locks.ts):
 *   it is granted the moment the claim frees; a deny ends that wait with the holder's reason.
 * - Requests end with their claim: released by its holder in any way (`released`), or gone
 *   otherwise (expired, its holder left, the person took it: `ended`); and with a requester
 *   that leaves the mesh.
 * - A request unanswered for `lockRequestEscalateMs` escalates to the person (the sweep):
 *   still answerable by the holder, and the person may answer on its own claims or force-release.
 * - Answered and ended requests are kept for `retention.eventsMs`, then pruned.
 */
import { BrokerError } from '../protocol/errors';
import type { LineSpan, Lock, LockRequestStatus } from '../protocol/entities';
import type { LockTarget } from '../protocol/methods';
import type { LockAnswer, LockRequest } from '../protocol/requests/release';
import { limits } from '../protocol/limits';
import type { LockRequestsService, MeshCounts } from './api';
import type { MeshContext, MeshTx } from './context';
import { newsItems } from './coordination-news';
import type { Locks } from './locks';
import { describeTarget } from './paths';
import type { Peers } from './peers';
import type { MeshService } from './service';
import type { SqlTx } from './sql';

interface RequestRow {
  id: number; lock_id: number; path: string; rel_path: string; start_line: number | null; end_line: number | null;
  holder: string; holder_name: string; requester: string; requester_name: string; reason: string;
  status: LockRequestStatus; answer: string | null; kept_start: number | null; kept_end: number | null;
  created_at: number; escalate_at: number | null; answered_at: number | null; seen: number;
}

const openStatus = "status IN ('open', 'escalated')";

function toRequest(r: RequestRow): LockRequest {
  return {
    id: r.id, lockId: r.lock_id, path: r.path, relPath: r.rel_path, startLine: r.start_line, endLine: r.end_line,
    holder: r.holder, holderName: r.holder_name, requester: r.requester, requesterName: r.requester_name,
    reason: r.reason, status: r.status, createdAt: r.created_at, escalateAt: r.escalate_at,
    ...(r.answer !== null && { answer: r.answer }),
    ...(r.kept_start !== null && r.kept_end !== null && { kept: { startLine: r.kept_start, endLine: r.kept_end } }),
  };
}

/** What the request events carry: who asked whom for what, and how it stands. */
function eventData(r: LockRequest) {
  return {
    id: r.id, lockId: r.lockId, path: r.path, relPath: r.relPath, startLine: r.startLine, endLine: r.endLine,
    holder: r.holder, holderName: r.holderName, requester: r.requester, requesterName: r.requesterName,
    status: r.status, ...(r.kept && { kept: r.kept }),
  };
}

export class LockRequests implements LockRequestsService, MeshService {
  /** The waits of requesters that asked to wait, by request id: a deny aborts them. */
  private readonly waits = new Map<number, AbortController>();

  constructor(
    private readonly ctx: MeshContext,
    private readonly peers: Peers,
    private readonly locks: Locks,
  ) {
    locks.onLockGone((t, lock, why) => this.lockGone(t, lock, why === 'released' ? 'released' : 'ended'));
    peers.onGone((t, peerId) => this.requesterGone(t, peerId));
  }

  async request(caller: string, which: { lockId?: number; target?: LockTarget }, opts: { reason: string; waitMs?: number; signal?: AbortSignal }): Promise<{ requests: LockRequest[]; granted?: Lock }> {
    const reason = opts.reason.trim();
    if (reason.length === 0 || reason.length > limits.reason) throw new BrokerError('invalidInput', `say why you need it, in at most ${limits.reason} characters`);
    if ((which.lockId === undefined) === (which.target === undefined)) throw new BrokerError('invalidInput', 'give the lockId or the target, one of them');
    const now = this.ctx.clock.now();
    const { requests, target } = await this.ctx.tx(async (t) => {
      const me = await this.peers.requireLiveIn(t, caller);
      let held: Lock[];
      let wanted: LockTarget;
      if (which.lockId !== undefined) {
        const lock = await this.locks.liveLock(t, which.lockId, now);
        if (!lock) throw new BrokerError('notFound', `no lock ${which.lockId}: it was released or has expired; acquire what you need`);
        if (lock.holder === caller) throw new BrokerError('invalidInput', `lock ${lock.id} on ${describeTarget(lock)} is yours: release it yourself`);
        held = [lock];
        wanted = { path: lock.path, ...(lock.startLine !== null && lock.endLine !== null && { startLine: lock.startLine, endLine: lock.endLine }) };
      } else {
        const found = await this.locks.blockersIn(t, caller, which.target!, now);
        if (found.locks.length === 0) throw new BrokerError('notFound', `no other peer holds ${describeTarget(found.target)}: acquire it`);
        held = found.locks;
        wanted = { path: found.target.path, ...(found.target.startLine !== null && found.target.endLine !== null && { startLine: found.target.startLine, endLine: found.target.endLine }) };
      }
      const made: LockRequest[] = [];
      for (const lock of held) made.push(await this.ask(t, me, lock, wanted, reason, now));
      return { requests: made, target: wanted };
    });
    if (!opts.waitMs) return { requests };
    // A deny aborts this wait (the holder's reason goes in the error); so does the caller giving up.
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    for (const r of requests) this.waits.set(r.id, stop);
    try {
      const { lock } = await this.locks.acquire(caller, target, { reason, waitMs: opts.waitMs, signal: stop.signal });
      return { requests, granted: lock };
    } catch (e) {
      const denied = stop.signal.reason instanceof BrokerError && !opts.signal?.aborted ? stop.signal.reason : undefined;
      throw BrokerError.is(e, 'cancelled') && denied ? denied : e;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      for (const r of requests) if (this.waits.get(r.id) === stop) this.waits.delete(r.id);
    }
  }

  async answer(caller: string, id: number, how: { answer: LockAnswer; reason?: string; startLine?: number; endLine?: number }): Promise<{ request: LockRequest; lock?: Lock }> {
    const reason = how.reason?.trim() ?? '';
    if (reason.length > limits.reason) throw new BrokerError('invalidInput', `reason must be at most ${limits.reason} characters`);
    if (how.answer !== 'narrow' && (how.startLine !== undefined || how.endLine !== undefined)) {
      throw new BrokerError('invalidInput', 'startLine and endLine go with answer narrow: the lines you keep');
    }
    const now = this.ctx.clock.now();
    return this.ctx.tx(async (t) => {
      await this.peers.requireLiveIn(t, caller);
      const row = await t.db.get<RequestRow>('SELECT * FROM lock_requests WHERE id = ?', [id]);
      if (!row) throw new BrokerError('notFound', `no release request #${id}`);
      if (row.holder !== caller) throw new BrokerError('notHolder', `release request #${id} is for ${row.holder_name}'s lock ${row.lock_id}, not yours`, { holder: row.holder, holderName: row.holder_name });
      if (row.status !== 'open' && row.status !== 'escalated') throw new BrokerError('invalidInput', `release request #${id} was already answered: ${row.status}`);
      const lock = await this.locks.liveLock(t, row.lock_id, now);
      if (!lock) throw new BrokerError('notFound', `lock ${row.lock_id} is gone already (released or expired): nothing to answer`);
      switch (how.answer) {
        case 'release':
          // Every open request on the claim is answered as it goes (lockGone).
          await this.locks.releaseIn(t, lock);
          return { request: await this.get(t, id) };
        case 'deny': {
          if (reason.length === 0) throw new BrokerError('invalidInput', `say why you keep lock ${lock.id}: the reason is told to ${row.requester_name}`);
          const request = await this.settle(t, row, 'denied', now, { answer: reason });
          const wait = this.waits.get(id);
          if (wait) {
            const denied = new BrokerError('lockConflict', `${lock.holderName} denied your request for ${describeTarget(lock)}: ${reason}`, {
              holder: lock.holder, holderName: lock.holderName, reason, expiresInMs: Math.max(0, lock.expiresAt - now), lock,
            });
            t.whenCommitted(`lockRequests.deny.${id}`, () => wait.abort(denied));
          }
          return { request };
        }
        case 'narrow': {
          const keep = this.kept(lock, how);
          const narrowed = await this.locks.narrowIn(t, lock, keep);
          const open = await t.db.all<RequestRow>(`SELECT * FROM lock_requests WHERE lock_id = ? AND ${openStatus} ORDER BY id`, [lock.id]);
          for (const r of open) await this.settle(t, r, 'narrowed', now, { kept: keep });
          return { request: await this.get(t, id), lock: narrowed };
        }
      }
    });
  }

  async news(caller: string, opts: { seen?: boolean }): Promise<{ toYou: LockRequest[]; answered: LockRequest[] }> {
    return this.ctx.tx(async (t) => {
      await this.peers.requireIn(t, caller);
      const toYou = await t.db.all<RequestRow>(`SELECT * FROM lock_requests WHERE holder = ? AND ${openStatus} ORDER BY id LIMIT ?`, [caller, newsItems]);
      const answered = await t.db.all<RequestRow>(`SELECT * FROM lock_requests WHERE requester = ? AND seen = 0 AND NOT ${openStatus} ORDER BY answered_at, id LIMIT ?`, [caller, newsItems]);
      if (opts.seen && answered.length > 0) {
        await t.db.run('UPDATE lock_requests SET seen = 1 WHERE id IN (SELECT value FROM json_each(?))', [JSON.stringify(answered.map((r) => r.id))]);
      }
      return { toYou: toYou.map(toRequest), answered: answered.map(toRequest) };
    });
  }

  /** Escalates the requests unanswered past their time; prunes settled ones past retention. */
  async sweep(t: MeshTx, now: number): Promise<{ requestsEscalated: number; requests: number }> {
    const due = await t.db.all<RequestRow>("SELECT * FROM lock_requests WHERE status = 'open' AND escalate_at <= ? ORDER BY escalate_at, id", [now]);
    for (const row of due) {
      await t.db.run("UPDATE lock_requests SET status = 'escalated', escalate_at = NULL WHERE id = ?", [row.id]);
      await t.emit('lock_request_escalated', row.requester, eventData({ ...toRequest(row), status: 'escalated', escalateAt: null }));
    }
    const { changes } = await t.db.run(`DELETE FROM lock_requests WHERE NOT ${openStatus} AND answered_at < ?`, [now - this.ctx.settings.retention.eventsMs]);
    return { requestsEscalated: due.length, requests: changes };
  }

  async nextExpiry(tx: SqlTx): Promise<number | null> {
    return (await tx.get<{ t: number | null }>("SELECT MIN(escalate_at) AS t FROM lock_requests WHERE status = 'open'"))?.t ?? null;
  }

  async counts(): Promise<Partial<MeshCounts>> {
    return {};
  }

  dispose(): void {
    for (const wait of this.waits.values()) wait.abort();
    this.waits.clear();
  }

  /** The open request of `me` on `lock`, or a new one (`lock_release_requested`). */
  private async ask(t: MeshTx, me: { id: string; name: string }, lock: Lock, wanted: LockTarget, reason: string, now: number): Promise<LockRequest> {
    const open = await t.db.get<RequestRow>(`SELECT * FROM lock_requests WHERE lock_id = ? AND requester = ? AND ${openStatus}`, [lock.id, me.id]);
    if (open) return toRequest(open);
    const { lastInsertRowid: id } = await t.db.run(
      `INSERT INTO lock_requests (lock_id, path, rel_path, start_line, end_line, holder, holder_name, requester, requester_name, reason, status, created_at, escalate_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
      [lock.id, lock.path, lock.relPath, wanted.startLine ?? null, wanted.endLine ?? null, lock.holder, lock.holderName, me.id, me.name, reason, now,
        now + this.ctx.settings.lockRequestEscalateMs],
    );
    const request = await this.get(t, id);
    await t.emit('lock_release_requested', me.id, eventData(request));
    return request;
  }

  /** The lines a narrowing keeps: given, inside the claim, and fewer than it has. */
  private kept(lock: Lock, how: { startLine?: number; endLine?: number }): LineSpan {
    if (how.startLine === undefined || how.endLine === undefined) throw new BrokerError('invalidInput', 'narrow needs startLine and endLine: the lines you keep');
    const keep = { startLine: how.startLine, endLine: how.endLine };
    if (!Number.isInteger(keep.startLine) || !Number.isInteger(keep.endLine) || keep.startLine < 1 || keep.startLine > keep.endLine) {
      throw new BrokerError('invalidInput', `lines ${keep.startLine}-${keep.endLine} are not a range: give startLine ≤ endLine, from 1`);
    }
    if (lock.startLine !== null && lock.endLine !== null
      && (keep.startLine < lock.startLine || keep.endLine > lock.endLine || (keep.startLine === lock.startLine && keep.endLine === lock.endLine))) {
      throw new BrokerError('invalidInput', `narrow keeps a smaller range inside your lock ${lock.id} (lines ${lock.startLine}-${lock.endLine}); ${keep.startLine}-${keep.endLine} is not one`);
    }
    return keep;
  }

  private async get(t: MeshTx, id: number): Promise<LockRequest> {
    return toRequest((await t.db.get<RequestRow>('SELECT * FROM lock_requests WHERE id = ?', [id]))!);
  }

  /** Ends request `row` as `status` (`lock_request_answered`). */
  private async settle(t: MeshTx, row: RequestRow, status: LockRequestStatus, now: number, extra: { answer?: string; kept?: LineSpan } = {}): Promise<LockRequest> {
    await t.db.run('UPDATE lock_requests SET status = ?, answer = ?, kept_start = ?, kept_end = ?, escalate_at = NULL, answered_at = ? WHERE id = ?',
      [status, extra.answer ?? null, extra.kept?.startLine ?? null, extra.kept?.endLine ?? null, now, row.id]);
    const request = await this.get(t, row.id);
    await t.emit('lock_request_answered', row.holder, eventData(request));
    return request;
  }

  /** A claim went: its open requests end with it. */
  private async lockGone(t: MeshTx, lock: Lock, status: 'released' | 'ended'): Promise<void> {
    const now = this.ctx.clock.now();
    for (const row of await t.db.all<RequestRow>(`SELECT * FROM lock_requests WHERE lock_id = ? AND ${openStatus} ORDER BY id`, [lock.id])) {
      await this.settle(t, row, status, now);
    }
  }

  /** A requester left the mesh: nobody waits for its requests' answers any more. */
  private async requesterGone(t: MeshTx, peerId: string): Promise<void> {
    const now = this.ctx.clock.now();
    for (const row of await t.db.all<RequestRow>(`SELECT * FROM lock_requests WHERE requester = ? AND ${openStatus} ORDER BY id`, [peerId])) {
      await this.settle(t, row, 'ended', now);
    }
  }
}
