/**
 * The store LOCK between real processes: racing openers over a stale LOCK, and records (LOCK,
 * broker.json) whose pid now belongs to an unrelated live process.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { candidatePorts, readSecret } from '../../src/home/home';
import { buildFixture, Proc, runCli, spawnCli, tempHome } from './harness';

/** Above any pid_max: no process has it. */
const deadPid = 2147483646;

describe('store LOCK between processes', function () {
  this.timeout(120_000);

  it('8 processes racing to take over a stale LOCK: exactly one opener, 30 rounds out of 30', async () => {
    const worker = await buildFixture('lock-worker');
    const procs = Array.from({ length: 8 }, () => new Proc(spawn(process.execPath, [worker], { stdio: ['pipe', 'pipe', 'pipe'] })));
    const root = mkdtempSync(path.join(os.tmpdir(), 'pm-lock-'));
    try {
      await Promise.all(procs.map((p) => p.waitFor((o) => o.ready === true, 20_000, 'worker ready')));
      const openers: number[] = [];
      for (let round = 1; round <= 30; round++) {
        const dir = path.join(root, String(round));
        mkdirSync(dir);
        // What a kill -9 leaves, in the old format (pid alone) and the current one.
        writeFileSync(path.join(dir, 'LOCK'), round % 2 ? `${deadPid}\n` : `${deadPid}\n12345\n0123456789abcdef\n`);
        for (const p of procs) p.send({ cmd: 'acquire', dir, round });
        const answers = await Promise.all(procs.map((p) => p.waitFor((o) => o.round === round && 'won' in o, 20_000, `round ${round} answer`)));
        const winners = procs.filter((_, i) => answers[i].won === true);
        openers.push(winners.length);
        for (const a of answers.filter((x) => x.won === false)) assert.match(String(a.error), /in use by process/, `round ${round}`);
        assert.deepEqual(readdirSync(dir), ['LOCK'], `round ${round}: only LOCK is left in the store folder`);
        for (const p of winners) p.send({ cmd: 'release', round });
        await Promise.all(winners.map((p) => p.waitFor((o) => o.round === round && o.released === true, 20_000, 'release')));
      }
      assert.deepEqual(openers, Array(30).fill(1), `openers per round: ${openers.join(' ')}`);
    } finally {
      for (const p of procs) p.kill();
      await Promise.all(procs.map((p) => p.exited));
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a LOCK and broker.json naming a live unrelated process (a reused pid) neither block a broker nor get it killed', async () => {
    const t = tempHome();
    const innocent = spawn('sleep', ['60'], { stdio: 'ignore' });
    const pid = innocent.pid!;
    const hourAgo = Date.now() - 3600_000;
    let broker: Proc | undefined;
    try {
      // Left by a broker that crashed an hour ago, before its pid was given to `sleep`: broker.json
      // as older versions wrote it (no start time), LOCK with a start time that is not sleep's.
      writeFileSync(t.home.brokerFile, JSON.stringify({ instanceId: 'gone', version: '0.0.1', pid, port: candidatePorts(t.home)[0], startedAt: hourAgo }));
      mkdirSync(t.home.storeDir, { recursive: true });
      writeFileSync(path.join(t.home.storeDir, 'LOCK'), `${pid}\n1\n0123456789abcdef\n`);
      utimesSync(path.join(t.home.storeDir, 'LOCK'), hourAgo / 1000, hourAgo / 1000);
      await readSecret(t.home); // a home where a broker has run

      const doc = await runCli(['doctor'], t.env);
      assert.doesNotMatch(doc.stdout, new RegExp(`kill ${pid}\\b`), doc.stdout);
      assert.match(doc.stdout, new RegExp(`^! broker\\.json is left over from process ${pid}, which has exited \\(that pid now belongs to another program\\)`, 'm'));
      assert.match(doc.stdout, new RegExp(`^! store/LOCK is left over from process ${pid}, which has exited`, 'm'));

      broker = spawnCli(['serve', '--json'], t.env);
      const info = await broker.waitFor((o) => 'running' in o, 20_000, 'serve answer');
      assert.equal(info.running, false, 'this process hosts the broker');
      assert.equal(innocent.exitCode, null, 'the innocent process still runs');

      broker.kill('SIGTERM');
      assert.equal(await broker.exited, 0, broker.stderr);
      assert.equal(existsSync(t.home.brokerFile), false, 'broker.json is removed on exit');
      assert.equal(existsSync(path.join(t.home.storeDir, 'LOCK')), false, 'LOCK is released on exit');
    } finally {
      broker?.kill();
      await broker?.exited;
      innocent.kill('SIGKILL');
      t.cleanup();
    }
  });
});
