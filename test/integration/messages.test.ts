import assert from 'node:assert/strict';
import { BrokerError } from '../../src/protocol/errors';
import { withInProcessBroker } from './with-broker';

describe('messages over the wire', function () {
  this.timeout(30_000);

  it('messages/get shows a message to its sender and recipient only, and changes nothing', () => withInProcessBroker(async (mesh) => {
    const [a, b, c] = [await mesh.observer('a'), await mesh.observer('b'), await mesh.observer('c')];
    const [sent] = (await a.request('messages/send', { to: { peer: 'b' }, body: 'hello b' })).messages;
    for (const who of [a, b]) {
      const { messages } = await who.request('messages/get', { ids: [sent.id] });
      assert.deepEqual(messages.map((m) => [m.id, m.body, m.state]), [[sent.id, 'hello b', 'queued']], who.peer.name);
    }
    assert.deepEqual((await c.request('messages/get', { ids: [sent.id] })).messages, [], 'a third peer sees nothing');
    const inbox = await b.request('messages/inbox', {});
    assert.equal(inbox.unread, 1, 'looking it up did not mark it delivered or read');
    assert.equal(inbox.messages[0].state, 'delivered', 'the inbox read does');
    await assert.rejects(c.request('messages/get', { ids: [] }), (e) => BrokerError.is(e, 'invalidInput'));
  }));
});
