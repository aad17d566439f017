import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { BrokerError } from '../../../src/protocol/errors';
import { encodeLine, quarantineCopies } from '../../../src/store/journal-scan';
import { migrate } from '../../../src/store/schema';
import { SqlJsDb, type Batch } from '../../../src/store/sqljs';
import { DurableStore } from '../../../src/store/store';
import { addEvent, addEventIn, crashCopy, eventNumbers, storeFixture } from './helpers';

describe('store: journal + snapshots', () => {
  let dir: string;
  const openStore = storeFixture((d) => (dir = d));

  it('keeps every acknowledged write across a crash (no close, no snapshot)', async () => {
    const store = await openStore(dir);
    for (let i = 1; i <= 50; i++) await addEvent(store, i);
    await store.durable();
    const reopened = await openStore(await crashCopy(dir));
    assert.deepEqual(eventNumbers(reopened), Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('group-commits: many transactions in one turn share one fsync', async () => {
    const store = await openStore(dir);
    const before = store.stats().flushes;
    for (let i = 1; i <= 200; i++) await addEvent(store, i);
    await store.durable();
    const flushes = store.stats().flushes - before;
    assert.ok(flushes >= 1 && flushes <= 2, `expected one or two group flushes for 200 writes, saw ${flushes}`);
  });

  it('durable() waits for the flush of the latest write', async () => {
    const store = await openStore(dir);
    const journal = path.join(dir, 'journal.jsonl');
    // Measured before the write: the group flush may land before the test looks again.
    const sizeBefore = await fs.stat(journal).then((s) => s.size, () => 0);
    await addEvent(store, 1);
    await store.durable();
    assert.ok((await fs.stat(journal)).size > sizeBefore, 'journal grew before durable() resolved');
  });

  it('drops a torn last journal line and keeps everything before it', async () => {
    const store = await openStore(dir);
    for (let i = 1; i <= 5; i++) await addEvent(store, i);
    await store.durable();
    const copy = await crashCopy(dir);
    await fs.appendFile(path.join(copy, 'journal.jsonl'), '{"s":6,"b":[["INSERT INTO events');
    const reopened = await openStore(copy);
    assert.deepEqual(eventNumbers(reopened), [1, 2, 3, 4, 5]);
    // and it goes on writing after the cut
    await addEvent(reopened, 6);
    await reopened.durable();
    const again = await openStore(await crashCopy(copy));
    assert.deepEqual(eventNumbers(again), [1, 2, 3, 4, 5, 6]);
  });

  it('never applies a journal entry twice when a crash falls between snapshot and journal trim', async () => {
    const store = await openStore(dir);
    for (let i = 1; i <= 10; i++) await addEvent(store, i);
    await store.durable();
    const journalBefore = await fs.readFile(path.join(dir, 'journal.jsonl'));
    await store.snapshot(); // contains 1..10, journal trimmed
    for (let i = 11; i <= 12; i++) await addEvent(store, i);
    await store.durable();
    const copy = await crashCopy(dir);
    // Put back the untrimmed journal lines in front, as if the trim had not happened.
    const trimmed = await fs.readFile(path.join(copy, 'journal.jsonl'));
    await fs.writeFile(path.join(copy, 'journal.jsonl'), Buffer.concat([journalBefore, trimmed]));
    const reopened = await openStore(copy);
    assert.deepEqual(eventNumbers(reopened), Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('snapshots after N writes by itself and trims the journal (keeping what the previous snapshot needs)', async () => {
    const store = await openStore(dir, { snapshotEveryWrites: 20 });
    const snapsBefore = store.stats().snapshots;
    for (let i = 1; i <= 45; i++) {
      await addEvent(store, i);
      await store.durable();
      // wait for the snapshot each 20 writes start, so there are two
      for (let w = 0; w < 100 && i % 20 === 0 && store.stats().snapshots === snapsBefore + i / 20 - 1; w++) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(store.stats().snapshots >= snapsBefore + 2, 'not two snapshots after 45 writes with snapshotEveryWrites 20');
    await new Promise((r) => setTimeout(r, 50)); // let the journal trim finish
    const journalLines = (await fs.readFile(path.join(dir, 'journal.jsonl'), 'utf8')).split('\n').filter(Boolean);
    assert.ok(journalLines.length < 45, `journal still holds ${journalLines.length} lines`);
    const reopened = await openStore(await crashCopy(dir));
    assert.equal(eventNumbers(reopened).length, 45);
  });

  it('a rolled-back transaction is neither applied nor journaled', async () => {
    const store = await openStore(dir);
    await addEvent(store, 1);
    await assert.rejects(store.db.transaction(async (tx) => {
      await addEventIn(tx, 2);
      throw new Error('boom');
    }), /boom/);
    await store.durable();
    assert.deepEqual(eventNumbers(store), [1]);
    const reopened = await openStore(await crashCopy(dir));
    assert.deepEqual(eventNumbers(reopened), [1]);
  });

  it('refuses a second writer while the first lives, and takes over a dead one\'s lock', async () => {
    const store = await openStore(dir);
    await assert.rejects(DurableStore.open({ dir }), /in use by process|already open in this process/);
    await addEvent(store, 1);
    await store.close();
    // what a kill -9 leaves: a LOCK naming a process that no longer exists
    await fs.writeFile(path.join(dir, 'LOCK'), '2147483646\n');
    const next = await openStore(dir);
    assert.deepEqual(eventNumbers(next), [1]);
  });

  it('a sequence gap refuses to start naming the kept copy; after the stated fix, later writes survive the next restart', async () => {
    const store = await openStore(dir);
    await addEvent(store, 1);
    await store.durable();
    const copy = await crashCopy(dir);
    const journal = path.join(copy, 'journal.jsonl');
    const lines = (await fs.readFile(journal, 'utf8')).split('\n').filter(Boolean);
    const last = JSON.parse(lines[lines.length - 1]) as { s: number; b: Batch };
    // a line after a lost one: its sequence number skips one
    await fs.appendFile(journal, encodeLine(last.s + 2, last.b));
    const refused = await openStore(copy).then(() => undefined, (e: unknown) => e);
    assert.ok(BrokerError.is(refused, 'storeCorrupt'), `expected storeCorrupt, got ${String(refused)}`);
    const [kept] = await quarantineCopies(journal);
    assert.ok(kept && refused.message.includes(kept), refused.message);
    const fix = /truncate -s (\d+) /.exec(refused.message);
    assert.ok(fix, refused.message);
    await fs.truncate(journal, Number(fix[1]));
    const reopened = await openStore(copy);
    assert.deepEqual(eventNumbers(reopened), [1]);
    await addEvent(reopened, 2);
    await reopened.durable();
    const again = await openStore(await crashCopy(copy));
    assert.deepEqual(eventNumbers(again), [1, 2], 'the write after the gap was not skipped');
  });

  it('opens a mesh.db made outside the broker (no journal_seq) as a store with no journal yet', async () => {
    const made = await SqlJsDb.open();
    migrate(made);
    await made.transaction(async (tx) => {
      await tx.run("DELETE FROM meta WHERE key = 'journal_seq'");
      await tx.run('INSERT INTO events(type, peer, at, data) VALUES (?, ?, ?, ?)', ['state_changed', 'p-1', 7, '{}']);
    });
    await fs.writeFile(path.join(dir, 'mesh.db'), made.export());
    made.close();
    const store = await openStore(dir);
    assert.deepEqual(eventNumbers(store), [7]);
  });

  it('writes the snapshot with mode 0600 and closes cleanly', async () => {
    const store = await openStore(dir);
    await addEvent(store, 1);
    await store.close();
    const mode = (await fs.stat(path.join(dir, 'mesh.db'))).mode & 0o777;
    assert.equal(mode, 0o600);
    const reopened = await openStore(dir);
    assert.deepEqual(eventNumbers(reopened), [1]);
  });
});
