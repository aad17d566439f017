/**
 * The landing queue over a real sql.js mesh with a hand-moved clock: one FIFO token per branch,
 * the token passed on release, taken from a holder past its TTL or gone, gone waiters dropped,
 * stalls reported once, and waits that last until the holder ahead could be declared stale.
 */
import assert from 'node:assert/strict';
import type { EventType } from '../../../src/protocol/entities';
import { meshDefaults } from '../../../src/core/context';
import { pickupMs, staleBeatMs } from '../../../src/core/sync';
import type { SyncAnswer } from '../../../src/core/sync-waits';
import { flush, peersInRepo, rejectsReason, sha256, type Harness } from './helpers';

/** The sync events so far, each as "type who detail". */
async function syncEvents(h: Harness, since = 0): Promise<string[]> {
  const types: EventType[] = ['sync_queued', 'sync_acquired', 'sync_released', 'sync_stalled'];
  const { events } = await h.mesh.events.read(since, types, 100);
  return events.map((e) => {
    switch (e.type) {
      case 'sync_queued': return `queued ${e.data.byName} ${e.data.branch} #${e.data.position}`;
      case 'sync_acquired': return `acquired ${e.data.byName} ${e.data.branch}`;
      case 'sync_released': return `released ${e.data.whoName} ${e.data.branch} ${e.data.reason}`;
      case 'sync_stalled': return `stalled ${e.data.whoName} ${e.data.branch}`;
      default: return e.type;
    }
  });
}

describe('core: the landing queue', () => {
  let h: Harness;
  let a: string;
  let b: string;
  let c: string;

  beforeEach(async () => {
    const m = await peersInRepo('alice', 'bob', 'carol');
    h = m.h;
    [a, b, c] = m.ids;
  });

  afterEach(() => h.mesh.dispose());

  const holder = async (branch = 'main') => (await h.mesh.sync.status(c, undefined, branch))[0]?.holder?.peerName ?? null;

  it('passes one token per branch in the order asked, and keeps a place asked for again', async () => {
    assert.deepEqual(await h.mesh.sync.acquire(a, undefined, 'main').then((r) => [r.acquired, r.position]), [true, 0]);
    assert.deepEqual(await h.mesh.sync.acquire(b, undefined, 'main').then((r) => [r.acquired, r.position]), [false, 1]);
    assert.deepEqual(await h.mesh.sync.acquire(c, undefined, 'main').then((r) => [r.acquired, r.position]), [false, 2]);
    const again = await h.mesh.sync.acquire(b, undefined, 'main');
    assert.deepEqual([again.position, again.queue.waiting.map((w) => w.peerName)], [1, ['bob', 'carol']]);
    await h.mesh.sync.release(a, undefined, 'main');
    assert.equal(await holder(), 'bob');
    await h.mesh.sync.release(b, undefined, 'main');
    assert.equal(await holder(), 'carol');
    await h.mesh.sync.release(c, undefined, 'main');
    assert.deepEqual(await h.mesh.sync.status(a, undefined), [], 'an empty queue is not listed');
    assert.deepEqual(await syncEvents(h), [
      'acquired alice main', 'queued bob main #1', 'queued carol main #2',
      'released alice main released', 'acquired bob main',
      'released bob main released', 'acquired carol main',
      'released carol main released',
    ]);
  });

  it('keeps branches apart: a peer landing elsewhere does not wait', async () => {
    await h.mesh.sync.acquire(a, undefined, 'main');
    const other = await h.mesh.sync.acquire(b, undefined, 'feature/login');
    assert.deepEqual([other.acquired, other.queue.holder?.peerName, other.queue.branch], [true, 'bob', 'feature/login']);
    assert.deepEqual((await h.mesh.sync.status(c, undefined)).map((q) => [q.branch, q.holder?.peerName]), [['feature/login', 'bob'], ['main', 'alice']]);
    assert.deepEqual((await h.mesh.sync.mine(b)).map((q) => q.branch), ['feature/login']);
  });

  it('takes the token from a holder past its TTL and gives it to the next', async () => {
    await h.mesh.sync.acquire(a, undefined, 'main', { ttlSeconds: 30 });
    await h.mesh.sync.acquire(b, undefined, 'main');
    await h.timers.advance(29_999);
    assert.equal(await holder(), 'alice');
    await h.timers.advance(1);
    assert.equal(await holder(), 'bob');
    // Half its TTL held with no history of the branch is a stall already.
    assert.deepEqual((await syncEvents(h)).slice(2), ['stalled alice main', 'released alice main expired', 'acquired bob main']);
  });

  it('skips a holder that went away (its grace ran out) and drops waiters that left', async () => {
    await h.mesh.sync.acquire(a, undefined, 'main');
    await h.mesh.sync.acquire(b, undefined, 'main');
    await h.mesh.sync.acquire(c, undefined, 'main');
    await h.mesh.peers.leave(b);
    await h.timers.advance(0);
    assert.deepEqual((await h.mesh.sync.status(a, undefined, 'main'))[0].waiting.map((w) => w.peerName), ['carol']);
    await h.mesh.peers.disconnected(a);
    await h.timers.advance(14_000);
    assert.equal(await holder(), 'alice', 'kept through its grace period');
    await h.timers.advance(1_000);
    assert.equal(await holder(), 'carol');
    assert.deepEqual((await syncEvents(h)).slice(3), ['released bob main skipped', 'released alice main gone', 'acquired carol main']);
  });

  it('renews for the holder that asks again: a later expiry, no place in line', async () => {
    const first = await h.mesh.sync.acquire(a, undefined, 'main', { ttlSeconds: 60 });
    await h.timers.advance(5_000);
    const renewed = await h.mesh.sync.acquire(a, undefined, 'main', { ttlSeconds: 60 });
    assert.deepEqual([renewed.acquired, renewed.position, renewed.queue.waiting.length], [true, 0, 0]);
    assert.equal(renewed.queue.holder!.expiresAt, first.queue.holder!.expiresAt + 5_000);
    assert.equal(renewed.queue.holder!.since, first.queue.holder!.since, 'the hold goes on');
    assert.deepEqual(await syncEvents(h), ['acquired alice main', 'acquired alice main']);
  });

  it('refuses a release by a peer that neither holds nor waits, and a bad branch name', async () => {
    await h.mesh.sync.acquire(a, undefined, 'main');
    await rejectsReason(h.mesh.sync.release(b, undefined, 'main'), 'notHolder');
    await rejectsReason(h.mesh.sync.acquire(a, undefined, 'my branch'), 'invalidInput');
    await rejectsReason(h.mesh.sync.acquire(a, undefined, 'main', { ttlSeconds: 1 }), 'invalidInput');
  });

  it('lets a waiter leave the line with release', async () => {
    await h.mesh.sync.acquire(a, undefined, 'main');
    await h.mesh.sync.acquire(b, undefined, 'main');
    const q = await h.mesh.sync.release(b, undefined, 'main');
    assert.deepEqual([q.holder?.peerName, q.waiting.length], ['alice', 0]);
    assert.equal((await syncEvents(h)).at(-1), 'released bob main skipped');
  });

  describe('stalls', () => {
    it('with no history, reports a holder past half its TTL, once', async () => {
      await h.mesh.sync.acquire(a, undefined, 'main', { ttlSeconds: 600 });
      await h.mesh.sync.acquire(b, undefined, 'main');
      await h.timers.advance(299_999);
      assert.equal((await syncEvents(h)).length, 2, 'not before');
      await h.timers.advance(1);
      const { events } = await h.mesh.events.read(0, ['sync_stalled'], 10);
      assert.deepEqual(events.map((e) => [e.data.whoName, e.data.heldMs, e.data.usualMs, e.data.waiting]), [['alice', 300_000, null, 1]]);
      assert.equal((await h.mesh.sync.status(a, undefined, 'main'))[0].stalled, true);
      await h.timers.advance(200_000);
      assert.equal((await h.mesh.events.read(0, ['sync_stalled'], 10)).events.length, 1, 'once per hold');
    });

    it('a waiter not waiting when its turn comes holds the token for the pickup window, its TTL once it acquires again', async () => {
      await h.mesh.sync.acquire(a, undefined, 'main');
      await h.mesh.sync.acquire(b, undefined, 'main');
      await h.mesh.sync.acquire(c, undefined, 'main');
      const passed = await h.mesh.sync.release(a, undefined, 'main');
      assert.deepEqual([passed.holder?.peerName, passed.holder!.expiresAt - h.clock.now()], ['bob', pickupMs]);
      await h.timers.advance(pickupMs);
      assert.equal(await holder(), 'carol', 'bob did not come back for it: it passed on');
      const renewed = await h.mesh.sync.acquire(c, undefined, 'main', { ttlSeconds: 900 });
      assert.equal(renewed.queue.holder!.expiresAt - h.clock.now(), 900_000, 'carol came back: her TTL');
    });

    it('forgets the hold times of a branch nobody landed on for the audit retention', async () => {
      await h.mesh.sync.acquire(c, undefined, 'feature');
      await h.timers.advance(30_000);
      await h.mesh.sync.release(c, undefined, 'feature');
      await h.mesh.sync.acquire(a, undefined, 'feature');
      assert.equal((await h.mesh.sync.status(a, undefined, 'feature'))[0].usualMs, 30_000);
      await h.mesh.sync.release(a, undefined, 'feature');
      await h.timers.advance(meshDefaults.retention.auditMs + 1);
      await h.mesh.sweep();
      await h.mesh.sync.acquire(a, undefined, 'feature');
      assert.equal((await h.mesh.sync.status(a, undefined, 'feature'))[0].usualMs, null);
    });

    it('with history, past 3× the usual hold and at least two minutes; the next release clears it', async () => {
      for (const ms of [10_000, 50_000, 60_000]) {
        await h.mesh.sync.acquire(c, undefined, 'main');
        await h.timers.advance(ms);
        await h.mesh.sync.release(c, undefined, 'main');
      }
      await h.mesh.sync.acquire(a, undefined, 'main', { ttlSeconds: 3600 });
      assert.equal((await h.mesh.sync.status(a, undefined, 'main'))[0].usualMs, 50_000);
      await h.timers.advance(149_999);
      assert.equal((await h.mesh.events.read(0, ['sync_stalled'], 10)).events.length, 0, 'not before 3× 50 s');
      await h.timers.advance(1);
      assert.deepEqual((await h.mesh.events.read(0, ['sync_stalled'], 10)).events.map((e) => [e.data.heldMs, e.data.usualMs]), [[150_000, 50_000]]);
      await h.mesh.sync.acquire(b, undefined, 'main');
      const q = await h.mesh.sync.release(a, undefined, 'main');
      assert.deepEqual([q.holder?.peerName, q.stalled], ['bob', false]);
    });

    it('never before two minutes, however quick the usual hold', async () => {
      await h.mesh.sync.acquire(c, undefined, 'main');
      await h.timers.advance(1_000);
      await h.mesh.sync.release(c, undefined, 'main');
      await h.mesh.sync.acquire(a, undefined, 'main');
      await h.timers.advance(119_999);
      assert.equal((await h.mesh.events.read(0, ['sync_stalled'], 10)).events.length, 0);
      await h.timers.advance(1);
      assert.equal((await h.mesh.events.read(0, ['sync_stalled'], 10)).events.length, 1);
    });
  });

  describe('waits', () => {
    it('a wait shorter than the holder\'s TTL still gets the token when the holder expires', async () => {
      await h.mesh.sync.acquire(a, undefined, 'main', { ttlSeconds: 60 });
      const got: { answer?: SyncAnswer } = {};
      void h.mesh.sync.acquire(b, undefined, 'main', { waitMs: 1_000 }).then((r) => (got.answer = r));
      await h.timers.advance(10_000);
      assert.equal(got.answer === undefined, true, 'still waiting past its own 1 s');
      await h.timers.advance(50_000);
      assert.deepEqual([got.answer?.acquired, got.answer?.position, got.answer?.queue.holder?.peerName], [true, 0, 'bob']);
    });

    it('for a disconnected holder, lasts until its grace period could end it', async () => {
      await h.mesh.sync.acquire(a, undefined, 'main', { ttlSeconds: 600 });
      await h.mesh.peers.disconnected(a);
      const got: { answer?: SyncAnswer } = {};
      void h.mesh.sync.acquire(b, undefined, 'main', { waitMs: 1_000 }).then((r) => (got.answer = r));
      await h.timers.advance(5_000);
      await h.mesh.peers.resume(a, sha256('secret-alice'));
      await h.timers.advance(10_000 + staleBeatMs - 1);
      assert.equal(got.answer === undefined, true, 'still waiting until the grace could have ended');
      await h.timers.advance(1);
      assert.deepEqual([got.answer?.acquired, got.answer?.position], [false, 1], 'alice came back: not stale');
    });

    it('is answered as soon as the holder releases', async () => {
      await h.mesh.sync.acquire(a, undefined, 'main');
      const waiting = h.mesh.sync.acquire(b, undefined, 'main', { waitMs: 60_000 });
      await flush();
      await h.mesh.sync.release(a, undefined, 'main');
      assert.equal((await waiting).acquired, true);
    });

    it('ends without the token when the holder renewed: acquired false, the place kept, the token later', async () => {
      await h.mesh.sync.acquire(a, undefined, 'main', { ttlSeconds: 60 });
      const got: { answer?: SyncAnswer } = {};
      void h.mesh.sync.acquire(b, undefined, 'main', { waitMs: 1_000 }).then((r) => (got.answer = r));
      await h.timers.advance(30_000);
      await h.mesh.sync.acquire(a, undefined, 'main', { ttlSeconds: 60 });
      await h.timers.advance(30_000 + staleBeatMs - 1);
      assert.equal(got.answer === undefined, true);
      await h.timers.advance(1);
      assert.deepEqual([got.answer?.acquired, got.answer?.position], [false, 1]);
      await h.mesh.sync.release(a, undefined, 'main');
      assert.deepEqual((await h.mesh.sync.mine(b)).map((q) => q.holder?.peerName), ['bob'], 'its turn came while it was not waiting');
    });

    it('a cancelled wait stops waiting and keeps its place', async () => {
      await h.mesh.sync.acquire(a, undefined, 'main');
      const ac = new AbortController();
      const waiting = h.mesh.sync.acquire(b, undefined, 'main', { waitMs: 60_000, signal: ac.signal });
      await flush();
      ac.abort();
      await rejectsReason(waiting, 'cancelled');
      assert.deepEqual((await h.mesh.sync.status(a, undefined, 'main'))[0].waiting.map((w) => w.peerName), ['bob']);
    });

    it('a dropped connection ends the wait', async () => {
      await h.mesh.sync.acquire(a, undefined, 'main');
      const waiting = h.mesh.sync.acquire(b, undefined, 'main', { waitMs: 60_000 });
      await flush();
      await h.mesh.peers.disconnected(b);
      await rejectsReason(waiting, 'unavailable');
    });
  });
});
