import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { BrokerError } from '../../../src/protocol/errors';
import { quarantineCopies } from '../../../src/store/journal-scan';
import { addEvent, addEventIn, crashCopy, eventNumbers, storeFixture } from './helpers';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * A journal file on a disk with `space` bytes left: a write gets what fits (a short write),
 * the next one ENOSPC, as the kernel does. Truncating gives the cut bytes back.
 */
function limitedDisk() {
  const disk = { space: Infinity, writes: 0, shortWrites: 0 };
  const openFile = async (file: string): Promise<FileHandle> => {
    const fh = await fs.open(file, 'a+', 0o600);
    return new Proxy(fh, {
      get(target, prop) {
        if (prop === 'write') {
          return async (data: Buffer | string, offset = 0, length?: number) => {
            const buf = typeof data === 'string' ? Buffer.from(data) : data;
            length ??= buf.length - offset;
            disk.writes++;
            if (disk.space <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
            const n = Math.min(length, disk.space);
            if (n < length) disk.shortWrites++;
            disk.space -= n;
            return target.write(buf, offset, n);
          };
        }
        if (prop === 'truncate') {
          return async (len: number) => {
            const { size } = await target.stat();
            disk.space += Math.max(0, size - len);
            return target.truncate(len);
          };
        }
        const v = Reflect.get(target, prop) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  };
  return { disk, openFile };
}

describe('store: full disk and damaged files', () => {
  let dir: string;
  const openStore = storeFixture((d) => (dir = d));

  it('a short write on a full disk is not acknowledged, leaves no partial line, refuses changes but not reads, and resumes by itself', async () => {
    const { disk, openFile } = limitedDisk();
    const store = await openStore(dir, { journal: { openFile, retryMs: 20 } });
    for (let i = 1; i <= 5; i++) await addEvent(store, i);
    await store.durable();
    const journal = path.join(dir, 'journal.jsonl');
    const sizeBefore = (await fs.stat(journal)).size;

    disk.space = 40; // less than one line
    await addEvent(store, 6); // made in memory; its write comes up short
    const outcome = await store.durable().then(() => 'acknowledged', (e: unknown) => e);
    assert.ok(BrokerError.is(outcome, 'diskFull'), `the short write was ${String(outcome)}`);
    assert.equal(outcome.data?.applied, true);
    assert.ok(disk.shortWrites >= 1, 'the simulated disk never wrote short');
    assert.equal((await fs.stat(journal)).size, sizeBefore, 'the partial line was not cut off');

    // New changes are refused before they are made; reads and changes of nothing go on.
    const refused = await addEvent(store, 7).then(() => undefined, (e: unknown) => e);
    assert.ok(BrokerError.is(refused, 'diskFull') && refused.data?.applied === false, String(refused));
    assert.match(refused.message, /disk holding the mesh home is full/);
    assert.ok(refused.message.includes(dir), refused.message);
    assert.deepEqual(eventNumbers(store), range(1, 6));
    assert.equal((await store.db.transaction((tx) => tx.run('UPDATE events SET at = at WHERE seq < 0'))).changes, 0);
    const since = store.stats().journalSeq;
    await store.durable(since); // a caller that changed nothing is not held back
    await assert.rejects(store.durable(), (e: unknown) => BrokerError.is(e, 'diskFull'), 'a caller that may have changed something is not told');

    disk.space = Infinity; // space freed: the retry writes the waiting change
    await store.written();
    await addEvent(store, 7);
    await store.durable();
    const reopened = await openStore(await crashCopy(dir));
    assert.deepEqual(eventNumbers(reopened), range(1, 7));
  });

  it('a transaction that catches the refusal still rolls back', async () => {
    const { disk, openFile } = limitedDisk();
    const store = await openStore(dir, { journal: { openFile, retryMs: 20 } });
    await addEvent(store, 1);
    await store.durable();
    disk.space = 0;
    await addEvent(store, 2);
    await store.durable().catch(() => undefined);
    await assert.rejects(
      store.db.transaction(async (tx) => {
        try {
          await addEventIn(tx, 3);
        } catch {
          /* swallowed by a careless caller */
        }
      }),
    (e: unknown) => BrokerError.is(e, 'diskFull'));
    assert.deepEqual(eventNumbers(store), [1, 2]);
    disk.space = Infinity;
    await store.written();
  });

  describe('a damaged journal line', () => {
    /** Ten acknowledged events, the broker gone: the journal file of a crash copy. */
    async function tenEvents(): Promise<{ copy: string; journal: string; lines: string[] }> {
      const store = await openStore(dir);
      for (let i = 1; i <= 10; i++) await addEvent(store, i);
      await store.durable();
      const copy = await crashCopy(dir);
      const journal = path.join(copy, 'journal.jsonl');
      return { copy, journal, lines: (await fs.readFile(journal, 'utf8')).split('\n').filter(Boolean) };
    }

    it('mid-journal: refuses to start, keeps the file as it was plus a quarantine copy, and names both and the fix', async () => {
      const { copy, journal, lines } = await tenEvents();
      // a flipped byte inside a string value: still valid JSON
      lines[4] = lines[4].replace('some text', 'some tExt');
      const damaged = lines.join('\n') + '\n';
      await fs.writeFile(journal, damaged);
      const refused = await openStore(copy).then(() => undefined, (e: unknown) => e);
      assert.ok(BrokerError.is(refused, 'storeCorrupt'), `expected a refusal, got ${String(refused)}`);
      const [kept] = await quarantineCopies(journal);
      assert.ok(kept, 'no quarantine copy');
      assert.equal(await fs.readFile(kept, 'utf8'), damaged);
      assert.equal(await fs.readFile(journal, 'utf8'), damaged, 'the journal was cut');
      assert.ok(refused.message.includes(kept) && refused.message.includes('line 5'), refused.message);
      // A second start does not pile up copies of the same damage.
      await openStore(copy).catch(() => undefined);
      assert.equal((await quarantineCopies(journal)).length, 1);
    });

    it('an unreadable line between two consecutive entries: every entry is replayed, the original kept', async () => {
      const { copy, journal, lines } = await tenEvents();
      lines.splice(5, 0, '{"s":6,"b":[["INSERT INTO ev\u0000');
      await fs.writeFile(journal, lines.join('\n') + '\n');
      const reopened = await openStore(copy);
      assert.deepEqual(eventNumbers(reopened), range(1, 10));
      assert.equal((await quarantineCopies(journal)).length, 1);
      await addEvent(reopened, 11);
      await reopened.durable();
      const again = await openStore(await crashCopy(copy));
      assert.deepEqual(eventNumbers(again), range(1, 11));
    });
  });

  describe('a damaged snapshot', () => {
    /** Writes in three rounds with a snapshot after each, so mesh.db and mesh.db.prev exist. */
    async function threeSnapshots(): Promise<string> {
      const store = await openStore(dir);
      for (let round = 0; round < 3; round++) {
        for (let i = 1; i <= 10; i++) await addEvent(store, round * 10 + i);
        await store.durable();
        await store.snapshot();
      }
      for (let i = 31; i <= 35; i++) await addEvent(store, i);
      await store.durable();
      return crashCopy(dir);
    }

    it('falls back to the previous snapshot and the journal, and keeps the damaged file aside', async () => {
      const copy = await threeSnapshots();
      const snapshot = path.join(copy, 'mesh.db');
      const bytes = await fs.readFile(snapshot);
      bytes.fill(0x55, 0, 100); // the header: unreadable
      await fs.writeFile(snapshot, bytes);
      const reopened = await openStore(copy);
      assert.deepEqual(eventNumbers(reopened), range(1, 35));
      const files = await fs.readdir(copy);
      assert.ok(files.some((f) => f.startsWith('mesh.db.corrupt-')), files.join(', '));
      // a good mesh.db again: a crash now loses nothing either
      await addEvent(reopened, 36);
      await reopened.durable();
      const again = await openStore(await crashCopy(copy));
      assert.deepEqual(eventNumbers(again), range(1, 36));
    });

    it('refuses to start, naming the fix, when the previous snapshot is unreadable too', async () => {
      const copy = await threeSnapshots();
      for (const f of ['mesh.db', 'mesh.db.prev']) await fs.writeFile(path.join(copy, f), 'not a database');
      const refused = await openStore(copy).then(() => undefined, (e: unknown) => e);
      assert.ok(BrokerError.is(refused, 'storeCorrupt'), String(refused));
      assert.match(refused.message, /Fix: restore .*mesh\.db from a backup/);
    });
  });
});
