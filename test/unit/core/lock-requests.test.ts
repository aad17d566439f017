import assert from 'node:assert/strict';
import path from 'node:path';
import { BrokerError } from '../../../src/protocol/errors';
import type { Lock, MeshEvent, MeshEventOf } from '../../../src/protocol/entities';
import { flush, gitRepo, harness, join, rejectsReason, writeFile, type Harness } from './helpers';

type Outcome<T> = { ok: T } | { error: BrokerError };

/** Starts `p` and records how it ends, so a test can look at any moment. */
function track<T>(p: Promise<T>): { outcome: Outcome<T> | undefined } {
  const box: { outcome: Outcome<T> | undefined } = { outcome: undefined };
  p.then((ok) => (box.outcome = { ok }), (error: BrokerError) => (box.outcome = { error }));
  return box;
}

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

describe('core/lock-requests', () => {
  let h: Harness;
  let a: string;
  let b: string;
  let c: string;
  let repo: string;
  const escalateMs = 60_000;
  const range = (startLine: number, endLine: number) => ({ path: 'src/a.ts', startLine, endLine });
  const events: MeshEvent[] = [];

  beforeEach(async () => {
    h = await harness({ lockRequestEscalateMs: escalateMs });
    repo = gitRepo();
    writeFile(path.join(repo, 'src', 'a.ts'), lines(40));
    a = (await join(h.mesh, 'claude-1', repo)).id;
    b = (await join(h.mesh, 'cursor-1', repo)).id;
    c = (await join(h.mesh, 'codex-1', repo)).id;
    events.length = 0;
    h.mesh.onEvent((e) => events.push(e));
  });

  afterEach(() => h.mesh.dispose());

  const typed = <T extends MeshEvent['type']>(type: T) => events.filter((e): e is MeshEventOf<T> => e.type === type);

  it('a request reaches the holder with the reason, and is the same request when asked again', async () => {
    const { lock } = await h.mesh.locks.acquire(a, range(1, 20), { reason: 'refactoring' });
    const { requests: [r] } = await h.mesh.lockRequests.request(b, { target: range(10, 12) }, { reason: 'fixing the parser bug' });
    assert.equal(r.lockId, lock.id);
    assert.equal(r.status, 'open');
    assert.deepEqual([r.startLine, r.endLine], [10, 12]);
    const news = await h.mesh.lockRequests.news(a, { seen: true });
    assert.deepEqual(news.toYou.map((x) => [x.id, x.requesterName, x.reason]), [[r.id, 'cursor-1', 'fixing the parser bug']]);
    // Open requests stay in the holder's news until answered.
    assert.equal((await h.mesh.lockRequests.news(a, { seen: true })).toYou.length, 1);
    const again = await h.mesh.lockRequests.request(b, { lockId: lock.id }, { reason: 'please' });
    assert.equal(again.requests[0].id, r.id);
    assert.equal(typed('lock_release_requested').length, 1);
    assert.deepEqual((await h.mesh.lockRequests.news(b, {})).toYou, []);
  });

  it('one request per claim in the way of the target', async () => {
    await h.mesh.locks.acquire(a, range(1, 5), { reason: '' });
    await h.mesh.locks.acquire(c, range(6, 9), { reason: '' });
    const { requests } = await h.mesh.lockRequests.request(b, { target: range(4, 7) }, { reason: 'need both' });
    assert.deepEqual(requests.map((r) => r.holderName), ['claude-1', 'codex-1']);
  });

  it('asking for your own lock, a lock that is gone, or a free target is a clear error', async () => {
    const { lock } = await h.mesh.locks.acquire(a, range(1, 5), { reason: '' });
    const own = await rejectsReason(h.mesh.lockRequests.request(a, { lockId: lock.id }, { reason: 'x' }), 'invalidInput');
    assert.match(own.message, /is yours: release it yourself/);
    await rejectsReason(h.mesh.lockRequests.request(a, { target: range(1, 5) }, { reason: 'x' }), 'notFound');
    await h.mesh.locks.release(a, { lockId: lock.id });
    const gone = await rejectsReason(h.mesh.lockRequests.request(b, { lockId: lock.id }, { reason: 'x' }), 'notFound');
    assert.match(gone.message, /released or has expired/);
    const free = await rejectsReason(h.mesh.lockRequests.request(b, { target: range(1, 5) }, { reason: 'x' }), 'notFound');
    assert.match(free.message, /no other peer holds src\/a\.ts:1-5: acquire it/);
    await rejectsReason(h.mesh.lockRequests.request(b, { target: range(1, 5) }, { reason: '  ' }), 'invalidInput');
  });

  it('release: the claim goes, the waiting requester is granted it, and hears the answer', async () => {
    const { lock } = await h.mesh.locks.acquire(a, range(1, 20), { reason: '' });
    const waiting = track(h.mesh.lockRequests.request(b, { lockId: lock.id }, { reason: 'mine next', waitMs: 60_000 }));
    await flush();
    assert.equal(h.mesh.locks.waiting(), 1);
    const [r] = (await h.mesh.lockRequests.news(a, {})).toYou;
    const { request } = await h.mesh.lockRequests.answer(a, r.id, { answer: 'release' });
    assert.equal(request.status, 'released');
    await flush();
    assert.ok(waiting.outcome && 'ok' in waiting.outcome, JSON.stringify(waiting.outcome));
    assert.equal(waiting.outcome.ok.granted?.holder, b);
    assert.deepEqual([waiting.outcome.ok.granted?.startLine, waiting.outcome.ok.granted?.endLine], [1, 20]);
    const news = await h.mesh.lockRequests.news(b, { seen: true });
    assert.deepEqual(news.answered.map((x) => [x.id, x.status]), [[r.id, 'released']]);
    // Shown once.
    assert.deepEqual((await h.mesh.lockRequests.news(b, { seen: true })).answered, []);
    assert.deepEqual((await h.mesh.lockRequests.news(a, {})).toYou, []);
  });

  it('deny: the claim stays, the wait ends with the holder\'s reason, and the requester hears it', async () => {
    const { lock } = await h.mesh.locks.acquire(a, range(1, 20), { reason: '' });
    const waiting = track(h.mesh.lockRequests.request(b, { lockId: lock.id }, { reason: 'mine next', waitMs: 60_000 }));
    await flush();
    const [r] = (await h.mesh.lockRequests.news(a, {})).toYou;
    await rejectsReason(h.mesh.lockRequests.answer(a, r.id, { answer: 'deny' }), 'invalidInput');
    await h.mesh.lockRequests.answer(a, r.id, { answer: 'deny', reason: 'half-way through a migration' });
    await flush();
    assert.ok(waiting.outcome && 'error' in waiting.outcome);
    assert.ok(BrokerError.is(waiting.outcome.error, 'lockConflict'));
    assert.match(waiting.outcome.error.message, /claude-1 denied your request for src\/a\.ts:1-20: half-way through a migration/);
    assert.equal(h.mesh.locks.waiting(), 0);
    assert.deepEqual((await h.mesh.locks.list({})).map((l) => l.id), [lock.id]);
    const [answered] = (await h.mesh.lockRequests.news(b, { seen: true })).answered;
    assert.deepEqual([answered.status, answered.answer], ['denied', 'half-way through a migration']);
    const twice = await rejectsReason(h.mesh.lockRequests.answer(a, r.id, { answer: 'release' }), 'invalidInput');
    assert.match(twice.message, /already answered: denied/);
  });

  it('narrow: the holder keeps a smaller range, and the freed part goes to the waiting requester', async () => {
    const { lock } = await h.mesh.locks.acquire(a, range(1, 20), { reason: '' });
    const waiting = track(h.mesh.lockRequests.request(b, { target: range(15, 18) }, { reason: 'the tail', waitMs: 60_000 }));
    await flush();
    const [r] = (await h.mesh.lockRequests.news(a, {})).toYou;
    const outside = await rejectsReason(h.mesh.lockRequests.answer(a, r.id, { answer: 'narrow', startLine: 5, endLine: 25 }), 'invalidInput');
    assert.match(outside.message, /smaller range inside your lock/);
    await rejectsReason(h.mesh.lockRequests.answer(a, r.id, { answer: 'narrow', startLine: 1, endLine: 20 }), 'invalidInput');
    await rejectsReason(h.mesh.lockRequests.answer(a, r.id, { answer: 'narrow' }), 'invalidInput');
    const answered = await h.mesh.lockRequests.answer(a, r.id, { answer: 'narrow', startLine: 1, endLine: 10 });
    assert.deepEqual([answered.lock?.id, answered.lock?.startLine, answered.lock?.endLine], [lock.id, 1, 10]);
    assert.deepEqual(answered.request.kept, { startLine: 1, endLine: 10 });
    await flush();
    assert.ok(waiting.outcome && 'ok' in waiting.outcome, JSON.stringify(waiting.outcome));
    assert.deepEqual([waiting.outcome.ok.granted?.holder, waiting.outcome.ok.granted?.startLine], [b, 15]);
    const held = (await h.mesh.locks.list({})).map((l: Lock) => [l.holder, l.startLine, l.endLine]);
    assert.deepEqual(held, [[a, 1, 10], [b, 15, 18]]);
    const moved = typed('lock_moved').find((e) => e.data.id === lock.id);
    assert.deepEqual(moved?.data.from, { startLine: 1, endLine: 20 });
    // A's narrowed claim is still its claim: B cannot take line 5.
    await rejectsReason(h.mesh.locks.acquire(b, range(5, 5), { reason: '' }), 'lockConflict');
  });

  it('only the holder answers, and an unknown request is not found', async () => {
    const { lock } = await h.mesh.locks.acquire(a, range(1, 20), { reason: '' });
    const { requests: [r] } = await h.mesh.lockRequests.request(b, { lockId: lock.id }, { reason: 'x' });
    await rejectsReason(h.mesh.lockRequests.answer(c, r.id, { answer: 'release' }), 'notHolder');
    await rejectsReason(h.mesh.lockRequests.answer(b, r.id, { answer: 'release' }), 'notHolder');
    await rejectsReason(h.mesh.lockRequests.answer(a, 9999, { answer: 'release' }), 'notFound');
    await rejectsReason(h.mesh.lockRequests.answer(a, r.id, { answer: 'release', startLine: 1, endLine: 2 }), 'invalidInput');
  });

  it('requests end with their claim: released by the holder, or expired', async () => {
    const first = await h.mesh.locks.acquire(a, range(1, 5), { reason: '' });
    const second = await h.mesh.locks.acquire(a, range(10, 15), { reason: '', ttlSeconds: 30 });
    const { requests: [r1] } = await h.mesh.lockRequests.request(b, { lockId: first.lock.id }, { reason: 'x' });
    const { requests: [r2] } = await h.mesh.lockRequests.request(b, { lockId: second.lock.id }, { reason: 'y' });
    await h.mesh.locks.release(a, { lockId: first.lock.id });
    await h.timers.advance(31_000);
    const { answered } = await h.mesh.lockRequests.news(b, { seen: true });
    assert.deepEqual(answered.map((x) => [x.id, x.status]), [[r1.id, 'released'], [r2.id, 'ended']]);
    await rejectsReason(h.mesh.lockRequests.answer(a, r1.id, { answer: 'deny', reason: 'no' }), 'invalidInput');
  });

  it('an unanswered request escalates to the person after the configured time, by the sweep', async () => {
    const { lock } = await h.mesh.locks.acquire(a, range(1, 5), { reason: '' });
    const { requests: [r] } = await h.mesh.lockRequests.request(b, { lockId: lock.id }, { reason: 'blocked on it' });
    assert.equal(r.escalateAt, h.clock.now() + escalateMs);
    await h.timers.advance(escalateMs - 1000);
    assert.equal(typed('lock_request_escalated').length, 0);
    await h.timers.advance(1000);
    const escalated = typed('lock_request_escalated');
    assert.deepEqual(escalated.map((e) => [e.data.id, e.data.status, e.data.holderName, e.data.requesterName]), [[r.id, 'escalated', 'claude-1', 'cursor-1']]);
    // Still the holder's to answer, and still in its news.
    assert.deepEqual((await h.mesh.lockRequests.news(a, {})).toYou.map((x) => x.status), ['escalated']);
    await h.mesh.lockRequests.answer(a, r.id, { answer: 'deny', reason: 'later' });
    assert.deepEqual((await h.mesh.lockRequests.news(b, {})).answered.map((x) => x.status), ['denied']);
  });

  it('an answered request does not escalate', async () => {
    const { lock } = await h.mesh.locks.acquire(a, range(1, 5), { reason: '' });
    const { requests: [r] } = await h.mesh.lockRequests.request(b, { lockId: lock.id }, { reason: 'x' });
    await h.mesh.lockRequests.answer(a, r.id, { answer: 'deny', reason: 'no' });
    await h.timers.advance(escalateMs * 2);
    assert.equal(typed('lock_request_escalated').length, 0);
  });

  it('a requester that leaves ends its requests', async () => {
    const { lock } = await h.mesh.locks.acquire(a, range(1, 5), { reason: '' });
    await h.mesh.lockRequests.request(b, { lockId: lock.id }, { reason: 'x' });
    await h.mesh.peers.leave(b);
    assert.deepEqual((await h.mesh.lockRequests.news(a, {})).toYou, []);
  });

  describe('queue-honest checks', () => {
    it('a target nobody holds but others wait for is not free: the check says how many are ahead', async () => {
      const { lock } = await h.mesh.locks.acquire(a, range(1, 10), { reason: '' });
      assert.equal(await h.mesh.locks.queuedFor(b, range(20, 30)), undefined);
      const first = track(h.mesh.locks.acquire(b, range(5, 25), { reason: '', waitMs: 60_000 }));
      const second = track(h.mesh.locks.acquire(c, range(20, 22), { reason: '', waitMs: 60_000 }));
      await flush();
      // 20–30 is held by nobody, yet an acquire now would queue behind b and c.
      assert.deepEqual(await h.mesh.locks.check(a, range(20, 30)), []);
      assert.deepEqual(await h.mesh.locks.queuedFor(a, range(20, 30)), { ahead: 2, first: 'cursor-1' });
      await rejectsReason(h.mesh.locks.acquire(a, range(20, 30), { reason: '' }), 'lockConflict');
      // A peer's own waiting request is not ahead of itself.
      assert.deepEqual(await h.mesh.locks.queuedFor(b, range(20, 30)), { ahead: 1, first: 'codex-1' });
      assert.equal(await h.mesh.locks.queuedFor(a, range(30, 40)), undefined);
      await h.mesh.locks.release(a, { lockId: lock.id });
      await flush();
      assert.ok(first.outcome && 'ok' in first.outcome);
      // c still waits behind b's grant (20–22 is inside b's 5–25).
      assert.equal(second.outcome, undefined);
      assert.deepEqual(await h.mesh.locks.queuedFor(a, range(20, 30)), { ahead: 1, first: 'codex-1' });
    });
  });
});
