import assert from 'node:assert/strict';
import path from 'node:path';
import { ManualClock } from '../../../src/core/clock';
import { BrokerError } from '../../../src/protocol/errors';
import type { Batch } from '../../../src/store/sqljs';
import { dump, flush, gitRepo, harness, join, openDb, sha256, writeFile, type Harness } from './helpers';

/** A bit of everything: peers, messages in all states, state with TTL, locks, a wait, a sweep. */
async function scenario(h: Harness, repo: string): Promise<void> {
  const a = (await join(h.mesh, 'claude', repo)).id;
  const b = (await join(h.mesh, 'cursor', repo)).id;
  const c = (await join(h.mesh, 'aider', path.join(repo, 'src'))).id;
  await h.mesh.peers.update(a, { summary: 'parser' });
  const [m] = await h.mesh.messages.send(a, { peer: 'cursor' }, 'request', 'take the lexer?');
  await h.mesh.messages.send(b, { peer: 'claude' }, 'reply', 'yes', m.id);
  await h.mesh.messages.send(c, { broadcast: 'repo' }, 'alert', 'tests are red');
  await h.mesh.messages.inbox(b, true, 10);
  await h.mesh.messages.markRead(b, [m.id]);
  await h.mesh.messages.ack(b, [m.id]);
  await h.mesh.state.set(a, 'plan', 'phase', { n: 1 });
  await h.mesh.state.set(b, 'plan', 'phase', { n: 2 }, { ifVersion: 1 });
  await h.mesh.state.set(b, 'tmp', 'x', true, { ttlSeconds: 5 });
  await h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 1, endLine: 50 }, { reason: 'parser' });
  await h.mesh.locks.acquire(c, { path: 'b.ts' }, { reason: 'lexer', ttlSeconds: 30 });
  const waiting = h.mesh.locks.acquire(b, { path: 'src/a.ts', startLine: 40, endLine: 60 }, { reason: 'wait', waitMs: 120_000 });
  await h.timers.advance(10_000);
  await h.mesh.peers.touch(a, { active: true });
  await h.mesh.peers.disconnected(c);
  await h.timers.advance(20_000); // c's grace ends: b.ts released; tmp/x expired
  await h.mesh.locks.release(a, { target: { path: 'src/a.ts', startLine: 1, endLine: 50 } });
  await waiting;
  await h.mesh.sweep();
}

describe('core/mesh', () => {
  let repo: string;

  beforeEach(() => {
    repo = gitRepo();
    writeFile(path.join(repo, 'src', 'a.ts'));
  });

  it('counts what it holds', async () => {
    const h = await harness();
    await scenario(h, repo);
    assert.deepEqual(await h.mesh.counts(), {
      peers: 3, livePeers: 2, messages: 4, unreadMessages: 3, stateEntries: 1, locks: 1, events: await h.mesh.events.lastSeq(),
    });
    h.mesh.dispose();
  });

  it('a second mesh over the same database sees the same mesh (reload)', async () => {
    const h = await harness();
    await scenario(h, repo);
    h.clock.advance(60_000);
    // lastSeen is written at most every 30 s: touch once more so the database has the latest.
    for (const p of await h.mesh.peers.list((await h.mesh.peers.find('claude'))!.id, 'machine', false)) await h.mesh.peers.touch(p.id, { active: false });
    const before = {
      peers: await h.mesh.peers.list((await h.mesh.peers.find('claude'))!.id, 'machine', true),
      locks: await h.mesh.locks.list({}),
      inbox: await h.mesh.messages.inbox((await h.mesh.peers.find('claude'))!.id, false, 100),
      state: await h.mesh.state.list('plan', '', 100),
      events: await h.mesh.events.read(0, undefined, 1000),
    };
    h.mesh.dispose();
    const db2 = await openDb(h.db.export());
    const h2 = await harness({ clock: h.clock }, db2);
    const claude = (await h2.mesh.peers.find('claude'))!.id;
    const after = {
      peers: await h2.mesh.peers.list(claude, 'machine', true),
      locks: await h2.mesh.locks.list({}),
      inbox: await h2.mesh.messages.inbox(claude, false, 100),
      state: await h2.mesh.state.list('plan', '', 100),
      events: await h2.mesh.events.read(0, undefined, 1000),
    };
    assert.deepEqual(after, before);
    // The reloaded mesh enforces what it loaded: the lock, the secret, the names.
    const cursor = (await h2.mesh.peers.find('cursor'))!.id;
    await assert.rejects(h2.mesh.locks.acquire(claude, { path: 'src/a.ts', startLine: 45, endLine: 45 }, { reason: '' }), (e) => BrokerError.is(e, 'lockConflict'));
    await assert.rejects(h2.mesh.peers.resume(cursor, sha256('nope')), (e) => BrokerError.is(e, 'unauthorized'));
    assert.equal((await h2.mesh.peers.resume(cursor, sha256('secret-cursor'))).name, 'cursor');
    assert.equal((await join(h2.mesh, 'claude')).name, 'claude-2');
    h2.mesh.dispose();
  });

  it('at takeover, markAllDisconnected gives every live peer one grace period to resume', async () => {
    const h = await harness();
    await scenario(h, repo);
    h.mesh.dispose();
    const h2 = await harness({ clock: h.clock }, await openDb(h.db.export()));
    assert.equal(await h2.mesh.peers.markAllDisconnected(), 2);
    await h2.mesh.peers.resume((await h2.mesh.peers.find('claude'))!.id, sha256('secret-claude'));
    await h2.timers.advance(15_000);
    assert.equal(await h2.mesh.peers.find('cursor'), undefined);
    assert.deepEqual(await h2.mesh.locks.list({}), [], "cursor's lock went with it");
    assert.equal((await h2.mesh.peers.find('claude'))?.status, 'idle');
    h2.mesh.dispose();
  });

  it('replaying the journaled batches on a fresh database rebuilds identical rows (determinism)', async () => {
    const h = await harness();
    const batches: Batch[] = [];
    h.db.onCommit = (batch) => batches.push(structuredClone(batch));
    await scenario(h, repo);
    const replica = await openDb();
    for (const batch of batches) replica.apply(batch);
    assert.ok(batches.length >= 18, `only ${batches.length} batches`);
    assert.deepEqual(dump(replica), dump(h.db));
    h.mesh.dispose();
  });

  it('one sweep is one transaction (one journal entry), and an idle sweep journals nothing', async () => {
    const h = await harness();
    await scenario(h, repo);
    h.clock.advance(49 * 3600_000);
    const batches: Batch[] = [];
    h.db.onCommit = (batch) => batches.push(batch);
    await h.mesh.sweep();
    assert.equal(batches.length, 1);
    // The broker sweeps every second: a sweep with nothing to do must not grow the journal.
    await h.mesh.sweep();
    h.clock.advance(1000);
    await h.mesh.sweep();
    assert.equal(batches.length, 1);
    h.mesh.dispose();
  });

  describe('retention', () => {
    it('prunes queued, read, acked messages and those to gone peers after messagesMs', async () => {
      const h = await harness({ retention: { messagesMs: 1000, eventsMs: 1_000_000 } });
      const a = (await join(h.mesh, 'a')).id;
      const b = (await join(h.mesh, 'b')).id;
      const c = (await join(h.mesh, 'c')).id;
      const [queued] = await h.mesh.messages.send(a, { peer: 'b' }, 'text', 'queued');
      const [read] = await h.mesh.messages.send(a, { peer: 'b' }, 'text', 'read');
      const [acked] = await h.mesh.messages.send(a, { peer: 'b' }, 'text', 'acked');
      const [toGone] = await h.mesh.messages.send(a, { peer: 'c' }, 'text', 'to gone');
      await h.mesh.messages.markRead(b, [read.id]);
      await h.mesh.messages.ack(b, [acked.id]);
      await h.mesh.peers.leave(c);
      h.clock.advance(999);
      await h.mesh.sweep();
      assert.equal((await h.mesh.counts()).messages, 4);
      h.clock.advance(2);
      const [fresh] = await h.mesh.messages.send(b, { peer: 'a' }, 'text', 'fresh');
      await h.mesh.messages.ack(a, [fresh.id]);
      await h.mesh.sweep();
      assert.deepEqual(await Promise.all([queued, read, acked, toGone, fresh].map(async (m) => (await h.mesh.messages.get(m.id)) !== undefined)), [false, false, false, false, true]);
      h.mesh.dispose();
    });

    it('prunes unread messages after messagesMs too: the terminal\'s (a cli peer never goes gone) and a connected agent\'s', async () => {
      const h = await harness({ retention: { messagesMs: 60_000, eventsMs: 1_000_000 } });
      const agent = (await join(h.mesh, 'agent')).id;
      const other = (await join(h.mesh, 'other')).id;
      const terminal = (await join(h.mesh, 'me-cli', null, { kind: 'cli' })).id;
      await h.mesh.peers.disconnected(terminal); // between two commands, as it nearly always is
      const [toTerminal] = await h.mesh.messages.send(agent, { peer: 'me-cli' }, 'text', 'for the person');
      const [toOther] = await h.mesh.messages.send(agent, { peer: 'other' }, 'text', 'never read');
      h.clock.advance(59_999);
      await h.mesh.sweep();
      assert.equal((await h.mesh.counts()).messages, 2, 'kept for the retention');
      h.clock.advance(2);
      const [fresh] = await h.mesh.messages.send(other, { peer: 'me-cli' }, 'text', 'fresh');
      await h.mesh.sweep();
      assert.equal((await h.mesh.peers.get(terminal))?.status, 'disconnected');
      assert.deepEqual(await Promise.all([toTerminal, toOther, fresh].map(async (m) => (await h.mesh.messages.get(m.id)) !== undefined)), [false, false, true]);
      h.mesh.dispose();
    });

    it('prunes peers gone for longer than eventsMs', async () => {
      const h = await harness({ retention: { messagesMs: 1000, eventsMs: 10_000 } });
      const a = (await join(h.mesh, 'a')).id;
      const b = (await join(h.mesh, 'b')).id;
      await h.mesh.peers.leave(b);
      h.clock.advance(10_001);
      await h.mesh.sweep();
      assert.equal(await h.mesh.peers.get(b), undefined);
      assert.equal((await h.mesh.peers.get(a))?.status, 'idle');
      // Counted from when it went, not from its last activity: an idle peer that leaves stays a while.
      h.clock.advance(60_000);
      await h.mesh.peers.leave(a);
      await h.mesh.sweep();
      assert.equal((await h.mesh.peers.get(a))?.status, 'gone');
      h.mesh.dispose();
    });
  });

  it('dispose stops the wake-up timer and every wait; it is idempotent', async () => {
    const clock = new ManualClock();
    const h = await harness({ clock });
    const a = (await join(h.mesh, 'a', repo)).id;
    const b = (await join(h.mesh, 'b', repo)).id;
    await h.mesh.locks.acquire(a, { path: 'src/a.ts' }, { reason: '' });
    const lockWait = h.mesh.locks.acquire(b, { path: 'src/a.ts' }, { reason: '', waitMs: 60_000 });
    const eventWait = h.mesh.events.wait(await h.mesh.events.lastSeq(), undefined, 10, 60_000);
    h.mesh.dispose();
    h.mesh.dispose();
    await assert.rejects(lockWait, (e) => BrokerError.is(e, 'unavailable'));
    await assert.rejects(eventWait, (e) => BrokerError.is(e, 'unavailable'));
    await flush();
    assert.equal(h.timers.size, 0);
  });
});
