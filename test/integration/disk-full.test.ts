import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveHome } from '../../src/home/home';
import type { PeerClient } from '../../src/client/peer';
import { BrokerError } from '../../src/protocol/errors';
import { observer, sleep, spawnCli, type Proc } from './harness';

/** A real small file system as the mesh home, so the disk really fills up. */
function mountTmpfs(sizeMb: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pm-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=700`, 'tmpfs', dir], { stdio: 'pipe' });
    return dir;
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not mount a ${sizeMb} MB tmpfs as root: ${(e as Error).message}`, { cause: e });
  }
}

type Outcome = { key: string; result: 'ack' } | { key: string; result: 'refused' | 'inDoubt'; error: BrokerError };

const value = 'x'.repeat(4000);

async function write(client: PeerClient, key: string): Promise<Outcome> {
  try {
    await client.request('state/set', { namespace: 'fill', key, value });
    return { key, result: 'ack' };
  } catch (e) {
    if (!BrokerError.is(e, 'diskFull')) throw e;
    return { key, result: e.data?.applied === true ? 'inDoubt' : 'refused', error: e };
  }
}

/** Appends to `file` until the file system says it is full. */
async function fillUp(file: string): Promise<void> {
  const fh = await fs.open(file, 'a');
  try {
    for (;;) {
      const { bytesWritten } = await fh.write(Buffer.alloc(16 * 1024, 2));
      if (bytesWritten < 16 * 1024) break;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    await fh.close();
  }
}

async function storedKeys(client: PeerClient): Promise<Set<string>> {
  const keys = new Set<string>();
  // in slices, so no page outgrows a frame (the values are 4 KB each)
  for (const prefix of ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9', 'w', 'a']) {
    const { entries } = await client.request('state/list', { namespace: 'fill', prefix, limit: 1000 });
    for (const e of entries) keys.add(e.key);
  }
  return keys;
}

describe('a full disk under the mesh home', function () {
  this.timeout(120_000);
  let dir: string | undefined;
  const procs: Proc[] = [];
  const clients: PeerClient[] = [];

  before(function () {
    // Mounting needs root, as CI has; elsewhere this suite says so and is left out.
    if (process.getuid?.() !== 0) this.skip();
    dir = mountTmpfs(3);
  });
  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    for (const p of procs) p.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    if (dir) {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loses no acknowledged write, refuses changes with diskFull, serves reads, and resumes by itself', async () => {
    const env = { ...process.env, PEERMESH_HOME: dir!, PEERMESH_LOG: process.env.PEERMESH_LOG ?? 'warn' };
    const home = resolveHome(env);
    const filler = path.join(dir!, 'filler');
    await fs.writeFile(filler, Buffer.alloc(1024 * 1024, 1));
    const broker = spawnCli(['serve', '--json'], env);
    procs.push(broker);
    await broker.waitFor((o) => o.running === false, 20_000, 'broker start');
    const client = await observer(home, 'writer');
    clients.push(client);

    // Write in groups of 10 at once (group commits) until the disk refuses.
    const outcomes: Outcome[] = [];
    let n = 0;
    for (let round = 0; round < 300 && !outcomes.some((o) => o.result === 'refused'); round++) {
      outcomes.push(...(await Promise.all(Array.from({ length: 10 }, () => write(client, `k${n++}`)))));
    }
    const refused = outcomes.find((o) => o.result === 'refused');
    assert.ok(refused && refused.result === 'refused', `the disk never filled after ${n} writes`);
    assert.equal(refused.error.reason, 'diskFull');
    assert.match(refused.error.message, /the disk holding the mesh home is full/);
    assert.ok(refused.error.message.includes(home.storeDir), refused.error.message);
    assert.match(refused.error.message, /accepts changes again by itself once space is freed/);

    // A failed snapshot or a journal trim may free a little space again: take the rest, so the
    // disk stays full. Then changes are refused (at most one more gets in doubt), reads served.
    // (A snapshot that failed for space gives its temp file back: fill again before each try.)
    const rest = path.join(dir!, 'filler-rest');
    for (let i = 0; i < 20; i++) {
      await fillUp(rest);
      const more = await write(client, `while-full-${i}`);
      outcomes.push(more);
      if (more.result === 'refused') break;
    }
    assert.equal(outcomes[outcomes.length - 1].result, 'refused', `changes not refused on a full disk: ${broker.stderr.slice(-1000)}`);
    const whoami = await client.request('peers/whoami', {});
    assert.equal(whoami.peer.name, 'writer');
    const refusals = outcomes.filter((o) => o.result === 'refused').length;
    const acked = outcomes.filter((o) => o.result === 'ack').map((o) => o.key);
    const inDoubt = outcomes.filter((o) => o.result === 'inDoubt').map((o) => o.key);
    const before = await storedKeys(client);
    for (const k of acked) assert.ok(before.has(k), `acknowledged ${k} missing while the disk is full`);
    for (const o of outcomes.filter((x) => x.result === 'refused')) assert.ok(!before.has(o.key), `refused ${o.key} was made`);

    // Space returns: writes resume by themselves (the broker retries every second).
    await fs.rm(filler);
    await fs.rm(rest);
    let resumed: Outcome | undefined;
    for (let i = 0; i < 50 && resumed?.result !== 'ack'; i++) {
      resumed = await write(client, `after-${i}`);
      if (resumed.result !== 'ack') await sleep(200);
    }
    assert.equal(resumed?.result, 'ack', 'writes did not resume after space was freed');
    const afterSpace = await storedKeys(client);
    for (const k of [...acked, ...inDoubt]) assert.ok(afterSpace.has(k), `${k} missing after space returned`);

    // kill -9 and a new broker from the disk: everything acknowledged is there. (At a moment
    // with no snapshot half-written: its temp file would take the space the restart needs.)
    const busy = async () => (await fs.readdir(home.storeDir)).some((f) => f.endsWith('.tmp') || f.endsWith('.new'));
    for (let i = 0; i < 100 && (await busy()); i++) await sleep(100);
    broker.kill('SIGKILL');
    await broker.exited;
    await client.close();
    const restarted = spawnCli(['serve', '--json'], env);
    procs.push(restarted);
    await restarted.waitFor((o) => o.running === false, 20_000, 'broker restart').catch(async (e: Error) => {
      const files = await Promise.all((await fs.readdir(home.storeDir)).map(async (f) => `${f} ${(await fs.stat(path.join(home.storeDir, f))).size}`));
      throw new Error(`${e.message}\nstore: ${files.join(', ')}`);
    });
    const reader = await observer(home, 'reader');
    clients.push(reader);
    const afterRestart = await storedKeys(reader);
    for (const k of [...acked, ...inDoubt]) assert.ok(afterRestart.has(k), `${k} lost across kill -9`);
    const { entry } = await reader.request('state/get', { namespace: 'fill', key: resumed!.key });
    assert.ok(entry, 'the write after space returned was lost');
    const snapshotFailures = broker.stderr.match(/snapshot failed/g)?.length ?? 0;
    console.log(`      ${acked.length} acknowledged writes before the disk filled (+${inDoubt.length} in doubt, saved on retry; ${refusals} refused; ` +
      `+1 after; ${snapshotFailures} snapshots failed for space); all present after space returned and after kill -9 + restart`);
  });
});
