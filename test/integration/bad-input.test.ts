import assert from 'node:assert/strict';
import path from 'node:path';
import { withInProcessBroker } from './with-broker';

describe('bad input through the real broker', function () {
  this.timeout(120_000);

  it('a lone surrogate comes back as one U+FFFD, as a UTF-8 round trip gives, in bodies, state, summaries and reasons', () => withInProcessBroker(async (mesh) => {
    const lone = 'a\uD800b';
    const once = 'a\uFFFDb';
    const sender = await mesh.observer('sender');
    const reader = await mesh.observer('reader');
    const [sent] = (await sender.request('messages/send', { to: { peer: 'reader' }, kind: 'text', body: lone })).messages;
    assert.equal(sent.body, once, 'the sender is told what was stored');
    const { messages } = await reader.request('messages/inbox', { unreadOnly: true, limit: 10 });
    assert.deepEqual(messages.map((m) => m.body), [once]);

    const { entry } = await sender.request('state/set', { namespace: 'ns', key: `k${lone}`, value: { text: lone, [lone]: 1 } });
    assert.deepEqual(entry.value, { text: once, [once]: 1 });
    const read = (await reader.request('state/get', { namespace: 'ns', key: `k${once}` })).entry;
    assert.deepEqual(read?.value, { text: once, [once]: 1 }, 'the key and the value are stored as they were answered');

    await sender.request('peers/update', { summary: lone });
    const { peers } = await reader.request('peers/list', { scope: 'machine' });
    assert.equal(peers.find((p) => p.id === sender.peer.id)?.summary, once);

    const { lock } = await sender.request('locks/acquire', { target: { path: path.join(mesh.dir, 'a.ts') }, reason: lone });
    assert.equal(lock.reason, once);
    assert.deepEqual((await reader.request('locks/list', {})).locks.map((l) => l.reason), [once]);
  }));
});
