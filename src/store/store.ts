/**
 * The broker's durable database: sql.js in memory, made durable by a journal of committed
 * transactions (see journal.ts) and snapshots taken in the background.
 *
 * Files in `dir`: `mesh.db` (the last snapshot, replaced atomically), `mesh.db.prev` (the one
 * before, the fallback) and `journal.jsonl` (every entry since `mesh.db.prev`).
 * Opening = load the snapshot, replay the journal entries it does not contain, migrate; if
 * `mesh.db` is unreadable it is moved aside and `mesh.db.prev` + the journal are used instead.
 * Each snapshot records the last journal sequence it contains (meta `journal_seq`), so a
 * crash at any point of snapshot + journal rotation replays neither too much nor too little:
 *
 *  1. write `mesh.db.new` (temp file, fsync, rename) and read it back: proven readable;
 *  2. hard-link `mesh.db` as `mesh.db.prev` (a temp name renamed over the old one);
 *  3. rename `mesh.db.new` over `mesh.db`;
 *  4. rewrite the journal to keep the entries after `mesh.db.prev`.
 *
 * `mesh.db` exists at every point; a crash before 4 leaves a journal with more entries than
 * needed, which replay skips by sequence number.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { nullLogger, type Logger } from '../core/logger';
import { BrokerError } from '../protocol/errors';
import { atomicWrite, syncDir } from '../home/files';
import { Journal, type JournalOptions } from './journal';
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
  /** For tests: how the journal file is opened and how soon a full disk is retried. */
  journal?: JournalOptions;
}

const snapshotName = 'mesh.db';
const previousName = 'mesh.db.prev';
const journalName = 'journal.jsonl';

type Tuning = Required<Omit<StoreOptions, 'logger' | 'dir' | 'onFailure' | 'journal'>>;

/** A snapshot file read and checked: its database and the journal sequence it holds. */
export interface LoadedSnapshot { db: SqlJsDb; seq: number; bytes: number }

/**
 * Opens a snapshot and proves it readable (SQLite's quick_check and a valid journal_seq):
 * undefined if the file does not exist, an Error saying why if it is unreadable.
 */
export async function readSnapshot(file: string): Promise<LoadedSnapshot | Error | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return e as Error;
  }
  let db: SqlJsDb | undefined;
  try {
    db = await SqlJsDb.open(bytes);
    const check = db.get<{ quick_check: string }>('PRAGMA quick_check(1)')?.quick_check;
    if (check !== 'ok') throw new Error(`quick_check: ${check ?? 'no answer'}`);
    // A database made outside the broker (a tool, a bench) has no journal_seq: it holds no
    // journal entry, as before. One that is there must be a sequence number.
    const recorded = db.get<{ value: string }>("SELECT value FROM meta WHERE key = 'journal_seq'")?.value;
    const seq = recorded === undefined ? 0 : Number(recorded);
    if (!Number.isInteger(seq) || seq < 0) throw new Error(`its journal_seq is ${JSON.stringify(recorded)}`);
    return { db, seq, bytes: bytes.length };
  } catch (e) {
    db?.close();
    return e as Error;
  }
}

/**
 * Temp files of a writer that died mid-snapshot or mid-rotation (`mesh.db.new`, `*.tmp`): they
 * hold nothing the snapshot and journal do not, and can be as large as the database, which on
 * a full disk is the space the next snapshot needs. Only the LOCK holder calls this.
 */
async function removeLeftovers(dir: string, log: Logger): Promise<void> {
  const ours = /^(mesh\.db|journal\.jsonl)(\.new|\.prev)?(\.\d+\.[0-9a-f]+)?\.(tmp|new)$|^mesh\.db\.new$/;
  for (const name of await fs.readdir(dir)) {
    if (!ours.test(name)) continue;
    await fs.rm(path.join(dir, name), { force: true });
    log.info(`store: removed ${name}, left by a writer that stopped mid-write`);
  }
}

/** The file name a damaged file is moved to, so it is kept but never used again. */
const corruptName = (file: string) => `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;

export class DurableStore {
  private snapshotTimer: NodeJS.Timeout | undefined;
  private snapshotting: Promise<void> | undefined;
  private lastSnapshotBytes: number;
  private closed = false;
  private snapshots = 0;
  /** Journal sequence held by `mesh.db` and by `mesh.db.prev` (undefined: no such file). */
  private currentSeq: number | undefined;
  private previousSeq: number | undefined;

  private constructor(
    readonly db: SqlJsDb,
    private readonly journal: Journal,
    private readonly dir: string,
    private readonly opts: Tuning,
    private readonly log: Logger,
    snapshotBytes: number,
    private readonly lock: StoreLock,
  ) {
    this.lastSnapshotBytes = snapshotBytes;
    // While the disk is full a change is refused before it is kept in memory.
    db.writeGuard = () => this.journal.refusal();
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

  private static async load(options: StoreOptions, opts: Tuning, log: Logger, lock: StoreLock): Promise<DurableStore> {
    const snapshotFile = path.join(options.dir, snapshotName);
    const previousFile = path.join(options.dir, previousName);
    const started = Date.now();
    await removeLeftovers(options.dir, log);
    let current = await readSnapshot(snapshotFile);
    // mesh.db missing beside a mesh.db.prev is no fresh store: fall back as for an unreadable one.
    if (!current && existsSync(previousFile)) current = new Error('missing');
    const previous = current instanceof Error ? await readSnapshot(previousFile) : undefined;
    let loaded: LoadedSnapshot | undefined;
    let aside: string | undefined;
    if (current instanceof Error) {
      if (!previous || previous instanceof Error) {
        const why = previous ? `unreadable too (${previous.message})` : 'missing';
        const message =
          `the snapshot ${snapshotFile} is unreadable (${current.message}) and the previous one, ${previousFile}, is ${why}, ` +
          `so the broker did not start rather than start from nothing. Fix: restore ${snapshotFile} from a backup; ` +
          `or start over, losing the mesh's messages, state and plan, by moving the store aside: mv ${options.dir} ${options.dir}.broken`;
        log.error(`store: ${message}`);
        throw new BrokerError('storeCorrupt', message, { snapshot: snapshotFile });
      }
      log.error(`store: the snapshot ${snapshotFile} is unreadable (${current.message}); starting from ${previousFile} and the journal`);
      loaded = previous;
      aside = existsSync(snapshotFile) ? corruptName(snapshotFile) : '';
    } else {
      loaded = current;
    }
    const fresh = !loaded;
    const db = loaded?.db ?? (await SqlJsDb.open());
    if (fresh) migrate(db);
    const snapshotSeq = loaded?.seq ?? 0;
    let opened: Awaited<ReturnType<typeof Journal.open>>;
    try {
      opened = await Journal.open(path.join(options.dir, journalName), snapshotSeq, log, options.journal);
    } catch (e) {
      db.close();
      throw e;
    }
    const { journal, entries } = opened;
    // A failure from here on lets go of the journal's file, the database and the timer.
    let store: DurableStore | undefined;
    try {
      const fellBack = aside !== undefined;
      if (aside) {
        // Kept for a person to look at, and out of the way of the next snapshot's rotation. Only
        // now, once the journal is known to complete mesh.db.prev: a refusal leaves files as they were.
        await fs.rename(snapshotFile, aside);
        log.error(`store: moved the unreadable ${snapshotFile} to ${aside}`);
      }
      for (const entry of entries) db.apply(entry.batch);
      const migrated = fresh ? 0 : migrate(db);
      store = new DurableStore(db, journal, options.dir, opts, log, loaded?.bytes ?? 0, lock);
      store.currentSeq = fellBack ? undefined : loaded?.seq;
      // Only needed while there is no mesh.db to link as the next mesh.db.prev.
      store.previousSeq = fellBack ? snapshotSeq : undefined;
      journal.onFailure = options.onFailure;
      log.info(`store: opened ${fellBack ? previousFile : snapshotFile} (${loaded?.bytes ?? 0} bytes, ${entries.length} journal entries replayed, ${migrated} migrations) in ${Date.now() - started} ms`);
      // A new file, or a new schema, gets a snapshot at once so the journal always applies
      // on top of mesh.db exactly as it was when the journal lines were written. A replayed
      // journal is still valid as it is: fold it in the background, not on the fail-over path.
      // After a fall-back, a good mesh.db is written at once too.
      if (fresh || migrated > 0 || fellBack) await store.snapshot();
      else if (entries.length > 0) {
        const ready = store;
        setImmediate(() => ready.snapshotInBackground());
      }
      return store;
    } catch (e) {
      clearInterval(store?.snapshotTimer);
      await journal.abandon();
      db.close();
      throw e;
    }
  }

  /**
   * Resolves when every transaction committed so far is on disk. While the disk is full it
   * rejects (`diskFull`) for the changes that could not be saved; a caller that passes the
   * journal sequence from before its request and changed nothing since is not held back.
   */
  durable(since?: number): Promise<void> {
    return this.journal.durable(since);
  }

  /** Resolves when every transaction committed so far is on disk, waiting through a full disk. */
  written(): Promise<void> {
    return this.journal.written();
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

  /**
   * Writes a last snapshot and lets go of the journal's file, the database and the LOCK. Each
   * is let go whatever failed before it (a full disk fails the snapshot), so that another
   * process, or this one later, can take over; then the first failure is thrown.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.snapshotTimer);
    let failure: unknown;
    const step = async (what: string, op: () => unknown) => {
      try {
        await op();
      } catch (e) {
        this.log.error(`store: ${what} failed while closing: ${(e as Error).message}`);
        failure ??= e;
      }
    };
    // A failed background snapshot was logged already; the final one below tries again.
    await this.snapshotting?.catch(() => undefined);
    await step('journal flush', () => this.journal.flushNow());
    await step('final snapshot', () => this.writeSnapshot());
    await step('journal close', () => this.journal.close());
    await step('database close', () => this.db.close());
    await step('LOCK release', () => this.lock.release());
    if (failure) throw failure;
  }

  /** A snapshot nobody waits for: a failure is logged (the journal still holds everything). */
  private snapshotInBackground(): void {
    this.snapshot().catch((e: Error) => this.log.error(`store: background snapshot failed: ${e.message}`));
  }

  private maybeSnapshot(): void {
    if (this.snapshotting || this.closed) return;
    const writes = this.journal.entriesSinceSnapshot();
    const journalBytes = this.journal.bytesSinceSnapshot();
    const big = journalBytes > Math.max(1024 * 1024, this.lastSnapshotBytes * this.opts.snapshotJournalRatio);
    if (writes >= this.opts.snapshotEveryWrites || big) {
      // After the current turn, so the request that triggered it is not delayed by it.
      setImmediate(() => this.snapshotInBackground());
    }
  }

  private async writeSnapshot(): Promise<void> {
    const started = Date.now();
    // Between transactions, never inside one, and `seq` with it: a transaction committed while
    // this waited for its turn is in the bytes. The meta row is recorded outside the journal:
    // it describes the snapshot itself.
    let seq = 0;
    let compacted: ReturnType<SqlJsDb['compact']>;
    const bytes = await this.db.exclusive(() => {
      seq = this.journal.lastSeq();
      this.db.exec(`INSERT OR REPLACE INTO meta(key, value) VALUES ('journal_seq', '${seq}')`);
      // After a prune freed much of the file, the snapshot (and every one after it) is written
      // without those pages. The journal and mesh.db.prev hold rows, not pages: both still apply.
      compacted = this.db.compact();
      return this.db.export();
    });
    if (compacted) this.log.info(`store: compacted the database from ${compacted.pagesBefore} to ${compacted.pagesAfter} pages`);
    const file = path.join(this.dir, snapshotName);
    const next = `${file}.new`;
    await atomicWrite(next, bytes);
    // Proven readable from the disk before it replaces anything.
    const check = await readSnapshot(next);
    if (!(check instanceof Error)) check?.db.close();
    if (!check || check instanceof Error || check.seq !== seq) {
      await fs.rm(next, { force: true });
      throw new Error(`the snapshot just written does not read back (${check instanceof Error ? check.message : `journal_seq ${check?.seq}`}); keeping the old one`);
    }
    if (this.currentSeq !== undefined) {
      // The current snapshot becomes the fall-back: a hard link, so mesh.db never goes missing.
      const previous = path.join(this.dir, previousName);
      const tmp = `${previous}.tmp`;
      await fs.rm(tmp, { force: true });
      await fs.link(file, tmp).catch(() => fs.copyFile(file, tmp));
      await fs.rename(tmp, previous);
      this.previousSeq = this.currentSeq;
    }
    await fs.rename(next, file);
    await syncDir(this.dir);
    this.currentSeq = seq;
    this.lastSnapshotBytes = bytes.length;
    this.snapshots++;
    await this.journal.rotate(this.previousSeq ?? seq, seq);
    this.log.debug(`store: snapshot of ${bytes.length} bytes at journal seq ${seq} in ${Date.now() - started} ms`);
  }
}
