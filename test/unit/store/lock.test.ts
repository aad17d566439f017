import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StoreLock } from '../../../src/store/lock';
import { ownerState, selfIdentity } from '../../../src/home/owner';
import { DurableStore } from '../../../src/store/store';

describe('store: LOCK', () => {
  let dir: string;
  let innocent: ChildProcess | undefined;
  const lockFile = () => path.join(dir, 'LOCK');

  /** A live process that has nothing to do with PeerMesh, started now. */
  const liveStranger = async (): Promise<number> => {
    innocent = spawn('sleep', ['60'], { stdio: 'ignore' });
    await new Promise((resolve, reject) => innocent!.once('spawn', resolve).once('error', reject));
    return innocent.pid!;
  };
  const hourAgo = () => new Date(Date.now() - 3600_000);

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pm-lock-'));
  });
  afterEach(async () => {
    innocent?.kill('SIGKILL');
    innocent = undefined;
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('names its owner (pid, start time, nonce), refuses a second taker, and releases only itself', async () => {
    const lock = await StoreLock.acquire(dir);
    const [pid, start, nonce] = (await fs.readFile(lockFile(), 'utf8')).split('\n');
    assert.equal(Number(pid), process.pid);
    assert.equal(start, selfIdentity().start ?? '');
    assert.match(nonce, /^[0-9a-f]{16}$/);
    await assert.rejects(StoreLock.acquire(dir), /already open in this process/);
    assert.deepEqual(await fs.readdir(dir), ['LOCK']);
    await lock.release();
    await assert.rejects(fs.stat(lockFile()), { code: 'ENOENT' });
    await (await StoreLock.acquire(dir)).release();
  });

  it('takes over a LOCK whose pid is alive but is another process now (start time differs)', async function () {
    const pid = await liveStranger();
    if (selfIdentity().start === undefined) this.skip(); // no start times on this system
    assert.equal(ownerState({ pid, start: '1' }), 'reused');
    await fs.writeFile(lockFile(), `${pid}\n1\n0123456789abcdef\n`);
    const lock = await StoreLock.acquire(dir);
    assert.equal(Number((await fs.readFile(lockFile(), 'utf8')).split('\n')[0]), process.pid);
    await lock.release();
    assert.equal(innocent!.exitCode, null, 'the stranger was left alone');
  });

  it('takes over an old-format LOCK (pid only) written before its pid\'s process started', async function () {
    const pid = await liveStranger();
    await fs.writeFile(lockFile(), `${pid}\n`);
    await fs.utimes(lockFile(), hourAgo(), hourAgo());
    if (ownerState({ pid }, hourAgo().getTime()) !== 'reused') this.skip(); // this system cannot tell
    await (await StoreLock.acquire(dir)).release();
  });

  it('still refuses a LOCK whose process may be the writer', async () => {
    const pid = await liveStranger();
    // No start time, written after the process started: it could be the owner, so it is trusted.
    await fs.writeFile(lockFile(), `${pid}\n`);
    await assert.rejects(StoreLock.acquire(dir), new RegExp(`in use by process ${pid}`));
  });

  it('takes over a LOCK left by an earlier process that had this pid (a restarted container)', async () => {
    await fs.writeFile(lockFile(), `${process.pid}\n${selfIdentity().start ?? ''}\nfedcba9876543210\n`);
    await (await StoreLock.acquire(dir)).release();
  });

  it('close() lets go of the LOCK when the final snapshot fails, and still reports the failure', async () => {
    const store = await DurableStore.open({ dir });
    await store.db.transaction((tx) => tx.run('INSERT INTO events(type, peer, at, data) VALUES (?, ?, ?, ?)', ['state_changed', 'p-1', 1, '{}']));
    await store.durable();
    // The disk fills up: the last snapshot cannot be written.
    store.db.export = () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    await assert.rejects(store.close(), /no space left/);
    await assert.rejects(fs.stat(lockFile()), { code: 'ENOENT' }, 'LOCK released');
    // This process (the extension host, say) can open it again once there is room.
    const again = await DurableStore.open({ dir });
    try {
      assert.deepEqual(again.db.all<{ at: number }>('SELECT at FROM events').map((r) => r.at), [1]);
    } finally {
      await again.close();
    }
  });
});
