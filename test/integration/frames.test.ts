import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { readSecret, type MeshHome } from '../../src/home/home';
import { BrokerError } from '../../src/protocol/errors';
import { proof } from '../../src/protocol/handshake';
import { protocolVersion } from '../../src/protocol/methods';
import { withBroker } from './with-broker';

/**
 * Opens a raw WebSocket that proves the mesh's secret in a hello (the broker closes, after a
 * few frames, a session that has not) and collects every JSON frame the broker sends back after it.
 */
async function rawSocket(home: MeshHome, port: number): Promise<{ ws: WebSocket; replies: Array<Record<string, unknown>> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  let nonce = '';
  ws.once('upgrade', (res) => (nonce = String(res.headers['x-peermesh-nonce'])));
  const replies: Array<Record<string, unknown>> = [];
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  const peerProof = proof(await readSecret(home), 'peer', port, nonce);
  ws.send(JSON.stringify({ jsonrpc: '2.0', id: 'hello', method: 'mesh/hello', params: { protocol: protocolVersion, nonce: 'n'.repeat(32), proof: peerProof } }));
  const hello = await new Promise<Record<string, unknown>>((r) => ws.once('message', (d) => r(JSON.parse(d.toString()) as Record<string, unknown>)));
  assert.ok(hello.result, `the hello with a proof was refused: ${JSON.stringify(hello)}`);
  ws.on('message', (d) => replies.push(JSON.parse(d.toString()) as Record<string, unknown>));
  return { ws, replies };
}

describe('hostile input: malformed, oversized and unauthenticated frames', function () {
  this.timeout(120_000);

  it('answers each of 1,000 bad frames with an error while well-behaved peers lose nothing', () => withBroker(async (mesh) => {
    const good = await mesh.observer('good');
    const { ws, replies } = await rawSocket(mesh.home, mesh.port);
    mesh.defer(() => ws.terminate());
    const big = 'x'.repeat(1024 * 1024 + 10);
    const frames: string[] = [];
    for (let i = 0; i < 1000; i++) {
      switch (i % 8) {
        case 0: frames.push('{not json'); break;
        case 1: frames.push(JSON.stringify([1, 2, 3])); break;
        case 2: frames.push(JSON.stringify({ hello: 'world' })); break;
        case 3: frames.push(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'state/set', params: { namespace: 'x', key: 'y', value: 1 } })); break; // not registered
        case 4: frames.push(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'no/such/method', params: {} })); break;
        case 5: frames.push(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'mesh/register', params: { proof: 'forged', intro: { name: 'evil', kind: 'unknown' } } })); break;
        case 6: frames.push(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'mesh/hello', params: { protocol: 'one', nonce: 5 } })); break;
        case 7: frames.push(i % 64 === 7 ? big : JSON.stringify({ jsonrpc: '2.0', id: i, method: 'mesh/register', params: { proof: 'p', intro: { name: 'n'.repeat(5000), kind: 'robot' } } })); break;
      }
    }
    // Interleave: the good peer keeps writing while the garbage flows.
    const writes: Array<Promise<unknown>> = [];
    for (const [i, f] of frames.entries()) {
      ws.send(f);
      if (i % 20 === 0) writes.push(good.request('state/set', { namespace: 'good', key: `k${i}`, value: i }));
    }
    await Promise.all(writes);
    const deadline = Date.now() + 30_000;
    while (replies.length < 1000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(replies.length, 1000, `got ${replies.length} replies to 1000 bad frames`);
    assert.ok(replies.every((r) => r.error && typeof (r.error as { message: unknown }).message === 'string'), 'every reply is an error with a message');
    const reasons = new Set(replies.map((r) => ((r.error as { data?: { reason?: string } }).data?.reason)));
    for (const reason of ['badFrame', 'unauthorized', 'invalidInput']) assert.ok(reasons.has(reason), `no ${reason} among ${[...reasons].join(', ')}`);
    assert.equal(ws.readyState, WebSocket.OPEN, 'the bad session itself is still open');
    ws.close();

    const { entries } = await good.request('state/list', { namespace: 'good', limit: 1000 });
    assert.equal(entries.length, writes.length, 'every good write is there');
    const status = await good.request('status/get', {});
    assert.equal(status.pid, mesh.pid, 'same broker throughout');
  }));

  it('an answer larger than the 1 MiB request limit still reaches the peer', () => withBroker(async (mesh) => {
    const peer = await mesh.observer('reader');
    const big = 'v'.repeat(250_000);
    for (let i = 0; i < 6; i++) await peer.request('state/set', { namespace: 'big', key: `k${i}`, value: big });
    const { entries } = await peer.request('state/list', { namespace: 'big' });
    assert.equal(entries.length, 6, 'about 1.5 MB in one answer');
    assert.ok(entries.every((e) => e.value === big));
  }));

  it('a request larger than the frame limit fails at once as invalidInput, and the peer stays connected', () => withBroker(async (mesh) => {
    const peer = await mesh.observer('writer');
    await assert.rejects(
      peer.request('state/set', { namespace: 'big', key: 'huge', value: 'v'.repeat(2 * 1024 * 1024) }),
      (e: unknown) => BrokerError.is(e, 'invalidInput') && /more than the 1 MiB a request may be/.test(e.message),
    );
    assert.equal(peer.connectionState, 'connected');
    await peer.request('state/set', { namespace: 'big', key: 'small', value: 1 });
    const status = await peer.request('status/get', {});
    assert.equal(status.pid, mesh.pid, 'same broker throughout');
  }));

  it('answers an oversized frame for its own id', () => withBroker(async (mesh) => {
    const { ws, replies } = await rawSocket(mesh.home, mesh.port);
    mesh.defer(() => ws.terminate());
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'state/set', params: { namespace: 'x', key: 'y', value: 'v'.repeat(2 * 1024 * 1024) } }));
    ws.send(`{"jsonrpc":"2.0","id":"big-one","method":"state/set","params":{"value":"${'v'.repeat(2 * 1024 * 1024)}"}}`);
    const deadline = Date.now() + 10_000;
    while (replies.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(replies.map((r) => r.id), [7, 'big-one']);
    assert.ok(replies.every((r) => ((r.error as { data?: { reason?: string } }).data?.reason) === 'badFrame'));
  }));

  it('refuses WebSocket upgrades from web pages (Origin) and foreign Host names', () => withBroker(async (mesh) => {
    for (const headers of [{ Origin: 'https://evil.example' }, { Host: `evil.example:${mesh.port}` }]) {
      const ws = new WebSocket(`ws://127.0.0.1:${mesh.port}/`, { headers });
      const status = await new Promise<number>((resolve) => {
        ws.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => resolve(101));
        ws.once('error', () => resolve(-1));
      });
      assert.equal(status, 403, JSON.stringify(headers));
    }
  }));
});
