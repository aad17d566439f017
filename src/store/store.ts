/**
 * The broker's durable database: sql.js in memory, made durable by a journal of committed
 * transactions (see journal.ts) and snapshots taken in the background.
 *
 * Files in `dir`: `mesh.db` (the last snapshot, replaced atomically) and `journal.jsonl`.
 * Opening = load the snapshot, replay the journal entries it does not contain, migrate.
 * Each snapshot records the last journal sequence it contains (meta `journal_seq`), so a
 * crash at any point of snapshot + journal rotation replays neither too much nor too little.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { nullLogger, type Logger } from '../core/logger';
import { atomicWrite } from './files';
import { Journal } from './journal';
import { StoreLock } from './lock';
import { migrate } from './schema';
import { SqlJsDb } from './sqljs';

export interface StoreOptions {
  dir: string;
  logger?: Logger;
  /** Snapshot after this many journaled transactions. */
  snapshotEveryWrites?: number;
  /** Snapshot at least this often while there are writes, in ms. */
  snapshotEveryMs?: number;
  /**
   * Snapshot when the journal outgrows this fraction of the database (and 1 MB), so the cost
   * of snapshots stays proportional to the writes that pay for them, however large the db.
   */
  snapshotJournalRatio?: number;
  /**
   * Called once if the journal cannot be written: nothing will be acknowledged any more, so
   * the owner should stop serving and let another process take over from the disk.
   */
  onFailure?: (e: Error) => void;
}

const snapshotName = 'mesh.db';
const journalName = 'journal.jsonl';

export class DurableStore {
  private snapshotTimer: NodeJS.Timeout | undefined;
  private snapshotting: Promise<void> | undefined;
  private lastSnapshotBytes: number;
  private closed = false;
  private snapshots = 0;

  private constructor(
    readonly db: SqlJsDb,
    private readonly journal: Journal,
    private readonly dir: string,
    private readonly opts: Required<Omit<StoreOptions, 'logger' | 'dir' | 'onFailure'>>,
    private readonly log: Logger,
    snapshotBytes: number,
    private readonly lock: StoreLock,
  ) {
    this.lastSnapshotBytes = snapshotBytes;
    db.onCommit = (batch) => {
      this.journal.append(batch);
      this.maybeSnapshot();
    };
    this.snapshotTimer = setInterval(() => {
      // A quiet small journal is folded in on a timer; a large database only when the journal
      // is worth the stall (export() blocks for a time proportional to the database).
      const entries = this.journal.entriesSinceSnapshot();
      if (entries > 0 && (this.lastSnapshotBytes < 4 * 1024 * 1024 || entries >= 1000)) this.snapshotInBackground();
    }, this.opts.snapshotEveryMs);
    this.snapshotTimer.unref();
  }

  static async open(options: StoreOptions): Promise<DurableStore> {
    const log = options.logger ?? nullLogger;
    const opts = {
      snapshotEveryWrites: options.snapshotEveryWrites ?? 10_000,
      snapshotEveryMs: options.snapshotEveryMs ?? 60_000,
      snapshotJournalRatio: options.snapshotJournalRatio ?? 0.5,
    };
    await fs.mkdir(options.dir, { recursive: true, mode: 0o700 });
    const lock = await StoreLock.acquire(options.dir);
    try {
      return await DurableStore.load(options, opts, log, lock);
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  private static async load(options: StoreOptions, opts: Required<Omit<StoreOptions, 'logger' | 'dir' | 'onFailure'>>, log: Logger, lock: StoreLock): Promise<DurableStore> {
    const snapshotFile = path.join(options.dir, snapshotName);
    let bytes: Uint8Array | undefined;
    try {
      bytes = await fs.readFile(snapshotFile);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const started = Date.now();
    const db = await SqlJsDb.open(bytes);
    const fresh = !bytes;
    if (fresh) migrate(db);
    const snapshotSeq = Number(db.get<{ value: string }>("SELECT value FROM meta WHERE key = 'journal_seq'")?.value ?? 0);
    const { journal, entries } = await Journal.open(path.join(options.dir, journalName), snapshotSeq, log);
    for (const entry of entries) db.apply(entry.batch);
    const migrated = fresh ? 0 : migrate(db);
    const store = new DurableStore(db, journal, options.dir, opts, log, bytes?.length ?? 0, lock);
    journal.onFailure = options.onFailure;
    log.info(`store: opened ${snapshotFile} (${bytes?.length ?? 0} bytes, ${entries.length} journal entries replayed, ${migrated} migrations) in ${Date.now() - started} ms`);
    // A new file, or a new schema, gets a snapshot at once so the journal always applies
    // on top of mesh.db exactly as it was when the journal lines were written. A replayed
    // journal is still valid as it is: fold it in the background, not on the fail-over path.
    if (fresh || migrated > 0) await store.snapshot();
    else if (entries.length > 0) setImmediate(() => store.snapshotInBackground());
    return store;
  }

  /** Resolves when every transaction committed so far is on disk. */
  durable(): Promise<void> {
    return this.journal.durable();
  }

  /** Writes a snapshot now (or waits for the one in progress) and trims the journal. */
  snapshot(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.snapshotting ??= this.writeSnapshot().finally(() => {
      this.snapshotting = undefined;
    });
    return this.snapshotting;
  }

  sizes(): { storeBytes: number; journalBytes: number } {
    return { storeBytes: this.lastSnapshotBytes, journalBytes: this.journal.sizeBytes() };
  }

  /** Counters for tests and benchmarks. */
  stats(): { journalSeq: number; flushes: number; snapshots: number } {
    return { journalSeq: this.journal.lastSeq(), flushes: this.journal.flushes, snapshots: this.snapshots };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.snapshotTimer);
    await this.snapshotting;
    await this.journal.flushNow();
    await this.writeSnapshot();
    await this.journal.close();
    this.db.close();
    await this.lock.release();
  }

  /** A snapshot nobody waits for: a failure is logged (the journal still holds everything). */
  private snapshotInBackground(): void {
    this.snapshot().catch((e: Error) => this.log.error(`store: background snapshot failed: ${e.message}`));
  }

  private maybeSnapshot(): void {
    if (this.snapshotting || this.closed) return;
    const writes = this.journal.entriesSinceSnapshot();
    const journalBytes = this.journal.sizeBytes();
    const big = journalBytes > Math.max(1024 * 1024, this.lastSnapshotBytes * this.opts.snapshotJournalRatio);
    if (writes >= this.opts.snapshotEveryWrites || big) {
      // After the current turn, so the request that triggered it is not delayed by it.
      setImmediate(() => this.snapshotInBackground());
    }
  }

  private async writeSnapshot(): Promise<void> {
    const seq = this.journal.lastSeq();
    const started = Date.now();
    // Recorded outside the journal: it describes the snapshot itself.
    this.db.exec(`INSERT OR REPLACE INTO meta(key, value) VALUES ('journal_seq', '${seq}')`);
    const bytes = this.db.export();
    await atomicWrite(path.join(this.dir, snapshotName), bytes);
    this.lastSnapshotBytes = bytes.length;
    this.snapshots++;
    await this.journal.rotate(seq);
    this.log.debug(`store: snapshot of ${bytes.length} bytes at journal seq ${seq} in ${Date.now() - started} ms`);
  }
}
