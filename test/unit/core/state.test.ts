import assert from 'node:assert/strict';
import { harness, rejectsReason, type Harness } from './helpers';

describe('core/state', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await harness();
  });

  afterEach(() => h.mesh.dispose());

  it('stores JSON values with version 1 on create and +1 per write, and the author', async () => {
    const first = await h.mesh.state.set('p-a', 'plan', 'phase', { n: 1, tags: ['x'] });
    assert.deepEqual(first, { namespace: 'plan', key: 'phase', value: { n: 1, tags: ['x'] }, version: 1, author: 'p-a', updatedAt: h.clock.now(), expiresAt: null });
    h.clock.advance(5);
    const second = await h.mesh.state.set('p-b', 'plan', 'phase', 'two');
    assert.equal(second.version, 2);
    assert.deepEqual(await h.mesh.state.get('plan', 'phase'), second);
    assert.equal(await h.mesh.state.get('plan', 'nope'), undefined);
    assert.equal(await h.mesh.state.get('other', 'phase'), undefined);
    await h.mesh.state.set('p-a', 'plan', 'nothing', null);
    assert.equal((await h.mesh.state.get('plan', 'nothing'))?.value, null);
  });

  it('compare-and-set: 0 = create only; a stale version is rejected with the current one', async () => {
    await h.mesh.state.set('p-a', 'ns', 'k', 'v1', { ifVersion: 0 });
    const exists = await rejectsReason(h.mesh.state.set('p-b', 'ns', 'k', 'mine', { ifVersion: 0 }), 'versionMismatch');
    assert.deepEqual(exists.data, { currentVersion: 1 });
    await h.mesh.state.set('p-a', 'ns', 'k', 'v2', { ifVersion: 1 });
    const stale = await rejectsReason(h.mesh.state.set('p-b', 'ns', 'k', 'v2b', { ifVersion: 1 }), 'versionMismatch');
    assert.deepEqual(stale.data, { currentVersion: 2 });
    assert.match(stale.message, /expected version 1, but it is at version 2/);
    const missing = await rejectsReason(h.mesh.state.set('p-b', 'ns', 'new', 'x', { ifVersion: 3 }), 'versionMismatch');
    assert.deepEqual(missing.data, { currentVersion: 0 });
    const ok = await h.mesh.state.set('p-b', 'ns', 'k', 'v3', { ifVersion: 2 });
    assert.equal(ok.version, 3);
    assert.equal((await h.mesh.state.get('ns', 'k'))?.value, 'v3');
    assert.deepEqual((await h.mesh.events.read(0, ['state_changed'], 10)).events.map((e) => e.data.version), [1, 2, 3]);
  });

  it('delete, optionally on a version; state_deleted carries the version', async () => {
    await h.mesh.state.set('p-a', 'ns', 'k', 1);
    await h.mesh.state.set('p-a', 'ns', 'k', 2);
    await rejectsReason(h.mesh.state.delete('p-b', 'ns', 'k', 1), 'versionMismatch');
    assert.equal(await h.mesh.state.delete('p-b', 'ns', 'k', 2), true);
    assert.equal(await h.mesh.state.get('ns', 'k'), undefined);
    assert.equal(await h.mesh.state.delete('p-b', 'ns', 'k'), false);
    const [deleted] = (await h.mesh.events.read(0, ['state_deleted'], 10)).events;
    assert.deepEqual([deleted.peer, deleted.data], ['p-b', { namespace: 'ns', key: 'k', version: 2 }]);
    // Recreated after a delete, it continues from the old version: a CAS made against the
    // deleted entry (version 2) cannot overwrite the new one.
    assert.equal((await h.mesh.state.set('p-a', 'ns', 'k', 3, { ifVersion: 0 })).version, 3);
    await rejectsReason(h.mesh.state.set('p-c', 'ns', 'k', 'stale', { ifVersion: 2 }), 'versionMismatch');
    assert.equal((await h.mesh.state.get('ns', 'k'))?.value, 3);
  });

  it('no ABA: a key deleted and recreated at the same moment does not satisfy a CAS on the old version', async () => {
    assert.equal((await h.mesh.state.set('p-a', 'ns', 'k', 'first')).version, 1);
    await h.mesh.state.delete('p-b', 'ns', 'k');
    assert.equal((await h.mesh.state.set('p-b', 'ns', 'k', 'second')).version, 2);
    await rejectsReason(h.mesh.state.set('p-a', 'ns', 'k', 'mine', { ifVersion: 1 }), 'versionMismatch');
    assert.equal((await h.mesh.state.get('ns', 'k'))?.value, 'second');
    assert.equal((await h.mesh.state.list('ns', '', 10)).length, 1, 'tombstones are not listed');
  });

  it('TTL: invisible at once when expired, buried by sweep with state_deleted {expired}', async () => {
    await h.mesh.state.set('p-a', 'ns', 'short', 'x', { ttlSeconds: 10 });
    await h.mesh.state.set('p-a', 'ns', 'long', 'y');
    assert.equal((await h.mesh.state.get('ns', 'short'))?.expiresAt, h.clock.now() + 10_000);
    h.clock.advance(10_000);
    assert.equal(await h.mesh.state.get('ns', 'short'), undefined);
    assert.deepEqual((await h.mesh.state.list('ns', '', 10)).map((e) => e.key), ['long']);
    assert.equal((await h.mesh.counts()).stateEntries, 1);
    // A create-only write succeeds over an expired entry, continuing its version.
    const again = await h.mesh.state.set('p-b', 'ns', 'short', 'z', { ifVersion: 0, ttlSeconds: 10 });
    assert.equal(again.version, 2);
    h.clock.advance(10_000);
    const live = () => h.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM state WHERE deleted_at IS NULL')?.n;
    assert.equal(live(), 2);
    await h.mesh.sweep();
    assert.equal(live(), 1, 'the expired entry is buried');
    const [expired] = (await h.mesh.events.read(0, ['state_deleted'], 10)).events;
    assert.deepEqual(expired.data, { namespace: 'ns', key: 'short', version: 2, expired: true });
    // Tombstones are forgotten after the event retention period (48 h by default).
    h.clock.advance(48 * 3600_000 + 1);
    await h.mesh.sweep();
    assert.equal(h.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM state')?.n, 1);
  });

  it('a write without a TTL makes an entry permanent again', async () => {
    await h.mesh.state.set('p-a', 'ns', 'k', 1, { ttlSeconds: 5 });
    await h.mesh.state.set('p-a', 'ns', 'k', 2);
    h.clock.advance(60_000);
    assert.equal((await h.mesh.state.get('ns', 'k'))?.value, 2);
  });

  it('lists by prefix, where % and _ are ordinary characters', async () => {
    for (const key of ['a%b', 'a%c', 'axb', 'a_1', 'ab_1', 'b', 'é1', 'é2', 'e1']) await h.mesh.state.set('p-a', 'ns', key, key);
    await h.mesh.state.set('p-a', 'other', 'a%z', 0);
    const keys = async (prefix: string, limit = 100) => (await h.mesh.state.list('ns', prefix, limit)).map((e) => e.key);
    assert.deepEqual(await keys('a%'), ['a%b', 'a%c']);
    assert.deepEqual(await keys('a_'), ['a_1']);
    assert.deepEqual(await keys('a'), ['a%b', 'a%c', 'a_1', 'ab_1', 'axb']);
    assert.deepEqual(await keys('é'), ['é1', 'é2']);
    assert.deepEqual(await keys(''), ['a%b', 'a%c', 'a_1', 'ab_1', 'axb', 'b', 'e1', 'é1', 'é2']);
    assert.deepEqual(await keys('', 2), ['a%b', 'a%c']);
    assert.deepEqual(await keys('zz'), []);
  });

  it('lists a page after a key, leaving out values over valueBytes (with their size)', async () => {
    for (const key of ['a', 'b', 'c', 'd']) await h.mesh.state.set('p-a', 'ns', key, key === 'b' ? 'x'.repeat(100) : key);
    const page = await h.mesh.state.list('ns', '', 2, { after: 'a', valueBytes: 50 });
    assert.deepEqual(page.map((e) => [e.key, e.value, e.bytes]), [['b', null, 102], ['c', 'c', undefined]]);
    assert.deepEqual((await h.mesh.state.list('ns', '', 10, { after: 'c' })).map((e) => e.key), ['d']);
    assert.equal((await h.mesh.state.get('ns', 'b'))?.value, 'x'.repeat(100), 'left out of the listing only');
  });

  it('rejects undefined and oversized values, and bad keys', async () => {
    await rejectsReason(h.mesh.state.set('p-a', 'ns', 'k', undefined), 'invalidInput');
    await rejectsReason(h.mesh.state.set('p-a', 'ns', 'k', 'x'.repeat(256 * 1024)), 'invalidInput');
    await rejectsReason(h.mesh.state.set('p-a', '', 'k', 1), 'invalidInput');
    await rejectsReason(h.mesh.state.set('p-a', 'ns', 'k'.repeat(257), 1), 'invalidInput');
    await rejectsReason(h.mesh.state.set('p-a', 'ns', 'k', 1, { ttlSeconds: 0 }), 'invalidInput');
    assert.equal((await h.mesh.counts()).stateEntries, 0);
  });

  it('refuses control and invisible characters in a new namespace or key (a listing would show "config/\u202Edorp" reversed)', async () => {
    for (const [namespace, key] of [['ns', 'config/\u202Edorp'], ['n\u200Bs', 'k'], ['ns', 'k\x1b[2K'], ['ns', 'a\nb']]) {
      const e = await rejectsReason(h.mesh.state.set('p-a', namespace, key, 1), 'invalidInput');
      assert.match(e.message, /must not contain control or invisible characters/);
      assert.doesNotMatch(e.message, /[\p{Cc}\p{Cf}]/u);
    }
    assert.equal((await h.mesh.counts()).stateEntries, 0);
    assert.equal((await h.mesh.state.set('p-a', 'notes', 'café 👩‍💻', 1)).key, 'café 👩‍💻');
  });
});
