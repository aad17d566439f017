import assert from 'node:assert/strict';
import http from 'node:http';
import { candidatePorts } from '../../src/home/home';
import { runCli, spawnCli, tempHome, type Proc } from './harness';

/** Each round is a fresh race of 10 processes; `PEERMESH_ELECTION_ROUNDS=100` runs a longer stress. */
const rounds = Number(process.env.PEERMESH_ELECTION_ROUNDS ?? 8);

describe('election: one broker per mesh home', function () {
  this.timeout(Math.max(180_000, rounds * 15_000));

  it(`10 processes starting a broker at the same moment elect exactly one, ${rounds} times out of ${rounds}`, async () => {
    for (let round = 1; round <= rounds; round++) {
      const t = tempHome();
      const procs: Proc[] = Array.from({ length: 10 }, () => spawnCli(['serve', '--json'], t.env));
      try {
        const answers = await Promise.all(procs.map((p) => p.waitFor((o) => 'running' in o, 30_000, 'serve answer')));
        const hosts = answers.filter((a) => a.running === false);
        assert.equal(hosts.length, 1, `round ${round}: ${hosts.length} processes claim to host the broker`);
        const winner = hosts[0];
        for (const a of answers) assert.equal(a.pid, winner.pid, `round ${round}: a loser reports broker pid ${a.pid}, not ${winner.pid}`);
        // every loser exits 0 after reporting the winner
        const losers = procs.filter((p) => p.pid !== winner.pid);
        assert.deepEqual(await Promise.all(losers.map((p) => p.exited)), Array(9).fill(0));
        const status = await runCli(['status', '--json'], t.env);
        assert.equal(status.code, 0, status.stderr);
        assert.equal(JSON.parse(status.stdout).pid, winner.pid);
      } finally {
        for (const p of procs) p.kill('SIGTERM');
        await Promise.all(procs.map((p) => p.exited));
        t.cleanup();
      }
    }
  });

  it('two homes are two meshes that never meet', async () => {
    const a = tempHome();
    const b = tempHome();
    const pa = spawnCli(['serve', '--json'], a.env);
    const pb = spawnCli(['serve', '--json'], b.env);
    try {
      const [ia, ib] = await Promise.all([pa.waitFor((o) => 'running' in o), pb.waitFor((o) => 'running' in o)]);
      assert.equal(ia.running, false);
      assert.equal(ib.running, false);
      assert.notEqual(ia.port, ib.port);
    } finally {
      pa.kill('SIGTERM');
      pb.kill('SIGTERM');
      await Promise.all([pa.exited, pb.exited]);
      a.cleanup();
      b.cleanup();
    }
  });

  it('once the foreign program leaves the first port, a new candidate still finds the broker on the second', async () => {
    const t = tempHome();
    const [first] = candidatePorts(t.home);
    const foreign = http.createServer((_q, s) => s.end('not peermesh'));
    await new Promise<void>((r) => foreign.listen(first, '127.0.0.1', r));
    const a = spawnCli(['serve', '--json'], t.env);
    let b: ReturnType<typeof spawnCli> | undefined;
    try {
      const infoA = await a.waitFor((o) => 'running' in o);
      assert.notEqual(infoA.port, first);
      await new Promise<void>((r) => foreign.close(() => r()));
      b = spawnCli(['serve', '--json'], t.env);
      const infoB = await b.waitFor((o) => 'running' in o);
      assert.equal(infoB.running, true, 'no second broker on the freed first port');
      assert.equal(infoB.pid, a.pid);
      assert.equal(await b.exited, 0);
    } finally {
      a.kill('SIGTERM');
      b?.kill('SIGTERM');
      await Promise.all([a.exited, b?.exited]);
      foreign.close();
      t.cleanup();
    }
  });

  it('a foreign program on the derived port is reported and the next candidate port is used', async () => {
    const t = tempHome();
    const [first] = candidatePorts(t.home);
    const foreign = http.createServer((_q, s) => s.end('not peermesh'));
    await new Promise<void>((r) => foreign.listen(first, '127.0.0.1', r));
    const p = spawnCli(['serve', '--json'], { ...t.env, PEERMESH_LOG: 'warn' });
    try {
      const info = await p.waitFor((o) => 'running' in o);
      assert.equal(info.running, false);
      assert.notEqual(info.port, first);
      assert.match(p.stderr, new RegExp(`port ${first} answered HTTP \\d+, not a PeerMesh broker`));
    } finally {
      p.kill('SIGTERM');
      await p.exited;
      foreign.close();
      t.cleanup();
    }
  });
});
