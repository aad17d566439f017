/**
 * `reentrant: false`: an acquire that treats the caller's own live locks as conflicts, so two
 * scripts that act as one terminal identity still exclude each other (`peermesh lock`). The
 * default stays re-entrant: an agent re-acquiring what it holds renews it.
 */
import assert from 'node:assert/strict';
import type { Lock, LockConflictData } from '../../../src/protocol/entities';
import { BrokerError } from '../../../src/protocol/errors';
import { flush, peersInRepo, rejectsReason, type Harness } from './helpers';

describe('core/locks: reentrant false (own locks conflict)', () => {
  let h: Harness;
  let a: string;
  let b: string;
  const file = { path: 'src/a.ts' };
  const range = (startLine: number, endLine: number) => ({ path: 'src/a.ts', startLine, endLine });

  beforeEach(async () => {
    ({ h, ids: [a, b] } = await peersInRepo('claude-1', 'cursor-1'));
  });

  afterEach(() => h.mesh.dispose());

  it('the caller\'s own lock on the same target is a conflict naming it, when it was taken and time left; nothing is renewed', async () => {
    const { lock } = await h.mesh.locks.acquire(a, file, { reason: 'script one' });
    h.clock.advance(48_000);
    const e = await rejectsReason(h.mesh.locks.acquire(a, file, { reason: 'script two', reentrant: false }), 'lockConflict');
    assert.equal(e.message, 'src/a.ts is already locked by you (claude-1) ("script one"): taken 48s ago, for another 9m 12s');
    const data = e.data as LockConflictData;
    assert.equal(data.holder, a);
    assert.equal(data.lock.id, lock.id);
    assert.deepEqual((await h.mesh.locks.list({})).map((l) => [l.id, l.expiresAt, l.reason]), [[lock.id, lock.expiresAt, 'script one']]);
  });

  it('an overlapping own range conflicts; a disjoint one, another file and another peer\'s free lines do not', async () => {
    await h.mesh.locks.acquire(a, range(1, 5), { reason: '' });
    await rejectsReason(h.mesh.locks.acquire(a, range(3, 9), { reason: '', reentrant: false }), 'lockConflict');
    await rejectsReason(h.mesh.locks.acquire(a, file, { reason: '', reentrant: false }), 'lockConflict');
    assert.equal((await h.mesh.locks.acquire(a, range(6, 9), { reason: '', reentrant: false })).renewed, false);
    assert.equal((await h.mesh.locks.acquire(a, { path: 'src/b.ts' }, { reason: '', reentrant: false })).renewed, false);
    assert.equal((await h.mesh.locks.acquire(b, range(20, 30), { reason: '', reentrant: false })).renewed, false);
  });

  it('by default re-acquiring one\'s own target still renews it (agents\' mesh_lock)', async () => {
    const first = await h.mesh.locks.acquire(a, file, { reason: '' });
    h.clock.advance(1000);
    const again = await h.mesh.locks.acquire(a, file, { reason: '' });
    assert.equal(again.renewed, true);
    assert.equal(again.lock.id, first.lock.id);
    assert.equal((await h.mesh.locks.acquire(a, file, { reason: '', reentrant: true })).renewed, true);
  });

  it('with waitMs it queues behind the caller\'s own lock (listed as waiting), in arrival order, and is granted on release', async () => {
    const { lock } = await h.mesh.locks.acquire(a, file, { reason: 'script one' });
    const outcomes: Array<Lock | BrokerError> = [];
    const track = (p: Promise<{ lock: Lock }>) => p.then((r) => outcomes.push(r.lock), (e: BrokerError) => outcomes.push(e));
    void track(h.mesh.locks.acquire(a, file, { reason: 'script two', waitMs: 60_000, reentrant: false }));
    void track(h.mesh.locks.acquire(a, file, { reason: 'script three', waitMs: 60_000, reentrant: false }));
    // The lock's reason for a grant, the error's reason for a failure.
    const seen = () => outcomes.map((o) => (o instanceof BrokerError ? `failed: ${o.reason}` : o.reason));
    await flush();
    assert.deepEqual(seen(), [], 'both wait');
    assert.deepEqual((await h.mesh.locks.list({})).map((l) => l.waiting), [2]);
    await h.mesh.locks.release(a, { lockId: lock.id });
    await flush();
    assert.deepEqual(seen(), ['script two'], 'the first in line gets it, the other waits on');
    const second = outcomes[0] as Lock;
    assert.notEqual(second.id, lock.id);
    await h.mesh.locks.release(a, { lockId: second.id });
    await flush();
    assert.deepEqual(seen(), ['script two', 'script three']);
  });

  it('a waiting non-reentrant request of a holder is ahead of that holder\'s later non-reentrant requests (strict FIFO)', async () => {
    const { lock } = await h.mesh.locks.acquire(b, range(1, 5), { reason: 'other peer' });
    const waiting = h.mesh.locks.acquire(a, range(1, 10), { reason: 'queued', waitMs: 60_000, reentrant: false });
    await flush();
    // Lines 6-10 are free, but a's own earlier request waits for them: a later one may not jump it.
    const e = await rejectsReason(h.mesh.locks.acquire(a, range(6, 10), { reason: 'fresh', reentrant: false }), 'lockConflict');
    assert.match(e.message, /^src\/a\.ts:1-10 is claimed next by claude-1 \("queued"\), queued earlier/);
    // A re-entrant request of the same holder is not held back by its own waiter (as before).
    assert.equal((await h.mesh.locks.acquire(a, range(8, 9), { reason: 'agent' })).renewed, false);
    await h.mesh.locks.release(a, { target: range(8, 9) });
    await h.mesh.locks.release(b, { lockId: lock.id });
    assert.equal((await waiting).lock.reason, 'queued');
  });
});
