import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Broker } from '../../src/broker/broker';
import { candidatePorts } from '../../src/home/home';
import { tempHome } from './harness';

describe('broker shutdown', function () {
  this.timeout(30_000);

  it('is not held up by a peer that never answers the close frame', async () => {
    const t = tempHome();
    const port = candidatePorts(t.home)[0];
    const broker = await Broker.start({ home: t.home, port });
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
    try {
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      // Stop reading: the close frame is never answered (the WebSocket close timeout is 30 s).
      (ws as unknown as { _socket: { pause(): void } })._socket.pause();
      const started = Date.now();
      await broker.close();
      const took = Date.now() - started;
      assert.ok(took < 5000, `close took ${took} ms`);
    } finally {
      ws.terminate();
      t.cleanup();
    }
  });
});
