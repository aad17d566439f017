import assert from 'node:assert/strict';
import { BrokerError } from '../../../src/protocol/errors';
import type { Lock } from '../../../src/protocol/entities';
import { ManualClock } from '../../../src/core/clock';
import type { Timers } from '../../../src/core/timers';
import { FakeTimers, flush, gitRepo, harness, join, peersInRepo, type Harness } from './helpers';

type Outcome = { ok: Lock; renewed: boolean } | { error: BrokerError };

/** Starts a request and records how it ends, so tests can look at it at any moment. */
function track(p: Promise<{ lock: Lock; renewed: boolean }>): { outcome: Outcome | undefined } {
  const box: { outcome: Outcome | undefined } = { outcome: undefined };
  p.then(
    (r) => (box.outcome = { ok: r.lock, renewed: r.renewed }),
    (e: BrokerError) => (box.outcome = { error: e }),
  );
  return box;
}

function granted(box: { outcome: Outcome | undefined }): Lock {
  assert.ok(box.outcome && 'ok' in box.outcome, `expected a grant, got ${JSON.stringify(box.outcome)}`);
  return box.outcome.ok;
}

function failed(box: { outcome: Outcome | undefined }, reason: BrokerError['reason']): BrokerError {
  assert.ok(box.outcome && 'error' in box.outcome, `expected ${reason}, got ${JSON.stringify(box.outcome)}`);
  assert.ok(BrokerError.is(box.outcome.error, reason), `expected ${reason}, got ${String(box.outcome.error)}`);
  return box.outcome.error;
}

describe('core/locks: waiting', () => {
  let h: Harness;
  let a: string;
  let b: string;
  let c: string;
  const file = { path: 'src/a.ts' };
  const range = (startLine: number, endLine: number) => ({ path: 'src/a.ts', startLine, endLine });

  beforeEach(async () => {
    ({ h, ids: [a, b, c] } = await peersInRepo('claude-1', 'cursor-1', 'codex-1'));
  });

  afterEach(() => h.mesh.dispose());

  it('locks/list says how many requests of other peers wait for each lock', async () => {
    await h.mesh.locks.acquire(a, range(1, 10), { reason: 'mine' });
    await h.mesh.locks.acquire(a, range(20, 30), { reason: 'also mine' });
    const first = track(h.mesh.locks.acquire(b, range(5, 6), { reason: '', waitMs: 60_000 }));
    const second = track(h.mesh.locks.acquire(c, range(9, 12), { reason: '', waitMs: 60_000 }));
    await flush();
    const listed = await h.mesh.locks.list({});
    assert.deepEqual(listed.map((l) => [l.startLine, l.waiting]), [[1, 2], [20, 0]]);
    await h.mesh.locks.releaseAll(a);
    await flush();
    assert.equal(granted(first).holder, b);
    // b's 5–6 and c's 9–12 do not overlap: both are granted.
    assert.equal(granted(second).holder, c);
    assert.deepEqual((await h.mesh.locks.list({})).map((l) => l.waiting), [0, 0]);
  });

  it('a waiter gets the lock as soon as it is released', async () => {
    const held = await h.mesh.locks.acquire(a, file, { reason: 'mine' });
    const wait = track(h.mesh.locks.acquire(b, file, { reason: 'next', waitMs: 60_000 }));
    await h.timers.advance(5_000);
    assert.equal(wait.outcome, undefined);
    assert.equal(h.mesh.locks.waiting(), 1);
    await h.mesh.locks.release(a, { lockId: held.lock.id });
    await flush();
    const lock = granted(wait);
    assert.equal(lock.holder, b);
    assert.equal(lock.reason, 'next');
    assert.equal(lock.createdAt, h.clock.now());
    assert.equal(h.mesh.locks.waiting(), 0);
    assert.equal(h.timers.size, 1, 'only the wake-up timer is left: the deadline timer was cleared');
  });

  it('waiters for overlapping targets are served first come, first served', async () => {
    const held = await h.mesh.locks.acquire(a, file, { reason: '' });
    const first = track(h.mesh.locks.acquire(c, range(1, 10), { reason: '', waitMs: 60_000 }));
    const second = track(h.mesh.locks.acquire(b, range(5, 20), { reason: '', waitMs: 60_000 }));
    await h.mesh.locks.release(a, { lockId: held.lock.id });
    await flush();
    granted(first);
    assert.equal(second.outcome, undefined, 'the later waiter stays queued behind the lock the first one got');
    await h.mesh.locks.release(c, { target: range(1, 10) });
    await flush();
    assert.equal(granted(second).holder, b);
  });

  it('a later waiter for a disjoint range goes ahead of a blocked earlier one', async () => {
    await h.mesh.locks.acquire(a, range(1, 10), { reason: '' });
    await h.mesh.locks.acquire(a, range(50, 60), { reason: '' });
    const blocked = track(h.mesh.locks.acquire(b, range(1, 5), { reason: '', waitMs: 60_000 }));
    const disjoint = track(h.mesh.locks.acquire(c, range(50, 50), { reason: '', waitMs: 60_000 }));
    await h.mesh.locks.release(a, { target: range(50, 60) });
    await flush();
    granted(disjoint);
    assert.equal(blocked.outcome, undefined);
  });

  it('strict FIFO: a fresh request overlapping a queued one conflicts, naming the queued peer', async () => {
    await h.mesh.locks.acquire(a, range(1, 10), { reason: '' });
    const queued = track(h.mesh.locks.acquire(b, range(5, 20), { reason: 'tests', waitMs: 60_000 }));
    // 15-20 is free of locks, but b is in line for it.
    let error: unknown;
    await h.mesh.locks.acquire(c, range(15, 20), { reason: '' }).catch((e: unknown) => (error = e));
    assert.ok(BrokerError.is(error, 'lockConflict'));
    assert.match(error.message, /src\/a\.ts:5-20 is claimed next by cursor-1 \("tests"\), queued earlier/);
    assert.equal(error.data?.holder, b);
    assert.equal(error.data?.queued, true);
    assert.equal((error.data?.lock as Lock).id, 0);
    // A fresh request that waits queues behind b instead.
    const later = track(h.mesh.locks.acquire(c, range(15, 20), { reason: '', waitMs: 60_000 }));
    await h.mesh.locks.release(a, { target: range(1, 10) });
    await flush();
    granted(queued);
    assert.equal(later.outcome, undefined);
    await h.mesh.locks.release(b, { target: range(5, 20) });
    await flush();
    granted(later);
    // Renewing what one already holds never waits in line.
    const renew = await h.mesh.locks.acquire(c, range(15, 20), { reason: '' });
    assert.equal(renew.renewed, true);
  });

  it('times out at the deadline, naming the holder', async () => {
    await h.mesh.locks.acquire(a, range(10, 20), { reason: 'refactoring parser', ttlSeconds: 600 });
    const wait = track(h.mesh.locks.acquire(b, range(15, 16), { reason: '', waitMs: 30_000 }));
    await h.timers.advance(29_999);
    assert.equal(wait.outcome, undefined);
    await h.timers.advance(1);
    const e = failed(wait, 'timeout');
    assert.equal(e.message, 'timed out after 30s waiting for src/a.ts:15-16: src/a.ts:10-20 is locked by claude-1 ("refactoring parser") for another 9m 30s');
    assert.equal(e.data?.holder, a);
    assert.equal(e.data?.waitedMs, 30_000);
    assert.equal(h.mesh.locks.waiting(), 0);
  });

  it('a timeout reports the wait that was asked for, even when its timer fires late', async () => {
    // A busy event loop runs timers late: this one fires 700 ms after the deadline.
    const clock = new ManualClock();
    const fake = new FakeTimers(clock);
    const late: Timers = { setTimeout: (fn, ms) => fake.setTimeout(fn, ms + 700), clearTimeout: (t) => fake.clearTimeout(t) };
    const slow = await harness({ clock, timers: late });
    try {
      const repo = gitRepo();
      const x = (await join(slow.mesh, 'claude-1', repo)).id;
      const y = (await join(slow.mesh, 'cursor-1', repo)).id;
      await slow.mesh.locks.acquire(x, file, { reason: '', ttlSeconds: 600 });
      const wait = track(slow.mesh.locks.acquire(y, file, { reason: '', waitMs: 2_000 }));
      await flush(); // queued, its deadline timer set
      await fake.advance(2_700);
      const e = failed(wait, 'timeout');
      assert.match(e.message, /^timed out after 2s waiting for src\/a\.ts: /);
      assert.equal(e.data?.waitedMs, 2_000);
    } finally {
      slow.mesh.dispose();
    }
  });

  it('a waiter that times out unblocks the waiters queued behind it', async () => {
    await h.mesh.locks.acquire(a, range(1, 10), { reason: '' });
    const first = track(h.mesh.locks.acquire(b, range(1, 20), { reason: '', waitMs: 10_000 }));
    const second = track(h.mesh.locks.acquire(c, range(15, 20), { reason: '', waitMs: 60_000 }));
    await flush(); // both queued (the store answers asynchronously)
    await h.timers.advance(10_000);
    failed(first, 'timeout');
    granted(second);
  });

  it('a cancelled wait is never granted, and unblocks the waiters queued behind it', async () => {
    await h.mesh.locks.acquire(a, range(1, 10), { reason: '' });
    const abort = new AbortController();
    const first = track(h.mesh.locks.acquire(b, range(1, 20), { reason: '', waitMs: 60_000, signal: abort.signal }));
    const second = track(h.mesh.locks.acquire(c, range(15, 20), { reason: '', waitMs: 60_000 }));
    await flush();
    assert.equal(second.outcome, undefined, 'queued behind the first waiter');
    abort.abort();
    await flush();
    failed(first, 'cancelled');
    granted(second);
    await h.mesh.locks.release(a, { target: range(1, 10) });
    await flush();
    assert.deepEqual(await h.mesh.locks.list({ holder: b }), [], 'the cancelled peer got nothing');
    const already = new AbortController();
    already.abort();
    const late = track(h.mesh.locks.acquire(b, range(15, 20), { reason: '', waitMs: 60_000, signal: already.signal }));
    await flush();
    failed(late, 'cancelled');
    assert.equal(h.mesh.locks.waiting(), 0);
  });

  it('is woken when the blocking lock expires, by the wake-up timer', async () => {
    await h.mesh.locks.acquire(a, file, { reason: '', ttlSeconds: 20 });
    const wait = track(h.mesh.locks.acquire(b, file, { reason: '', waitMs: 60_000 }));
    await h.timers.advance(19_999);
    assert.equal(wait.outcome, undefined);
    await h.timers.advance(1);
    assert.equal(granted(wait).holder, b);
    const types = (await h.mesh.events.read(0, ['lock_acquired', 'lock_expired'], 10)).events.map((e) => [e.type, e.peer]);
    assert.deepEqual(types, [['lock_acquired', a], ['lock_expired', a], ['lock_acquired', b]]);
  });

  it('a lock that expires at the same moment as the deadline is granted, not timed out', async () => {
    await h.mesh.locks.acquire(a, file, { reason: '', ttlSeconds: 30 });
    const wait = track(h.mesh.locks.acquire(b, file, { reason: '', waitMs: 30_000 }));
    await h.timers.advance(30_000);
    granted(wait);
  });

  it('is woken when the holder leaves, or its grace period ends', async () => {
    await h.mesh.locks.acquire(a, file, { reason: '' });
    const wait = track(h.mesh.locks.acquire(b, file, { reason: '', waitMs: 60_000 }));
    await h.mesh.peers.leave(a);
    await flush();
    granted(wait);

    const wait2 = track(h.mesh.locks.acquire(c, file, { reason: '', waitMs: 60_000 }));
    await h.mesh.peers.disconnected(b);
    await h.timers.advance(14_000);
    assert.equal(wait2.outcome, undefined);
    await h.timers.advance(1_000);
    assert.equal(granted(wait2).holder, c);
  });

  it('the waits of a peer that leaves or disconnects are rejected', async () => {
    await h.mesh.locks.acquire(a, file, { reason: '' });
    const left = track(h.mesh.locks.acquire(b, file, { reason: '', waitMs: 60_000 }));
    const dropped = track(h.mesh.locks.acquire(c, range(1, 2), { reason: '', waitMs: 60_000 }));
    await h.mesh.peers.leave(b);
    await h.mesh.peers.disconnected(c);
    await flush();
    failed(left, 'unavailable');
    failed(dropped, 'unavailable');
    assert.equal(h.mesh.locks.waiting(), 0);
  });

  it('dispose rejects pending waits with unavailable and refuses new ones', async () => {
    await h.mesh.locks.acquire(a, file, { reason: '' });
    const wait = track(h.mesh.locks.acquire(b, file, { reason: '', waitMs: 60_000 }));
    h.mesh.dispose();
    await flush();
    failed(wait, 'unavailable');
    const after = track(h.mesh.locks.acquire(b, file, { reason: '', waitMs: 1000 }));
    await flush();
    failed(after, 'unavailable');
    assert.equal(h.timers.size, 0);
  });
});
