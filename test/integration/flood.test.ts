/**
 * Floods of connections against a real `peermesh serve`: silent TCP sockets, WebSockets that
 * upgrade and never speak, a broker short of file descriptors, and a burst of `mesh/hello`.
 * None of them may stop a newcomer from joining or a registered peer from being answered.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connectTo } from '../../src/client/connect';
import { PeerClient } from '../../src/client/peer';
import { openLink } from '../../src/hook/link';
import { admissionLimits } from '../../src/protocol/limits';
import { protocolVersion } from '../../src/protocol/methods';
import { startFlooder } from './flooder';
import { cliPath, Proc, tempHome } from './harness';
import { openSilent, raceDeadline, type Silent } from './silent-sockets';
import { withBroker } from './with-broker';
import type { MeshHome } from '../../src/home/home';

/** Joins as a new peer the way every PeerMesh program does, within the usual connect timeout. */
function newcomer(home: MeshHome, name: string): Promise<PeerClient> {
  return PeerClient.connect({ home, canHost: false, connectTimeoutMs: 15_000, intro: { name, kind: 'unknown' } });
}

/** How long the test waits for the broker to close silent sockets: far past the broker's own few seconds. */
const closedWithinMs = 30_000;

describe('floods of connections', function () {
  this.timeout(180_000);

  it('closes silent TCP sockets and silent WebSockets, while a registered peer and a newcomer are served', () => withBroker(async (mesh) => {
    const resident = await mesh.observer('resident');
    const silent: Silent[] = [];
    mesh.defer(() => silent.forEach((s) => s.destroy()));
    for (let i = 0; i < 300; i++) silent.push(openSilent('tcp', mesh.port), openSilent('ws', mesh.port));
    await Promise.all(silent.map((s) => s.opened));

    await resident.request('state/set', { namespace: 'flood', key: 'during', value: 1 });
    const late = await newcomer(mesh.home, 'newcomer');
    mesh.defer(() => late.close());
    const { peers } = await resident.request('peers/list', { scope: 'machine', includeGone: false });
    assert.ok(peers.some((p) => p.id === late.peer.id), 'the newcomer is in the mesh');

    await raceDeadline(Promise.all(silent.map((s) => s.closed)), closedWithinMs);
    for (const kind of ['tcp', 'ws'] as const) {
      const open = silent.filter((s) => s.kind === kind && !s.isClosed).length;
      assert.equal(open, 0, `${open} of 300 silent ${kind} sockets still open ${closedWithinMs / 1000} s later`);
    }
    assert.equal((await resident.request('state/get', { namespace: 'flood', key: 'during' })).entry?.value, 1);
  }));

  it('under ulimit -n 512, a newcomer joins while 600 silent sockets are opened against the broker', async () => {
    const t = tempHome();
    // The broker's own shell gets the low limit; this process keeps its own.
    const broker = new Proc(spawn('sh', ['-c', 'ulimit -n 512 && exec "$0" "$@"', process.execPath, cliPath, 'serve', '--json'], { env: t.env, stdio: ['ignore', 'pipe', 'pipe'] }));
    const silent: Silent[] = [];
    const clients: PeerClient[] = [];
    try {
      const info = await broker.waitFor((o) => o.running === false, 20_000, 'broker start');
      const port = info.port as number;
      const resident = await newcomer(t.home, 'resident');
      clients.push(resident);
      // One newcomer starts half-way through the flood, another once all 600 are open. They are
      // TCP sockets that never send a request: the kind a broker would otherwise keep longest.
      for (let i = 0; i < 300; i++) silent.push(openSilent('tcp', port));
      const joining = newcomer(t.home, 'newcomer');
      for (let i = 300; i < 600; i++) silent.push(openSilent('tcp', port));
      await Promise.all(silent.map((s) => s.opened));
      clients.push(await joining);
      const late = await newcomer(t.home, 'late');
      clients.push(late);
      assert.equal(broker.child.exitCode, null, `the broker exited: ${broker.stderr.slice(-500)}`);
      await resident.request('state/set', { namespace: 'flood', key: 'k', value: late.peer.id });
      const { peers } = await late.request('peers/list', { scope: 'machine', includeGone: false });
      assert.deepEqual(peers.map((p) => p.name).sort(), ['late', 'newcomer', 'resident']);
      // And once the flood is over, the next one joins as well.
      silent.forEach((s) => s.destroy());
      clients.push(await newcomer(t.home, 'after'));
    } finally {
      silent.forEach((s) => s.destroy());
      await Promise.all(clients.map((c) => c.close(false)));
      broker.kill('SIGKILL');
      await broker.exited;
      t.cleanup();
    }
  });

  it('refuses a burst of hellos with rateLimited and a retry time; peers and hooks still get in', () => withBroker(async (mesh) => {
    const resident = await mesh.observer('resident');
    // 400 hellos at once, as many as 100 connections may send before proving the mesh's
    // secret: a program that does not know it, asking anyway.
    const burst = Array.from({ length: 100 }, () => openSilent('ws', mesh.port));
    mesh.defer(() => burst.forEach((s) => s.destroy()));
    await Promise.all(burst.map((s) => s.opened));
    let id = 0;
    for (const s of burst) {
      for (let i = 0; i < admissionLimits.preAuthRequests; i++) s.send({ jsonrpc: '2.0', id: ++id, method: 'mesh/hello', params: { protocol: protocolVersion, nonce: 'n'.repeat(32) } });
    }
    await raceDeadline(Promise.all(burst.map((s) => s.answered(admissionLimits.preAuthRequests))), closedWithinMs);
    const answers = burst.flatMap((s) => s.answers);
    assert.equal(answers.length, id, `${answers.length} of ${id} hellos answered`);
    const refused = answers.filter((a) => a.error?.data?.reason === 'rateLimited');
    assert.ok(refused.length > 0, `none of ${answers.length} hellos was refused (${answers.filter((a) => a.result).length} answered)`);
    assert.ok(refused.every((a) => typeof a.error?.data?.retryAfterMs === 'number' && a.error.data.retryAfterMs > 0), 'every refusal says when to try again');
    assert.ok(answers.some((a) => a.result), 'the first hellos of the burst are answered');

    // Now a flood that goes on, from another process: a PeerMesh peer and a hook prove the
    // secret in their hello, so they are never rationed and get in as ever.
    const flooder = startFlooder(mesh.port, { tcp: 0, ws: 0, hellers: 4 });
    mesh.defer(() => flooder.kill());
    await flooder.ready;
    const late = await newcomer(mesh.home, 'newcomer');
    mesh.defer(() => late.close());
    const hook = await openLink(mesh.dir, [process.pid], 10_000);
    mesh.defer(() => hook?.close());
    assert.ok(hook, 'a hook links to the broker during the flood');
    await resident.request('state/set', { namespace: 'flood', key: 'k', value: late.peer.id });
    // A peer of another mesh home looking along its candidate ports proves its own secret,
    // which this broker does not accept: rationed or answered, it sees a broker of another
    // home and moves on (a flood here must not stop it from starting its own broker).
    const strangers = await Promise.all(Array.from({ length: 5 }, () => connectTo(mesh.port, 'another home\'s secret', 10_000)));
    for (const s of strangers) if (s.kind === 'connected') s.ws.terminate();
    assert.deepEqual(strangers.map((s) => s.kind), Array(5).fill('foreign'));
    const stats = await flooder.stop();
    assert.ok(stats.hellos.refused > 0, `the flood's hellos: ${JSON.stringify(stats.hellos)}`);
  }));
});
