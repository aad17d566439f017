import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Message } from '../../../src/protocol/entities';
import { gitRepo, harness, join, throwsReason, type Harness } from './helpers';

describe('core/messages', () => {
  let h: Harness;
  let a: string;
  let b: string;
  let c: string;

  beforeEach(async () => {
    h = await harness();
    a = join(h.mesh, 'alice').id;
    b = join(h.mesh, 'bob').id;
    c = join(h.mesh, 'carol').id;
  });

  afterEach(() => h.mesh.dispose());

  it('sends to one peer by name or id, stamped with the sender; a new message starts its thread', () => {
    const [m] = h.mesh.messages.send(a, { peer: 'Bob' }, 'request', 'review my PR?');
    assert.deepEqual(m, {
      id: m.id, from: a, fromName: 'alice', to: b, kind: 'request', body: 'review my PR?', threadId: m.id, replyTo: null,
      broadcast: false, state: 'queued', createdAt: h.clock.now(), deliveredAt: null, readAt: null, ackedAt: null,
    });
    const [byId] = h.mesh.messages.send(a, { peer: b }, 'text', 'again');
    assert.equal(byId.to, b);
    assert.deepEqual(h.mesh.messages.get(m.id), m);
  });

  it('emits message_sent without the body, and tells onMessage listeners after commit', () => {
    const seen: Message[] = [];
    h.mesh.onMessage((m) => seen.push(m));
    const sent = h.mesh.messages.send(a, { peers: ['bob', 'carol'] }, 'alert', 'secret body');
    assert.deepEqual(seen, sent);
    const events = h.mesh.events.read(0, ['message_sent'], 10).events;
    assert.deepEqual(events.map((e) => [e.peer, e.data]), sent.map((m) => [a, { id: m.id, to: m.to, kind: 'alert', threadId: sent[0].id, broadcast: true }]));
    assert.ok(!JSON.stringify(events).includes('secret body'));
  });

  it('rejects unknown recipients by name, sending to oneself, gone peers, and bad bodies', () => {
    const unknown = throwsReason(() => h.mesh.messages.send(a, { peers: ['bob', 'zed', 'yan'] }, 'text', 'hi'), 'notFound');
    assert.match(unknown.message, /"zed", "yan"/);
    throwsReason(() => h.mesh.messages.send(a, { peer: 'alice' }, 'text', 'hi'), 'invalidInput');
    throwsReason(() => h.mesh.messages.send(a, { peers: ['bob', a] }, 'text', 'hi'), 'invalidInput');
    throwsReason(() => h.mesh.messages.send(a, { peer: 'bob' }, 'text', ''), 'invalidInput');
    throwsReason(() => h.mesh.messages.send(a, { peer: 'bob' }, 'text', 'x'.repeat(64 * 1024 + 1)), 'invalidInput');
    h.mesh.peers.leave(c);
    throwsReason(() => h.mesh.messages.send(a, { peer: 'carol' }, 'text', 'hi'), 'notFound');
    assert.equal(h.mesh.counts().messages, 0, 'nothing is stored when any recipient is wrong');
  });

  it('broadcast reaches the scope, never the sender or gone peers, as one thread', () => {
    const repo = gitRepo();
    fs.mkdirSync(path.join(repo, 'web'));
    const x = join(h.mesh, 'x', repo).id;
    const y = join(h.mesh, 'y', path.join(repo, 'web')).id;
    const z = join(h.mesh, 'z', repo).id;
    const gone = join(h.mesh, 'gone', repo).id;
    h.mesh.peers.leave(gone);
    const all = h.mesh.messages.send(x, { broadcast: 'machine' }, 'text', 'hello all');
    assert.deepEqual(all.map((m) => m.to).sort(), [a, b, c, y, z].sort());
    assert.ok(all.every((m) => m.broadcast && m.threadId === all[0].id));
    assert.deepEqual(h.mesh.messages.send(x, { broadcast: 'repo' }, 'text', 'repo').map((m) => m.to).sort(), [y, z].sort());
    assert.deepEqual(h.mesh.messages.send(x, { broadcast: 'workspace' }, 'text', 'ws').map((m) => m.to), [z]);
    assert.deepEqual(h.mesh.messages.send(a, { broadcast: 'repo' }, 'text', 'nobody'), []);
  });

  it('replies join the thread of the message replied to, if the sender can see it', () => {
    const [q] = h.mesh.messages.send(a, { peer: 'bob' }, 'request', 'q');
    const [r] = h.mesh.messages.send(b, { peer: 'alice' }, 'reply', 'r', q.id);
    assert.equal(r.threadId, q.id);
    assert.equal(r.replyTo, q.id);
    const [rr] = h.mesh.messages.send(a, { peer: 'bob' }, 'text', 'rr', r.id);
    assert.equal(rr.threadId, q.id);
    throwsReason(() => h.mesh.messages.send(c, { peer: 'alice' }, 'reply', 'nosy', q.id), 'notFound');
    throwsReason(() => h.mesh.messages.send(c, { peer: 'alice' }, 'reply', 'x', 9999), 'notFound');
  });

  it('moves through queued → delivered → read → acked, only for the recipient', () => {
    const [m1] = h.mesh.messages.send(a, { peer: 'bob' }, 'text', 'one');
    h.clock.advance(10);
    const [m2] = h.mesh.messages.send(c, { peer: 'bob' }, 'text', 'two');
    h.clock.advance(10);
    const inbox = h.mesh.messages.inbox(b, true, 50);
    assert.deepEqual(inbox.messages.map((m) => [m.id, m.state, m.deliveredAt]), [[m1.id, 'delivered', h.clock.now()], [m2.id, 'delivered', h.clock.now()]]);
    assert.equal(inbox.unread, 2);
    assert.equal(h.mesh.messages.get(m1.id)?.state, 'delivered');
    assert.equal(h.mesh.messages.markRead(a, [m1.id]), 0, 'alice cannot mark bob\'s message');
    assert.equal(h.mesh.messages.markRead(b, [m1.id, m1.id]), 1);
    assert.equal(h.mesh.messages.markRead(b, [m1.id]), 0, 'already read');
    assert.deepEqual(h.mesh.messages.inbox(b, true, 50).messages.map((m) => m.id), [m2.id]);
    assert.equal(h.mesh.messages.ack(c, [m2.id]), 0);
    assert.equal(h.mesh.messages.ack(b, [m2.id]), 1);
    const acked = h.mesh.messages.get(m2.id);
    assert.equal(acked?.state, 'acked');
    assert.ok(acked?.readAt && acked.ackedAt && acked.deliveredAt);
    assert.equal(h.mesh.messages.ack(b, [m2.id]), 0);
    const all = h.mesh.messages.inbox(b, false, 50);
    assert.deepEqual(all.messages.map((m) => m.state), ['read', 'acked']);
    assert.equal(all.unread, 0);
  });

  it('the whole inbox pages from the newest; unread from the oldest', () => {
    const sent = [1, 2, 3, 4].map((i) => h.mesh.messages.send(a, { peer: 'bob' }, 'text', `m${i}`)[0].id);
    assert.deepEqual(h.mesh.messages.inbox(b, true, 2).messages.map((m) => m.id), sent.slice(0, 2));
    assert.equal(h.mesh.messages.inbox(b, true, 2).unread, 4);
    assert.deepEqual(h.mesh.messages.inbox(b, false, 2).messages.map((m) => m.id), sent.slice(2));
    assert.equal(h.mesh.counts().unreadMessages, 4);
  });
});
