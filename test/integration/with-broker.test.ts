import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import type { PeerClient } from '../../src/client/peer';
import { withBroker, withInProcessBroker } from './with-broker';

/** Can this process bind `port` now (nothing listens on it)? */
const portFree = (port: number) => new Promise<boolean>((resolve) => {
  const server = net.createServer().once('error', () => resolve(false));
  server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// The fixture's promise: a failing test leaves no broker, client or home behind, and fails
// with its own error.
describe('the withBroker fixture', function () {
  this.timeout(60_000);

  it('tears down the broker process, its clients and the home when the test throws', async () => {
    let seen: { dir: string; pid: number; client: PeerClient } | undefined;
    const failure = new Error('the test failed');
    await assert.rejects(withBroker(async (mesh) => {
      seen = { dir: mesh.dir, pid: mesh.pid, client: await mesh.observer() };
      assert.ok(alive(mesh.pid));
      throw failure;
    }), (e) => e === failure);
    assert.ok(seen);
    assert.equal(alive(seen.pid), false, 'the broker process is gone');
    assert.equal(seen.client.connectionState, 'closed');
    assert.equal(existsSync(seen.dir), false, 'the home is removed');
  });

  it('stops an in-process broker and removes the home when the test throws', async () => {
    let dir = '';
    let port = 0;
    await assert.rejects(withInProcessBroker(async (mesh) => {
      ({ dir, port } = mesh);
      await mesh.observer();
      assert.equal(await portFree(port), false);
      throw new Error('boom');
    }), /boom/);
    assert.equal(await portFree(port), true, 'the broker stopped listening');
    assert.equal(existsSync(dir), false, 'the home is removed');
  });
});
