import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildFixtures, observer, sleep, spawnCli, spawnPeer, tempHome, type Proc } from './harness';

describe('fail-over: kill -9 the broker while peers stream writes', function () {
  this.timeout(300_000);
  before(buildFixtures);

  for (let round = 1; round <= 4; round++) {
    it(`round ${round}: a new broker serves every peer, ids are kept, no acknowledged write is lost`, async () => {
      const t = tempHome();
      const env = { ...t.env, PEERMESH_TEST_GRACE_MS: '60000' };
      const broker = spawnCli(['serve', '--json', '--grace', '60'], env);
      const peers: Proc[] = [];
      const files = mkdtempSync(path.join(os.tmpdir(), 'pm-files-'));
      try {
        await broker.waitFor((o) => o.running === false, 20_000, 'broker start');
        for (const name of ['alpha', 'beta', 'gamma']) peers.push(spawnPeer(name, env));
        const ready = await Promise.all(peers.map((p) => p.waitFor((o) => o.ev === 'ready')));
        assert.ok(ready.every((r) => r.hosting === false));
        const names = ['alpha', 'beta', 'gamma'];
        peers.forEach((p, i) => p.send({ cmd: 'stream', to: names[(i + 1) % 3], dir: files }));

        await sleep(200 + Math.random() * 1300); // a random kill point
        const killedAt = Date.now();
        broker.kill('SIGKILL');
        await broker.exited;

        // Every peer is served again: it reconnects and gets a write acknowledged.
        const served = await Promise.all(peers.map((p) => p.waitFor((o) => o.ev === 'ack' && (o.t as number) > killedAt, 10_000, 'ack after fail-over')));
        const failoverMs = Math.max(...served.map((s) => (s.t as number) - killedAt));
        const reconnected = await Promise.all(peers.map((p) => p.waitFor((o) => o.ev === 'state' && o.state === 'connected', 10_000)));
        console.log(`      fail-over: every peer served again ${failoverMs} ms after kill -9`);
        // The 1 s target is a figure for `npm run bench`; here a generous bound checks that the
        // mesh recovers on its own promptly, without flaking on a busy machine.
        assert.ok(failoverMs < 5000, `fail-over took ${failoverMs} ms`);
        reconnected.forEach((r, i) => assert.equal(r.peerId, ready[i].peerId, 'peer id kept across fail-over'));
        assert.equal(reconnected.filter((r) => r.hosting).length, 1, 'exactly one peer hosts the new broker');

        await sleep(300);
        for (const p of peers) p.send({ cmd: 'stop' });
        await Promise.all(peers.map((p) => p.waitFor((o) => o.ev === 'stopped')));

        const acks = peers.flatMap((p) => p.json.filter((o) => o.ev === 'ack'));
        assert.ok(acks.some((a) => (a.t as number) < killedAt) && acks.some((a) => (a.t as number) > killedAt), 'writes on both sides of the kill');
        const obs = await observer(t.home);
        try {
          const { locks } = await obs.request('locks/list', {});
          const lockIds = new Set(locks.map((l) => l.id));
          for (const a of acks.filter((x) => x.op === 'lock')) assert.ok(lockIds.has(a.id as number), `acknowledged lock #${a.id} lost`);
          for (const [i, name] of names.entries()) {
            const { entries } = await obs.request('state/list', { namespace: name, limit: 1000 });
            const keys = new Set(entries.map((e) => e.key));
            for (const a of peers[i].json.filter((x) => x.ev === 'ack' && x.op === 'state')) assert.ok(keys.has(a.key as string), `${name}: acknowledged state ${a.key} lost`);
          }
          for (const p of peers) p.send({ cmd: 'inbox' });
          const inboxes = await Promise.all(peers.map((p) => p.waitFor((o) => o.ev === 'inbox')));
          for (const [i, p] of peers.entries()) {
            const received = new Set(inboxes[(i + 1) % 3].ids as number[]);
            for (const a of p.json.filter((x) => x.ev === 'ack' && x.op === 'msg')) assert.ok(received.has(a.id as number), `acknowledged message #${a.id} lost`);
          }
          console.log(`      ${acks.length} acknowledged writes checked (${acks.filter((a) => (a.t as number) < killedAt).length} before the kill)`);
        } finally {
          await obs.close();
        }
      } finally {
        broker.kill('SIGKILL');
        for (const p of peers) p.kill('SIGKILL');
        await Promise.all([broker.exited, ...peers.map((p) => p.exited)]);
        t.cleanup();
      }
    });
  }
});
