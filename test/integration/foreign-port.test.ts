import assert from 'node:assert/strict';
import net from 'node:net';
import { PeerClient } from '../../src/client/peer';
import { candidatePorts } from '../../src/home/home';
import { tempHome } from './harness';

describe('a foreign program on the first candidate port', function () {
  this.timeout(60_000);

  it('a listener that resets every connection is passed over: the broker starts on the next candidate', async () => {
    const t = tempHome();
    const [first, second] = candidatePorts(t.home);
    const resetter = net.createServer((socket) => socket.destroy());
    await new Promise<void>((r) => resetter.listen(first, '127.0.0.1', r));
    let client: PeerClient | undefined;
    try {
      client = await PeerClient.connect({ home: t.home, canHost: true, connectTimeoutMs: 10_000, intro: { name: 'host', kind: 'unknown' } });
      assert.ok(client.hostedBroker, 'this client hosts the broker');
      assert.equal(client.broker.port, second, 'the broker is on the second candidate');
    } finally {
      await client?.close();
      await new Promise((r) => resetter.close(r));
      t.cleanup();
    }
  });
});
