/** What the store tests share: temporary folders, crash copies of a store, and a row to count. */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DurableStore, type StoreOptions } from '../../../src/store/store';
import type { SqlTx } from '../../../src/core/sql';

const tempDirs: string[] = [];

/** A new empty folder, removed by {@link removeTempDirs}. */
export async function tempDir(prefix = 'pm-store-'): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** Removes every folder made by {@link tempDir} and {@link crashCopy} so far (for `afterEach`). */
export async function removeTempDirs(): Promise<void> {
  for (const dir of tempDirs.splice(0)) await fs.rm(dir, { recursive: true, force: true });
}

/** A copy of the store's files as they are on disk now: what a crash right now would leave. */
export async function crashCopy(dir: string): Promise<string> {
  const copy = await tempDir('pm-crash-');
  for (const f of await fs.readdir(dir)) {
    // A crashed writer's LOCK names a dead pid and is taken over; this writer still lives.
    if (f === 'LOCK') continue;
    // A background snapshot may rename its temp file away while we copy: skip what vanished.
    await fs.copyFile(path.join(dir, f), path.join(copy, f)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }
  return copy;
}

/** Writes event number `n` (its `at`), with a little text to make lines worth damaging. */
export function addEvent(store: DurableStore, n: number): Promise<void> {
  return store.db.transaction((tx) => addEventIn(tx, n));
}

/** {@link addEvent} inside the caller's transaction. */
export async function addEventIn(tx: SqlTx, n: number): Promise<void> {
  await tx.run('INSERT INTO events(type, peer, at, data) VALUES (?, ?, ?, ?)', ['state_changed', 'p-1', n, JSON.stringify({ n, note: 'some text' })]);
}

/** The numbers of the events in the store, in order. */
export function eventNumbers(store: DurableStore): number[] {
  return store.db.all<{ at: number }>('SELECT at FROM events ORDER BY seq').map((r) => r.at);
}

/**
 * Per test: a new folder (handed to `onDir`), and an `openStore` whose stores are closed and
 * folders removed after the test. Call it inside a `describe`.
 */
export function storeFixture(onDir: (dir: string) => void) {
  const open: DurableStore[] = [];
  beforeEach(async () => onDir(await tempDir()));
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close().catch(() => undefined);
    await removeTempDirs();
  });
  return async (dir: string, opts: Partial<StoreOptions> = {}): Promise<DurableStore> => {
    const store = await DurableStore.open({ dir, ...opts });
    open.push(store);
    return store;
  };
}
