import assert from 'node:assert/strict';
import { PeerClient } from '../../src/client/peer';
import { BrokerError } from '../../src/protocol/errors';
import { limits } from '../../src/protocol/limits';
import { withInProcessBroker } from './with-broker';

describe('every wait the client arms is bounded', function () {
  this.timeout(60_000);

  it('a waitMs beyond the protocol maximum is refused by the broker as invalidInput, not timed out by an overflowed timer', () => withInProcessBroker(async (mesh) => {
    const peer = await mesh.observer('waiter');
    for (const waitMs of [2 ** 53, 2 ** 31, limits.waitMs + 1]) {
      await assert.rejects(peer.request('events/read', { since: 0, waitMs }), (e: unknown) => {
        assert.ok(BrokerError.is(e, 'invalidInput'), `waitMs ${waitMs}: ${String(e)}`);
        return true;
      });
    }
    assert.equal(peer.connectionState, 'connected');
  }));

  it('a client that may not host fails a request with unavailable once the fail-over finds no broker', () => withInProcessBroker(async (mesh) => {
    const peer = await PeerClient.connect({ home: mesh.home, canHost: false, connectTimeoutMs: 1000, intro: { name: 'guest', kind: 'unknown' } });
    mesh.defer(() => peer.close(false));
    const reconnecting = new Promise<void>((r) => peer.onStateChange((s) => s === 'reconnecting' && r()));
    await mesh.broker.close();
    await reconnecting;
    await assert.rejects(peer.request('status/get', {}), (e: unknown) => {
      assert.ok(BrokerError.is(e, 'unavailable'), String(e));
      return true;
    });
  }));
});
