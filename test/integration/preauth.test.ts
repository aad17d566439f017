/**
 * Connections that never prove the mesh's secret get a few small handshake requests, no more:
 * pipelined requests of other methods, wrong-proof registers and oversized frames end the
 * session, so such programs cannot make the broker parse, answer and buffer without end.
 * And a broker that fails to start lets go of every connection it accepted meanwhile.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Broker } from '../../src/broker/broker';
import { candidatePorts } from '../../src/home/home';
import { openLink } from '../../src/hook/link';
import { protocolVersion } from '../../src/protocol/methods';
import { tempHome } from './harness';
import { openSilent, raceDeadline, type Silent } from './silent-sockets';
import { withBroker, withInProcessBroker } from './with-broker';
import WebSocket from 'ws';
import { readSecret } from '../../src/home/home';
import { proof } from '../../src/protocol/handshake';
import { admissionLimits } from '../../src/protocol/limits';

/** How long the test waits for the broker to close sessions: far past its own few seconds. */
const closedWithinMs = 30_000;

/** Requests a session that has not proved the secret may send before the broker ends it. */
const preAuthRequests = 4;

async function openMany(port: number, n: number): Promise<Silent[]> {
  const sockets = Array.from({ length: n }, () => openSilent('ws', port));
  await Promise.all(sockets.map((s) => s.opened));
  return sockets;
}

describe('connections that have not proved the secret', function () {
  this.timeout(120_000);

  it('are closed after a few pipelined requests of other methods, while a registered peer is served', () => withBroker(async (mesh) => {
    const resident = await mesh.observer('resident');
    const flood = await openMany(mesh.port, 20);
    mesh.defer(() => flood.forEach((s) => s.destroy()));
    let id = 0;
    for (const [n, s] of flood.entries()) {
      for (let i = 0; i < 200; i++) {
        // Half of them send frames that are not even JSON-RPC: those are answered (badFrame) too.
        s.send(n % 2 ? { jsonrpc: '2.0', id: ++id, method: 'state/get', params: { namespace: 'n', key: 'k' } } : { not: 'json-rpc', i });
      }
    }
    await raceDeadline(Promise.all(flood.map((s) => s.closed)), closedWithinMs);
    assert.equal(flood.filter((s) => !s.isClosed).length, 0, 'every flooding session is closed');
    const answered = Math.max(...flood.map((s) => s.answers.length));
    assert.ok(answered <= preAuthRequests, `a session was answered ${answered} requests before proving the secret`);
    await resident.request('state/set', { namespace: 'preauth', key: 'k', value: 1 });
    assert.equal((await resident.request('state/get', { namespace: 'preauth', key: 'k' })).entry?.value, 1);
  }));

  it('are closed after a few wrong-proof registers, which are rationed like hellos; a hook still gets in', () => withBroker(async (mesh) => {
    const flood = await openMany(mesh.port, 20);
    mesh.defer(() => flood.forEach((s) => s.destroy()));
    const register = (s: Silent, id: number) => s.send({ jsonrpc: '2.0', id, method: 'mesh/register', params: { proof: 'f'.repeat(64), intro: { name: 'flood', kind: 'unknown' } } });
    // As many as a session may send: each is answered, and 80 wrong proofs at once are rationed.
    for (const s of flood) for (let i = 1; i <= preAuthRequests; i++) register(s, i);
    await raceDeadline(Promise.all(flood.map((s) => s.answered(preAuthRequests))), closedWithinMs);
    const answers = flood.flatMap((s) => s.answers);
    assert.ok(answers.some((a) => a.error?.data?.reason === 'rateLimited'), `no wrong-proof register was rationed: ${JSON.stringify(answers.slice(0, 2))}`);
    assert.ok(answers.every((a) => a.error), 'a wrong-proof register succeeded');
    // One more each, and a pipeline of them: the sessions end unanswered.
    for (const s of flood) for (let i = 1; i <= 50; i++) register(s, preAuthRequests + i);
    await raceDeadline(Promise.all(flood.map((s) => s.closed)), closedWithinMs);
    assert.equal(flood.filter((s) => !s.isClosed).length, 0, 'every flooding session is closed');
    const most = Math.max(...flood.map((s) => s.answers.length));
    assert.ok(most <= preAuthRequests, `a session was answered ${most} wrong registers`);
    const hook = await openLink(mesh.dir, [process.pid], 10_000);
    mesh.defer(() => hook?.close());
    assert.ok(hook, 'a hook links to the broker after the flood');
    const late = await mesh.observer('late');
    assert.ok(late.peer.id);
  }));

  it('are closed, unanswered, on a frame larger than a handshake needs', () => withBroker(async (mesh) => {
    const [big] = await openMany(mesh.port, 1);
    mesh.defer(() => big.destroy());
    big.send({ jsonrpc: '2.0', id: 1, method: 'mesh/hello', params: { protocol: protocolVersion, nonce: 'n'.repeat(32), pad: 'x'.repeat(900_000) } });
    await raceDeadline(big.closed, closedWithinMs);
    assert.ok(big.isClosed, 'the session is closed');
    assert.deepEqual(big.answers, [], 'the oversized frame was answered');
    const late = await mesh.observer('late');
    assert.ok(late.peer.id);
  }));
});

describe('a broker that fails to start', function () {
  this.timeout(60_000);

  it('closes the connections it accepted while it was starting', async () => {
    const t = tempHome();
    // An empty secret file: the broker listens, looks at it for half a second, then gives up.
    mkdirSync(t.dir, { recursive: true });
    writeFileSync(t.home.secretFile, '');
    const port = candidatePorts(t.home)[0];
    const starting = Broker.start({ home: t.home, port }).then(() => assert.fail('the broker started'), (e: Error) => e);
    const socket = await connectWhileStarting(port);
    let closed = false;
    const gone = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    void gone.then(() => (closed = true));
    try {
      assert.match((await starting).message, /empty or too short/);
      await raceDeadline(gone, closedWithinMs);
      assert.ok(closed, 'a socket accepted during the failed start is still open');
    } finally {
      socket.destroy();
      t.cleanup();
    }
  });
});

describe('the admission deadlines', function () {
  this.timeout(60_000);

  it('answer a hello that arrived while the broker was stalled past the join deadline', () => withInProcessBroker(async (mesh) => {
    const ws = new WebSocket(`ws://127.0.0.1:${mesh.port}/`);
    mesh.defer(() => ws.terminate());
    let nonce = '';
    ws.once('upgrade', (res) => (nonce = String(res.headers['x-peermesh-nonce'])));
    await new Promise((resolve) => ws.once('open', resolve));
    let closeCode: number | undefined;
    const ended = new Promise<void>((resolve) => ws.once('close', (code) => resolve(void (closeCode = code))));
    const answered = new Promise<Record<string, unknown>>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Record<string, unknown>)));
    const peerProof = proof(await readSecret(mesh.home), 'peer', mesh.port, nonce);
    ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'mesh/hello', params: { protocol: protocolVersion, nonce: 'n'.repeat(32), proof: peerProof } }));
    // The broker runs in this process: its event loop stalls (as in a snapshot) with the hello in its socket.
    stall(admissionLimits.joinWithinMs + 500);
    const first = await Promise.race([answered, ended.then(() => undefined)]);
    assert.ok(first?.result, `the hello was not answered (closed with ${closeCode})`);
    assert.equal(closeCode, undefined);
  }));

  it('let an upgrade request that arrived while the broker was stalled past the upgrade deadline through', () => withInProcessBroker(async (mesh) => {
    const socket = net.connect({ host: '127.0.0.1', port: mesh.port });
    mesh.defer(() => socket.destroy());
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    // The broker accepts it on a later turn of this process's event loop.
    await new Promise((resolve) => setTimeout(resolve, 200));
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    const ended = new Promise((resolve) => socket.once('close', resolve));
    socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${mesh.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    stall(admissionLimits.upgradeWithinMs + 500);
    const upgraded = new Promise<void>((resolve) => socket.on('data', () => received.includes('\r\n\r\n') && resolve()));
    await raceDeadline(Promise.race([upgraded, ended]), closedWithinMs);
    assert.match(received.split('\r\n')[0] ?? '', / 101 /, `answered: ${JSON.stringify(received.slice(0, 80))}`);
  }));

  it('tell a connection that sends no upgrade request in time that this is a busy PeerMesh broker', () => withInProcessBroker(async (mesh) => {
    const socket = net.connect({ host: '127.0.0.1', port: mesh.port });
    mesh.defer(() => socket.destroy());
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', () => undefined);
    await raceDeadline(new Promise((resolve) => socket.once('close', resolve)), closedWithinMs);
    assert.match(received, /^HTTP\/1\.1 503 [^]*x-peermesh-broker: busy/, `answered: ${JSON.stringify(received.slice(0, 80))}`);
  }));
});

/** Blocks this process's event loop for `ms`, as a long synchronous task in the broker does. */
function stall(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    /* busy: nothing else runs */
  }
}

/** A TCP connection that sends nothing, made as soon as the port listens. */
async function connectWhileStarting(port: number): Promise<net.Socket> {
  for (;;) {
    const socket = net.connect({ host: '127.0.0.1', port });
    const ok = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('error', () => resolve(false));
    });
    if (ok) {
      socket.on('error', () => undefined);
      socket.resume();
      return socket;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}
