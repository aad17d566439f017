/**
 * The write-ahead journal: one JSON line per committed transaction, `{"s":seq,"b":batch,"h":hash}`.
 * Appends are group-committed: every batch committed while a flush is in flight (or within
 * the same tick) goes out in the next single write + fdatasync. `durable()` resolves once
 * everything committed so far is on disk; the broker acknowledges a request only then.
 *
 * A full disk is not the end: the group that did not fit is cut off the file again, stays
 * queued and is retried every second, and until one retry succeeds {@link Journal.refusal}
 * tells the store to refuse new changes (reads go on). Reading is in journal-scan.ts.
 */
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../core/logger';
import { BrokerError } from '../protocol/errors';
import { atomicWrite } from '../home/files';
import { encodeLine, journalLossFix, quarantine, scanJournal, type JournalEntry } from './journal-scan';
import type { Batch } from './sqljs';

export type { JournalEntry } from './journal-scan';

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (e: Error) => void;
  /** Waits through a full disk until the entry is written (pushes); others are told at once. */
  patient: boolean;
}

export interface JournalOptions {
  /** Opens the journal file for appending; tests pass one that fails like a full disk. */
  openFile?: (file: string) => Promise<FileHandle>;
  /** How long to wait before writing again after the disk was full, in ms. */
  retryMs?: number;
}

const openForAppend = (file: string) => fs.open(file, 'a+', 0o600);

/** Errors that mean "no space", which freeing space cures; anything else stops the journal. */
const isNoSpace = (e: unknown) => ['ENOSPC', 'EDQUOT'].includes((e as NodeJS.ErrnoException).code ?? '');

/** The refusal for a change that was not made because the disk is full. */
export function diskFullError(dir: string, applied: boolean): BrokerError {
  const what = applied
    ? 'this change is made and visible to others but not saved yet; PeerMesh saves it by itself once space is freed (it is lost only if the broker stops before that), so do not repeat it'
    : 'this change was not made';
  return new BrokerError(
    'diskFull',
    `the disk holding the mesh home is full, so PeerMesh cannot save changes: ${what}. Free space in ${dir}; ` +
      'PeerMesh keeps serving reads and accepts changes again by itself once space is freed',
    { dir, applied },
  );
}

export class Journal {
  /** Highest sequence number handed out. */
  private seq: number;
  /** Highest sequence number known to be on disk. */
  private flushedSeq: number;
  /** Lines appended but not yet written; a group stays here until its write succeeded. */
  private pending: string[] = [];
  private pendingBytes = 0;
  private pendingLastSeq = 0;
  /** Lines the journal keeps (since the previous snapshot), to rewrite it after a snapshot. */
  private tail: Array<{ seq: number; line: string }> = [];
  /** The last sequence number in the newest snapshot. */
  private snapshotSeq: number;
  /** Bytes of the lines after {@link snapshotSeq}. */
  private sinceSnapshotBytes = 0;
  /** Whether the file holds lines before {@link tail} (read at open), which a rotation drops. */
  private fileHasOlder = false;
  private waiters: Waiter[] = [];
  private io: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private failed: Error | undefined;
  /** Set while the disk is full: the error that refuses new changes. */
  private full: BrokerError | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Length of the file up to its last complete line. */
  private bytes: number;
  /** Group flushes done (each is one write + one fdatasync). */
  flushes = 0;
  /**
   * Called once if a write fails for a reason other than a full disk. From then on nothing is
   * acknowledged: the owner must stop serving, so another process takes over from what is on disk.
   */
  onFailure: ((e: Error) => void) | undefined;

  private constructor(
    private readonly file: string,
    private fh: FileHandle,
    lastSeq: number,
    size: number,
    private readonly log: Logger,
    private readonly opts: JournalOptions,
  ) {
    this.seq = lastSeq;
    this.flushedSeq = lastSeq;
    this.snapshotSeq = lastSeq;
    this.bytes = size;
  }

  /**
   * Reads the journal at `file`, returning the entries after `afterSeq` and a Journal open for
   * appending. A torn last line (no newline: never acknowledged) is cut off. Anything else
   * unreadable is never cut silently: the original file is kept as a quarantine copy, and then
   * either every entry is still provably there (the damage sits between two consecutive
   * entries), so all are replayed and the journal is rewritten without the damage, or an entry
   * may be lost, and opening fails with `storeCorrupt` naming the copy and the fix.
   */
  static async open(file: string, afterSeq: number, log: Logger, opts: JournalOptions = {}): Promise<{ journal: Journal; entries: JournalEntry[] }> {
    let text = '';
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const scan = scanJournal(text, afterSeq);
    let size = scan.validBytes;
    if (scan.damage.length > 0) {
      const copy = await quarantine(file);
      const first = scan.damage[0];
      if (scan.lostFromSeq !== undefined) {
        const { problem, fix } = journalLossFix(file, scan, copy);
        const message = `${problem}, so the broker did not start rather than drop acknowledged changes. The original is kept as ${copy}. Fix: ${fix}`;
        log.error(`journal: ${message}`);
        throw new BrokerError('storeCorrupt', message, { journal: file, copy, line: first.line, lostFromSeq: scan.lostFromSeq });
      }
      log.error(
        `journal: ${file} has ${scan.damage.length} damaged line(s) (first: line ${first.line}, ${first.why}); every entry is still there ` +
          `in sequence, so all are replayed and the journal is rewritten without them. The original is kept as ${copy}`,
      );
      const clean = scan.lines.join('');
      await atomicWrite(file, clean);
      size = Buffer.byteLength(clean);
    }
    const fh = await (opts.openFile ?? openForAppend)(file);
    if (scan.damage.length === 0 && scan.tornBytes > 0) {
      // Cut a torn tail so new lines start on a line boundary.
      log.warn(`journal: dropping a torn last line (${scan.tornBytes} bytes, never acknowledged)`);
      await fh.truncate(size);
      await fh.datasync();
    }
    const lastSeq = scan.entries.length ? scan.entries[scan.entries.length - 1].seq : afterSeq;
    const journal = new Journal(file, fh, lastSeq, size, log, opts);
    journal.snapshotSeq = afterSeq;
    journal.tail = scan.entries.map((e) => ({ seq: e.seq, line: encodeLine(e.seq, e.batch) }));
    journal.sinceSnapshotBytes = journal.tail.reduce((n, t) => n + Buffer.byteLength(t.line), 0);
    journal.fileHasOlder = scan.lines.length > scan.entries.length;
    return { journal, entries: scan.entries };
  }

  /** Queues a committed batch for the next group flush; returns its sequence number. */
  append(batch: Batch): number {
    const seq = ++this.seq;
    const line = encodeLine(seq, batch);
    this.pending.push(line);
    this.pendingBytes += Buffer.byteLength(line);
    this.pendingLastSeq = seq;
    this.tail.push({ seq, line });
    this.sinceSnapshotBytes += Buffer.byteLength(line);
    if (!this.flushScheduled && !this.full) {
      this.flushScheduled = true;
      // setImmediate gathers every batch committed in this turn of the event loop.
      setImmediate(() => this.enqueueFlush());
    }
    return seq;
  }

  lastSeq(): number {
    return this.seq;
  }

  sizeBytes(): number {
    return this.bytes + this.pendingBytes;
  }

  /** Entries appended since the newest snapshot. */
  entriesSinceSnapshot(): number {
    return this.seq - this.snapshotSeq;
  }

  /** Bytes of the entries appended since the newest snapshot. */
  bytesSinceSnapshot(): number {
    return this.sinceSnapshotBytes;
  }

  /** While the disk is full: the error to refuse a new change with (before it is made). */
  refusal(): BrokerError | undefined {
    return this.full;
  }

  /**
   * Resolves when every batch appended so far is on disk. While the disk is full, changes that
   * are made but not saved fail with `diskFull`; but a caller that passes `since` (the sequence
   * number before its request) and after which nothing was appended changed nothing, so it is
   * not held back (reads keep working). Every change is refused while the disk is full, so
   * nothing is appended after the failure.
   */
  durable(since?: number): Promise<void> {
    if (this.full && !this.failed && this.flushedSeq < this.seq && (since === undefined || this.seq > since)) {
      return Promise.reject(diskFullError(path.dirname(this.file), true));
    }
    return this.wait(false);
  }

  /** Like {@link durable}, but waits through a full disk until the entries are written. */
  written(): Promise<void> {
    return this.wait(true);
  }

  /**
   * After a snapshot holding everything up to `snapshotSeq`: rewrites the journal to hold only
   * entries after `keepAfterSeq` (write a temp file, fsync, rename), so it stops growing. The
   * store keeps the entries since the previous snapshot, its fallback, so `keepAfterSeq` is
   * that snapshot's sequence number.
   */
  rotate(keepAfterSeq: number, snapshotSeq: number): Promise<void> {
    return this.serial(async () => {
      this.snapshotSeq = snapshotSeq;
      const before = this.tail.length;
      this.tail = this.tail.filter((t) => t.seq > keepAfterSeq);
      this.sinceSnapshotBytes = this.tail.reduce((n, t) => n + (t.seq > snapshotSeq ? Buffer.byteLength(t.line) : 0), 0);
      // Nothing to drop: a rewrite would only need the journal's size again in free space.
      if (this.tail.length === before && !this.fileHasOlder) return;
      this.fileHasOlder = false;
      // Pending lines are not written yet; they will be appended to the new file.
      const pendingFrom = this.pending.length ? this.pendingLastSeq - this.pending.length + 1 : Infinity;
      const keep = this.tail.filter((t) => t.seq < pendingFrom).map((t) => t.line).join('');
      await atomicWrite(this.file, keep);
      await this.fh.close();
      this.fh = await (this.opts.openFile ?? openForAppend)(this.file);
      this.bytes = Buffer.byteLength(keep);
    });
  }

  /** Entries kept for rewriting the journal, oldest first (tests). */
  keptSeqs(): number[] {
    return this.tail.map((t) => t.seq);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    try {
      await this.flushNow();
      await this.io;
    } finally {
      await this.fh.close();
    }
  }

  /** Lets go of the file without writing anything: for a store whose opening failed. */
  async abandon(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.fh.close().catch(() => undefined);
  }

  /** Flushes what is pending now and waits for it; on a full disk, one more try is all. */
  async flushNow(): Promise<void> {
    this.enqueueFlush();
    await this.io;
    if (this.full) {
      this.log.error(`journal: ${this.pending.length} change(s) made while the disk was full are not saved; the disk is still full`);
      return;
    }
    await this.durable();
  }

  private wait(patient: boolean): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.flushedSeq >= this.seq || (this.full && !patient)) return Promise.resolve();
    const seq = this.seq;
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject, patient }));
  }

  private enqueueFlush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    void this.serial(() => this.flush());
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0 || this.failed) return;
    const count = this.pending.length;
    const data = Buffer.from(this.pending.join(''));
    const upTo = this.pendingLastSeq;
    try {
      await writeAll(this.fh, data);
      await this.fh.datasync();
    } catch (e) {
      await this.writeFailed(e as Error);
      return;
    }
    this.pending.splice(0, count);
    this.pendingBytes -= data.length;
    this.bytes += data.length;
    this.flushes++;
    this.flushedSeq = upTo;
    if (this.full) {
      this.full = undefined;
      this.log.info(`journal: the disk has space again; ${count} waiting change(s) saved, accepting changes again`);
      // Whatever was appended meanwhile (nothing, normally) goes out now.
      if (this.pending.length > 0) this.enqueueFlush();
    }
    const ready = this.waiters.filter((w) => w.seq <= upTo);
    this.waiters = this.waiters.filter((w) => w.seq > upTo);
    for (const w of ready) w.resolve();
  }

  /**
   * A group write failed. Whatever part reached the file is cut off again, so the file ends on
   * its last complete line and no later append can follow a partial one. A full disk keeps the
   * group queued and retries; any other error stops the journal for good.
   */
  private async writeFailed(e: Error): Promise<void> {
    let cut: Error | undefined;
    try {
      await this.fh.truncate(this.bytes);
      await this.fh.datasync();
    } catch (te) {
      cut = te as Error;
    }
    if (isNoSpace(e) && !cut) {
      const dir = path.dirname(this.file);
      if (!this.full) {
        this.log.error(`journal: the disk holding ${dir} is full (${e.message}); refusing changes until space is freed, retrying every ${(this.opts.retryMs ?? 1000) / 1000} s`);
      }
      this.full = diskFullError(dir, false);
      // The callers waiting for these changes learn now: the changes are made in memory and are
      // saved by the retry, but cannot be promised yet. Pushes (patient) wait for the retry.
      const told = this.waiters.filter((w) => !w.patient);
      this.waiters = this.waiters.filter((w) => w.patient);
      for (const w of told) w.reject(diskFullError(dir, true));
      if (!this.closed) {
        this.retryTimer = setTimeout(() => void this.serial(() => this.flush()), this.opts.retryMs ?? 1000);
        this.retryTimer.unref();
      }
      return;
    }
    // A journal that cannot be written must not acknowledge anything again.
    this.failed = new Error(`journal write failed: ${e.message}${cut ? ` (and cutting the partial write failed: ${cut.message})` : ''}`);
    this.full = undefined;
    this.log.error(this.failed);
    for (const w of this.waiters.splice(0)) w.reject(this.failed);
    this.onFailure?.(this.failed);
  }

  private serial(op: () => Promise<void>): Promise<void> {
    const next = this.io.then(op);
    this.io = next.catch((e) => this.log.error(e as Error));
    return next;
  }
}

/**
 * Writes all of `data`: a write may take only part of it (a disk filling up does that), so it
 * goes on from where the last one stopped; a write that takes nothing means the disk is full.
 */
async function writeAll(fh: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await fh.write(data, offset, data.length - offset);
    if (bytesWritten <= 0) {
      throw Object.assign(new Error(`no space left: wrote ${offset} of ${data.length} bytes`), { code: 'ENOSPC' });
    }
    offset += bytesWritten;
  }
}
