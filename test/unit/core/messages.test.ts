import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Message } from '../../../src/protocol/entities';
import { gitRepo, harness, join, rejectsReason, type Harness } from './helpers';

describe('core/messages', () => {
  let h: Harness;
  let a: string;
  let b: string;
  let c: string;

  beforeEach(async () => {
    h = await harness();
    a = (await join(h.mesh, 'alice')).id;
    b = (await join(h.mesh, 'bob')).id;
    c = (await join(h.mesh, 'carol')).id;
  });

  afterEach(() => h.mesh.dispose());

  it('sends to one peer by name or id, stamped with the sender; a new message starts its thread', async () => {
    const [m] = await h.mesh.messages.send(a, { peer: 'Bob' }, 'request', 'review my PR?');
    assert.deepEqual(m, {
      id: m.id, from: a, fromName: 'alice', to: b, kind: 'request', body: 'review my PR?', threadId: m.id, replyTo: null,
      broadcast: false, state: 'queued', createdAt: h.clock.now(), deliveredAt: null, readAt: null, ackedAt: null,
    });
    const [byId] = await h.mesh.messages.send(a, { peer: b }, 'text', 'again');
    assert.equal(byId.to, b);
    assert.deepEqual(await h.mesh.messages.get(m.id), m);
  });

  it('emits message_sent without the body, and tells onMessage listeners after commit', async () => {
    const seen: Message[] = [];
    h.mesh.onMessage((m) => seen.push(m));
    const sent = await h.mesh.messages.send(a, { peers: ['bob', 'carol'] }, 'alert', 'secret body');
    assert.deepEqual(seen, sent);
    const events = (await h.mesh.events.read(0, ['message_sent'], 10)).events;
    assert.deepEqual(events.map((e) => [e.peer, e.data]), sent.map((m) => [a, { id: m.id, to: m.to, kind: 'alert', threadId: sent[0].id, broadcast: true }]));
    assert.ok(!JSON.stringify(events).includes('secret body'));
  });

  it('rejects unknown recipients by name, sending to oneself, gone peers, and bad bodies', async () => {
    const unknown = await rejectsReason(h.mesh.messages.send(a, { peers: ['bob', 'zed', 'yan'] }, 'text', 'hi'), 'notFound');
    assert.match(unknown.message, /"zed", "yan"/);
    await rejectsReason(h.mesh.messages.send(a, { peer: 'alice' }, 'text', 'hi'), 'invalidInput');
    await rejectsReason(h.mesh.messages.send(a, { peers: ['bob', a] }, 'text', 'hi'), 'invalidInput');
    await rejectsReason(h.mesh.messages.send(a, { peer: 'bob' }, 'text', ''), 'invalidInput');
    await rejectsReason(h.mesh.messages.send(a, { peer: 'bob' }, 'text', 'x'.repeat(64 * 1024 + 1)), 'invalidInput');
    await h.mesh.peers.leave(c);
    await rejectsReason(h.mesh.messages.send(a, { peer: 'carol' }, 'text', 'hi'), 'notFound');
    assert.equal((await h.mesh.counts()).messages, 0, 'nothing is stored when any recipient is wrong');
  });

  it('broadcast reaches the scope, never the sender or gone peers, as one thread', async () => {
    const repo = gitRepo();
    fs.mkdirSync(path.join(repo, 'web'));
    const x = (await join(h.mesh, 'x', repo)).id;
    const y = (await join(h.mesh, 'y', path.join(repo, 'web'))).id;
    const z = (await join(h.mesh, 'z', repo)).id;
    const gone = (await join(h.mesh, 'gone', repo)).id;
    await h.mesh.peers.leave(gone);
    const all = await h.mesh.messages.send(x, { broadcast: 'machine' }, 'text', 'hello all');
    assert.deepEqual(all.map((m) => m.to).sort(), [a, b, c, y, z].sort());
    assert.ok(all.every((m) => m.broadcast && m.threadId === all[0].id));
    assert.deepEqual((await h.mesh.messages.send(x, { broadcast: 'repo' }, 'text', 'repo')).map((m) => m.to).sort(), [y, z].sort());
    assert.deepEqual((await h.mesh.messages.send(x, { broadcast: 'workspace' }, 'text', 'ws')).map((m) => m.to), [z]);
    assert.deepEqual(await h.mesh.messages.send(a, { broadcast: 'repo' }, 'text', 'nobody'), []);
  });

  it('replies join the thread of the message replied to, if the sender can see it', async () => {
    const [q] = await h.mesh.messages.send(a, { peer: 'bob' }, 'request', 'q');
    const [r] = await h.mesh.messages.send(b, { peer: 'alice' }, 'reply', 'r', q.id);
    assert.equal(r.threadId, q.id);
    assert.equal(r.replyTo, q.id);
    const [rr] = await h.mesh.messages.send(a, { peer: 'bob' }, 'text', 'rr', r.id);
    assert.equal(rr.threadId, q.id);
    await rejectsReason(h.mesh.messages.send(c, { peer: 'alice' }, 'reply', 'nosy', q.id), 'notFound');
    await rejectsReason(h.mesh.messages.send(c, { peer: 'alice' }, 'reply', 'x', 9999), 'notFound');
  });

  it('moves through queued → delivered → read → acked, only for the recipient', async () => {
    const [m1] = await h.mesh.messages.send(a, { peer: 'bob' }, 'text', 'one');
    h.clock.advance(10);
    const [m2] = await h.mesh.messages.send(c, { peer: 'bob' }, 'text', 'two');
    h.clock.advance(10);
    const inbox = await h.mesh.messages.inbox(b, true, 50);
    assert.deepEqual(inbox.messages.map((m) => [m.id, m.state, m.deliveredAt]), [[m1.id, 'delivered', h.clock.now()], [m2.id, 'delivered', h.clock.now()]]);
    assert.equal(inbox.unread, 2);
    assert.equal((await h.mesh.messages.get(m1.id))?.state, 'delivered');
    assert.equal(await h.mesh.messages.markRead(a, [m1.id]), 0, 'alice cannot mark bob\'s message');
    assert.equal(await h.mesh.messages.markRead(b, [m1.id, m1.id]), 1);
    assert.equal(await h.mesh.messages.markRead(b, [m1.id]), 0, 'already read');
    assert.deepEqual((await h.mesh.messages.inbox(b, true, 50)).messages.map((m) => m.id), [m2.id]);
    assert.equal(await h.mesh.messages.ack(c, [m2.id]), 0);
    assert.equal(await h.mesh.messages.ack(b, [m2.id]), 1);
    const acked = await h.mesh.messages.get(m2.id);
    assert.equal(acked?.state, 'acked');
    assert.ok(acked?.readAt && acked.ackedAt && acked.deliveredAt);
    assert.equal(await h.mesh.messages.ack(b, [m2.id]), 0);
    const all = await h.mesh.messages.inbox(b, false, 50);
    assert.deepEqual(all.messages.map((m) => m.state), ['read', 'acked']);
    assert.equal(all.unread, 0);
  });

  it('the whole inbox pages from the newest; unread from the oldest', async () => {
    const sent: number[] = [];
    for (const i of [1, 2, 3, 4]) sent.push((await h.mesh.messages.send(a, { peer: 'bob' }, 'text', `m${i}`))[0].id);
    assert.deepEqual((await h.mesh.messages.inbox(b, true, 2)).messages.map((m) => m.id), sent.slice(0, 2));
    assert.equal((await h.mesh.messages.inbox(b, true, 2)).unread, 4);
    assert.deepEqual((await h.mesh.messages.inbox(b, false, 2)).messages.map((m) => m.id), sent.slice(2));
    assert.equal((await h.mesh.counts()).unreadMessages, 4);
  });

  describe('traffic', () => {
    let person: string;

    beforeEach(async () => {
      person = (await join(h.mesh, 'vscode:repo', null, { kind: 'vscode-window' })).id;
    });

    it('lists the newest messages between any peers, oldest first, one per recipient, changing nothing', async () => {
      const [ab] = await h.mesh.messages.send(a, { peer: 'bob' }, 'request', 'review?');
      const [ba] = await h.mesh.messages.send(b, { peer: 'alice' }, 'reply', 'done', ab.id);
      const all = await h.mesh.messages.send(c, { broadcast: 'machine' }, 'alert', 'build broken');
      const seq = await h.mesh.events.lastSeq();
      const traffic = await h.mesh.messages.traffic(person, { limit: 100 });
      assert.deepEqual(traffic.map((m) => m.id), [ab.id, ba.id, ...all.map((m) => m.id)]);
      assert.deepEqual(traffic.slice(0, 2).map((m) => [m.fromName, m.to, m.kind, m.body, m.state]), [['alice', b, 'request', 'review?', 'queued'], ['bob', a, 'reply', 'done', 'queued']]);
      assert.equal((await h.mesh.messages.get(ab.id))?.state, 'queued', 'reading the traffic delivers nothing');
      assert.equal(await h.mesh.events.lastSeq(), seq, 'and emits nothing');
      assert.deepEqual((await h.mesh.messages.traffic(person, { limit: 2 })).map((m) => m.id), all.slice(-2).map((m) => m.id), 'the newest page');
    });

    it('narrows to one peer (by id or live name) and pages back with before', async () => {
      const [ab] = await h.mesh.messages.send(a, { peer: 'bob' }, 'text', 'one');
      await h.mesh.messages.send(b, { peer: 'carol' }, 'text', 'two');
      const [ca] = await h.mesh.messages.send(c, { peer: 'alice' }, 'text', 'three');
      assert.deepEqual((await h.mesh.messages.traffic(person, { limit: 100, peer: 'alice' })).map((m) => m.id), [ab.id, ca.id]);
      assert.deepEqual((await h.mesh.messages.traffic(person, { limit: 100, peer: a, before: ca.id })).map((m) => m.id), [ab.id]);
      await h.mesh.peers.leave(a);
      assert.deepEqual((await h.mesh.messages.traffic(person, { limit: 100, peer: a })).map((m) => m.id), [ab.id, ca.id], 'a gone peer by id');
      await rejectsReason(h.mesh.messages.traffic(person, { limit: 100, peer: 'alice' }), 'notFound');
      await rejectsReason(h.mesh.messages.traffic(person, { limit: 100, peer: 'zed' }), 'notFound');
    });

    it('is for the person only: the terminal may read it, an agent may not', async () => {
      await h.mesh.messages.send(a, { peer: 'bob' }, 'text', 'private to us');
      const terminal = (await join(h.mesh, 'cli', null, { kind: 'cli' })).id;
      assert.equal((await h.mesh.messages.traffic(terminal, { limit: 10 })).length, 1);
      const e = await rejectsReason(h.mesh.messages.traffic(a, { limit: 10 }), 'unauthorized');
      assert.match(e.message, /an agent reads its own inbox$/, 'in words, not a method name');
    });
  });

  describe('claim', () => {
    const claimOf = async (m: Message) => (await h.mesh.state.get('peermesh.claims', `thread-${m.threadId}`))?.value;

    it('claims the thread of each request for the caller and marks them read, in one go', async () => {
      const [r1] = await h.mesh.messages.send(a, { peer: 'bob' }, 'request', 'review #1?');
      const [r2] = await h.mesh.messages.send(c, { peer: 'bob' }, 'request', 'review #2?');
      const since = await h.mesh.events.lastSeq();
      const { messages, updated } = await h.mesh.messages.claim(b, [r1.id, r2.id]);
      assert.deepEqual(messages.map((m) => [m.id, m.state]), [[r1.id, 'read'], [r2.id, 'read']]);
      assert.equal(updated, 2);
      assert.deepEqual([await claimOf(r1), await claimOf(r2)], [{ by: b, message: r1.id }, { by: b, message: r2.id }]);
      assert.deepEqual((await h.mesh.events.read(since, ['state_changed'], 10)).events.map((e) => [e.peer, e.data.key]), [[b, `thread-${r1.id}`], [b, `thread-${r2.id}`]]);
      assert.equal((await h.mesh.messages.claim(b, [r1.id])).updated, 0, 're-claiming one\'s own is fine');
    });

    it('is all or nothing: when one id of a broadcast request is claimed by another peer, nothing is claimed', async () => {
      const broadcast = await h.mesh.messages.send(a, { broadcast: 'machine' }, 'request', 'who fixes the build?');
      const toBob = broadcast.find((m) => m.to === b)!;
      const toCarol = broadcast.find((m) => m.to === c)!;
      const [other] = await h.mesh.messages.send(a, { peer: 'bob' }, 'request', 'and the docs?');
      await h.mesh.messages.claim(c, [toCarol.id]);
      const since = await h.mesh.events.lastSeq();
      const e = await rejectsReason(h.mesh.messages.claim(b, [other.id, toBob.id]), 'alreadyClaimed');
      assert.deepEqual(e.data, { claimed: [{ id: toBob.id, by: c, byName: 'carol' }] });
      assert.match(e.message, new RegExp(`#${toBob.id} is already claimed by carol`));
      assert.equal(await claimOf(other), undefined, 'the free one was not claimed either');
      assert.deepEqual([(await h.mesh.messages.get(other.id))?.state, (await h.mesh.messages.get(toBob.id))?.state], ['queued', 'queued'], 'nor marked read');
      assert.equal(await h.mesh.events.lastSeq(), since, 'no event');
    });

    it('only the recipient claims, only requests, only real ids', async () => {
      const [req] = await h.mesh.messages.send(a, { peer: 'bob' }, 'request', 'do it');
      const [text] = await h.mesh.messages.send(a, { peer: 'bob' }, 'text', 'fyi');
      const notMine = await rejectsReason(h.mesh.messages.claim(c, [req.id]), 'notFound');
      assert.deepEqual(notMine.data, { missing: [req.id] });
      await rejectsReason(h.mesh.messages.claim(b, [req.id, 9999]), 'notFound');
      const e = await rejectsReason(h.mesh.messages.claim(b, [req.id, text.id]), 'invalidInput');
      assert.match(e.message, new RegExp(`#${text.id} is not a request`));
      await rejectsReason(h.mesh.messages.claim(b, []), 'invalidInput');
      assert.equal(await claimOf(req), undefined);
    });
  });
});
