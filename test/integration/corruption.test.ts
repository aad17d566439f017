import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { PeerClient } from '../../src/client/peer';
import { observer, runCli, spawnCli, tempHome, type Proc } from './harness';

type Home = ReturnType<typeof tempHome>;

/** Starts `peermesh serve`, writes `keys` through a client (each one acknowledged), stops it. */
async function serveAndWrite(t: Home, keys: string[], stop: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  const broker = await startBroker(t);
  const client = await observer(t.home, 'writer');
  try {
    for (const key of keys) await client.request('state/set', { namespace: 'kept', key, value: { key, text: 'some text' } });
  } finally {
    await client.close(false);
    broker.kill(stop);
    await broker.exited;
  }
}

async function startBroker(t: Home): Promise<Proc> {
  const broker = spawnCli(['serve', '--json'], t.env);
  await broker.waitFor((o) => o.running === false, 20_000, 'broker start');
  return broker;
}

async function keysIn(client: PeerClient): Promise<string[]> {
  const { entries } = await client.request('state/list', { namespace: 'kept', limit: 1000 });
  return entries.map((e) => e.key).sort();
}

const keys = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `k${String(from + i).padStart(3, '0')}`);

describe('damaged store files', function () {
  this.timeout(120_000);
  const homes: Home[] = [];
  const brokers: Proc[] = [];
  afterEach(async () => {
    for (const b of brokers.splice(0)) b.kill('SIGKILL');
    for (const t of homes.splice(0)) t.cleanup();
  });

  it('a flipped byte mid-journal: the broker refuses to start naming the kept copy, doctor reports it, and the repair brings every write back', async () => {
    const t = tempHome();
    homes.push(t);
    const written = keys(1, 20);
    await serveAndWrite(t, written, 'SIGKILL');
    const journal = path.join(t.home.storeDir, 'journal.jsonl');
    const original = await fs.readFile(journal, 'utf8');
    const lines = original.split('\n');
    const target = lines.findIndex((l) => l.includes('"k010"'));
    assert.ok(target > 0 && target < lines.length - 2, 'the write of k010 is not mid-journal');
    lines[target] = lines[target].replace('some text', 'some tExt'); // still valid JSON
    const damaged = lines.join('\n');
    await fs.writeFile(journal, damaged);

    const refused = spawnCli(['serve', '--json'], t.env);
    brokers.push(refused);
    const started = await refused.waitFor((o) => o.running === false, 20_000, 'broker start').then(() => true, () => false);
    assert.ok(!started, 'the broker started on a damaged journal');
    assert.notEqual(await refused.exited, 0);
    const copy = /kept as (\S+journal\.jsonl\.corrupt-\S+?)\./.exec(refused.stderr)?.[1];
    assert.ok(copy, `the refusal names no kept copy: ${refused.stderr}`);
    assert.equal(await fs.readFile(copy, 'utf8'), damaged);
    assert.equal(await fs.readFile(journal, 'utf8'), damaged, 'the journal was cut');

    const doctor = await runCli(['doctor'], t.env);
    assert.equal(doctor.code, 1);
    assert.match(doctor.stdout, /✘ the journal .* is damaged at line \d+ \(checksum mismatch\)/);
    assert.ok(doctor.stdout.includes(`repair line ${target + 1} in ${copy}`), doctor.stdout);
    assert.ok(doctor.stdout.includes(`${copy} is a damaged file the broker kept aside`), doctor.stdout);

    // The fix it names: repair the line in the copy and put it back.
    const repaired = (await fs.readFile(copy, 'utf8')).replace('some tExt', 'some text');
    await fs.writeFile(journal, repaired);
    brokers.push(await startBroker(t));
    const reader = await observer(t.home, 'reader');
    try {
      assert.deepEqual(await keysIn(reader), written);
      console.log(`      ${written.length} acknowledged writes: start refused while damaged, all ${written.length} present after the stated repair`);
    } finally {
      await reader.close();
    }
  });

  it('an unreadable mesh.db: the broker starts from mesh.db.prev and the journal, keeps the damaged file aside, doctor reports it', async () => {
    const t = tempHome();
    homes.push(t);
    // Two clean stops: two snapshots, so mesh.db and mesh.db.prev both exist; then a crash.
    await serveAndWrite(t, keys(1, 10), 'SIGTERM');
    await serveAndWrite(t, keys(11, 20), 'SIGTERM');
    await serveAndWrite(t, keys(21, 25), 'SIGKILL');
    const snapshot = path.join(t.home.storeDir, 'mesh.db');
    await fs.access(path.join(t.home.storeDir, 'mesh.db.prev'));
    const bytes = await fs.readFile(snapshot);
    bytes.fill(0x55, 0, 100);
    await fs.writeFile(snapshot, bytes);

    const before = await runCli(['doctor'], t.env);
    assert.match(before.stdout, /! the snapshot .*mesh\.db is unreadable .* starts from .*mesh\.db\.prev and the journal/);

    brokers.push(await startBroker(t));
    const reader = await observer(t.home, 'reader');
    try {
      assert.deepEqual(await keysIn(reader), keys(1, 25));
    } finally {
      await reader.close();
    }
    const files = await fs.readdir(t.home.storeDir);
    const aside = files.find((f) => f.startsWith('mesh.db.corrupt-'));
    assert.ok(aside, files.join(', '));
    const after = await runCli(['doctor'], t.env);
    assert.ok(after.stdout.includes(`${path.join(t.home.storeDir, aside)} is a damaged file the broker kept aside`), after.stdout);
    assert.doesNotMatch(after.stdout, /mesh\.db is unreadable/);
    console.log('      25 acknowledged writes: all present after starting from mesh.db.prev + journal');
  });
});
