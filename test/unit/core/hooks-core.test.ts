/**
 * The core under agents' hooks and news: delivering messages to a model once, within a
 * budget; finding the peer a hook speaks for; guarding an edit against others' claims (and
 * claiming it); recording who changed which lines.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { gitRepo, harness, join, rejectsReason, writeFile, type Harness } from './helpers';

describe('core: news, hooks and edits', () => {
  let h: Harness;
  let repo: string;
  let a: string;
  let b: string;

  beforeEach(async () => {
    h = await harness();
    repo = gitRepo();
    writeFile(path.join(repo, 'src', 'a.ts'), 'x\n'.repeat(50));
    a = (await join(h.mesh, 'alice', repo, { pid: 100 })).id;
    b = (await join(h.mesh, 'bob', repo, { pid: 200 })).id;
  });

  afterEach(() => h.mesh.dispose());

  describe('messages.deliver', () => {
    it('gives requests and alerts first, then oldest to newest, marks them delivered with an event each, and never again', async () => {
      const [t1] = await h.mesh.messages.send(a, { peer: b }, 'text', 'first');
      const [r] = await h.mesh.messages.send(a, { peer: b }, 'request', 'do it');
      const [t2] = await h.mesh.messages.send(a, { peer: b }, 'text', 'second');
      const since = await h.mesh.events.lastSeq();
      const got = await h.mesh.messages.deliver(b, 2000, 10);
      assert.deepEqual(got.messages.map((m) => [m.id, m.body, m.state, m.truncated]), [
        [r.id, 'do it', 'delivered', false], [t1.id, 'first', 'delivered', false], [t2.id, 'second', 'delivered', false],
      ]);
      assert.deepEqual([got.more, got.unread], [0, 3]);
      const { events } = await h.mesh.events.read(since, ['message_delivered'], 10);
      assert.deepEqual(events.map((e) => [e.peer, e.data]), [r, t1, t2].map((m) => [b, { id: m.id, from: a }]));
      assert.deepEqual((await h.mesh.messages.deliver(b, 2000, 10)).messages, [], 'nothing is news twice');
      assert.equal((await h.mesh.messages.get(t1.id))?.state, 'delivered', 'the sender reads it as delivered');
      assert.deepEqual((await h.mesh.messages.sent(a, 10)).map((m) => [m.id, m.state]), [[t1.id, 'delivered'], [r.id, 'delivered'], [t2.id, 'delivered']]);
    });

    it('fits the budget: whole bodies while they fit, the first always (cut), the rest left queued as more', async () => {
      await h.mesh.messages.send(a, { peer: b }, 'text', 'a'.repeat(150));
      await h.mesh.messages.send(a, { peer: b }, 'text', 'b'.repeat(80));
      await h.mesh.messages.send(a, { peer: b }, 'text', 'c'.repeat(10));
      const first = await h.mesh.messages.deliver(b, 100, 10);
      assert.deepEqual(first.messages.map((m) => [m.body.length, m.truncated]), [[100, true]]);
      assert.equal(first.more, 2);
      const second = await h.mesh.messages.deliver(b, 100, 10);
      assert.deepEqual(second.messages.map((m) => [m.body, m.truncated]), [['b'.repeat(80), false], ['c'.repeat(10), false]]);
      assert.equal(second.more, 0);
      const capped = await h.mesh.messages.send(a, { peer: b }, 'text', 'one').then(() => h.mesh.messages.send(a, { peer: b }, 'text', 'two'));
      assert.ok(capped);
      const one = await h.mesh.messages.deliver(b, 2000, 1);
      assert.deepEqual([one.messages.map((m) => m.body), one.more], [['one'], 1]);
    });

    it('marking read what a peek showed tells the sender it was seen (message_delivered), once; the rest stay queued', async () => {
      const [m1] = await h.mesh.messages.send(a, { peer: b }, 'text', 'shown');
      const [m2] = await h.mesh.messages.send(a, { peer: b }, 'text', 'not shown');
      await h.mesh.messages.inbox(b, true, 10, true);
      assert.equal(await h.mesh.messages.markRead(b, [m1.id]), 1);
      assert.equal(await h.mesh.messages.markRead(b, [m1.id]), 0);
      const { events } = await h.mesh.events.read(0, ['message_delivered'], 10);
      assert.deepEqual(events.map((e) => [e.peer, e.data]), [[b, { id: m1.id, from: a }]]);
      assert.deepEqual([(await h.mesh.messages.get(m1.id))?.state, (await h.mesh.messages.get(m2.id))?.state], ['read', 'queued']);
    });

    it('pages of the history and of sent messages go back from an id; a page delivers only its own', async () => {
      const sent = [];
      for (let i = 0; i < 5; i++) sent.push(...(await h.mesh.messages.send(a, { peer: b }, 'text', `m${i}`)));
      const ids = sent.map((m) => m.id);
      const older = await h.mesh.messages.inbox(b, false, 2, false, ids[3]);
      assert.deepEqual(older.messages.map((m) => m.id), [ids[1], ids[2]]);
      assert.deepEqual(await Promise.all(ids.map(async (id) => (await h.mesh.messages.get(id))?.state)),
        ['queued', 'delivered', 'delivered', 'queued', 'queued'], 'the newer ones stay queued');
      assert.deepEqual((await h.mesh.messages.sent(a, 2, ids[2])).map((m) => m.id), [ids[0], ids[1]]);
    });

    it('a listing of the inbox delivers too, with the same event; a peek changes nothing', async () => {
      const [m] = await h.mesh.messages.send(a, { peer: b }, 'text', 'hello');
      const peeked = await h.mesh.messages.inbox(b, true, 10, true);
      assert.deepEqual(peeked.messages.map((x) => [x.id, x.state]), [[m.id, 'queued']]);
      assert.deepEqual((await h.mesh.events.read(0, ['message_delivered'], 10)).events, []);
      await h.mesh.messages.inbox(b, true, 10);
      const { events } = await h.mesh.events.read(0, ['message_delivered'], 10);
      assert.deepEqual(events.map((e) => e.data.id), [m.id]);
      assert.deepEqual((await h.mesh.messages.deliver(b, 2000, 10)).messages, []);
    });
  });

  describe('peers.forAgent', () => {
    it('finds the one live peer of the first process named that has one; none when two share it', async () => {
      const window = (await join(h.mesh, 'window', repo, { pid: 300, kind: 'vscode-window' })).id;
      const copilot = (await join(h.mesh, 'copilot', repo, { pid: 300, kind: 'copilot' })).id;
      assert.equal((await h.mesh.peers.forAgent([999, 200, 100]))?.id, b, 'the first that has a peer');
      assert.equal(await h.mesh.peers.forAgent([300, 100]), undefined, 'the window and an agent share it: nobody');
      await h.mesh.peers.leave(copilot);
      assert.equal((await h.mesh.peers.forAgent([300]))?.id, window);
      await h.mesh.peers.leave(b);
      assert.equal((await h.mesh.peers.forAgent([200]))?.id, undefined);
      assert.equal(await h.mesh.peers.forAgent([1, 2]), undefined);
    });
  });

  describe('locks.guardEdit', () => {
    it('names others\' claims overlapping any range, leaves out the caller\'s own, and sees every claim for no caller', async () => {
      const { lock } = await h.mesh.locks.acquire(a, { path: 'src/a.ts', startLine: 10, endLine: 20 }, { reason: 'refactor' });
      await h.mesh.locks.acquire(b, { path: 'src/a.ts', startLine: 30, endLine: 31 }, { reason: 'mine' });
      const file = path.join(repo, 'src', 'a.ts');
      assert.deepEqual((await h.mesh.locks.guardEdit(b, file, [{ startLine: 1, endLine: 2 }, { startLine: 20, endLine: 22 }])).conflicts.map((l) => l.id), [lock.id]);
      assert.deepEqual((await h.mesh.locks.guardEdit(b, file, [{ startLine: 21, endLine: 40 }])).conflicts, [], 'its own claim and free lines');
      assert.deepEqual((await h.mesh.locks.guardEdit(b, file, [])).conflicts.map((l) => l.id), [lock.id], 'no ranges: the whole file');
      assert.deepEqual((await h.mesh.locks.guardEdit(null, file, [{ startLine: 31, endLine: 31 }])).conflicts.map((l) => l.holderName), ['bob']);
      await rejectsReason(h.mesh.locks.guardEdit(null, file, [], { ttlSeconds: 60, reason: 'x' }), 'invalidInput');
      await rejectsReason(h.mesh.locks.guardEdit(b, file, [{ startLine: 5, endLine: 4 }]), 'invalidInput');
    });

    it('with claim: takes each range when all are free, nothing when one is held', async () => {
      const file = path.join(repo, 'src', 'a.ts');
      const free = await h.mesh.locks.guardEdit(b, file, [{ startLine: 3, endLine: 4 }, { startLine: 5, endLine: 6 }, { startLine: 9, endLine: 9 }], { ttlSeconds: 60, reason: 'editing' });
      assert.deepEqual(free.claimed.map((l) => [l.startLine, l.endLine, l.holder, l.reason]), [[3, 6, b, 'editing'], [9, 9, b, 'editing']], 'adjacent ranges merged');
      assert.equal(free.claimed[0].expiresAt, h.clock.now() + 60_000);
      const held = await h.mesh.locks.guardEdit(a, file, [{ startLine: 1, endLine: 1 }, { startLine: 6, endLine: 7 }], { ttlSeconds: 60, reason: 'mine now' });
      assert.deepEqual([held.conflicts.map((l) => l.holder), held.claimed], [[b], []]);
      assert.equal((await h.mesh.locks.list({ holder: a })).length, 0);
    });
  });

  describe('edits', () => {
    it('records who changed which lines, and lists them newest first, by line', async () => {
      await h.mesh.edits.record(a, 'src/a.ts', [{ startLine: 10, endLine: 12 }, { startLine: 13, endLine: 14 }], 'Edit');
      h.clock.advance(1000);
      await h.mesh.edits.record(b, path.join(repo, 'src', 'a.ts'), [], 'Write');
      h.clock.advance(1000);
      await h.mesh.edits.record(b, 'src/a.ts', [{ startLine: 40, endLine: 40 }], 'apply_patch');
      const all = await h.mesh.edits.list(a, 'src/a.ts', undefined, 10);
      assert.deepEqual(all.map((e) => [e.peerName, e.tool, e.relPath, e.ranges]), [
        ['bob', 'apply_patch', 'src/a.ts', [{ startLine: 40, endLine: 40 }]],
        ['bob', 'Write', 'src/a.ts', []],
        ['alice', 'Edit', 'src/a.ts', [{ startLine: 10, endLine: 14 }]],
      ]);
      assert.deepEqual((await h.mesh.edits.list(b, 'src/a.ts', 11, 10)).map((e) => e.tool), ['Write', 'Edit'], 'line 11: the whole-file write and the edit');
      assert.deepEqual((await h.mesh.edits.list(b, 'src/a.ts', 11, 1)).map((e) => e.tool), ['Write']);
      const { events } = await h.mesh.events.read(0, ['file_edited'], 10);
      assert.ok(events.every((e) => !('content' in e.data)), 'paths and lines only');
    });
  });
});
