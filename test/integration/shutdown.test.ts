import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { tempHome } from './harness';
import { startBroker } from '../start-broker';

describe('broker shutdown', function () {
  this.timeout(30_000);

  it('is not held up by a peer that never answers the close frame', async () => {
    const t = tempHome();
    const broker = await startBroker({ home: t.home });
    const port = broker.info.port;
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
