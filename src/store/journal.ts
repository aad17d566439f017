/**
 * The write-ahead journal: one JSON line per committed transaction, `{"s":seq,"b":batch}`.
 * Appends are group-committed: every batch committed while a flush is in flight (or within
 * the same tick) goes out in the next single write + fdatasync. `durable()` resolves once
 * everything committed so far is on disk; the broker acknowledges a request only then.
 */
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Logger } from '../core/logger';
import { atomicWrite } from './files';
import type { Batch } from './sqljs';

interface Waiter { seq: number; resolve: () => void; reject: (e: Error) => void }

export interface JournalEntry { seq: number; batch: Batch }

export class Journal {
  /** Highest sequence number handed out. */
  private seq: number;
  /** Highest sequence number known to be on disk. */
  private flushedSeq: number;
  private pending: string[] = [];
  private pendingBytes = 0;
  private pendingLastSeq = 0;
  /** Lines written since the last snapshot, kept to rewrite the journal after one. */
  private tail: Array<{ seq: number; line: string }> = [];
  private waiters: Waiter[] = [];
  private io: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private failed: Error | undefined;
  private bytes: number;
  /** Group flushes done (each is one write + one fdatasync). */
  flushes = 0;
  /**
   * Called once if a write fails. From then on nothing is acknowledged: the owner must stop
   * serving, so another process takes over from what is on disk.
   */
  onFailure: ((e: Error) => void) | undefined;

  private constructor(
    private readonly file: string,
    private fh: FileHandle,
    lastSeq: number,
    size: number,
    private readonly log: Logger,
  ) {
    this.seq = lastSeq;
    this.flushedSeq = lastSeq;
    this.bytes = size;
  }

  /**
   * Reads the journal at `file`, returning the entries after `afterSeq` and a Journal open for
   * appending. A torn or unreadable line ends the journal: it and anything after it are
   * dropped (they were never acknowledged, since a line is acknowledged only once complete).
   */
  static async open(file: string, afterSeq: number, log: Logger): Promise<{ journal: Journal; entries: JournalEntry[] }> {
    let text = '';
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const entries: JournalEntry[] = [];
    let validBytes = 0;
    let lastSeq = afterSeq;
    let offset = 0;
    while (offset < text.length) {
      const nl = text.indexOf('\n', offset);
      if (nl < 0) {
        log.warn(`journal: dropping a torn last line (${text.length - offset} bytes)`);
        break;
      }
      const line = text.slice(offset, nl);
      let parsed: { s: number; b: Batch };
      try {
        parsed = JSON.parse(line) as { s: number; b: Batch };
        if (typeof parsed.s !== 'number' || !Array.isArray(parsed.b)) throw new Error('not a journal entry');
      } catch (e) {
        log.error(`journal: unreadable line at byte ${validBytes}; ignoring it and everything after it (${(e as Error).message})`);
        break;
      }
      if (parsed.s > afterSeq && parsed.s !== lastSeq + 1) {
        // Cut here: lines written after a gap would be skipped by every later replay too.
        log.error(`journal: sequence jumps from ${lastSeq} to ${parsed.s}; stopping replay there`);
        break;
      }
      offset = nl + 1;
      validBytes += Buffer.byteLength(line) + 1;
      if (parsed.s <= afterSeq) continue; // already in the snapshot
      entries.push({ seq: parsed.s, batch: parsed.b });
      lastSeq = parsed.s;
    }
    const fh = await fs.open(file, 'a+', 0o600);
    // Cut a torn tail so new lines start on a line boundary.
    if (validBytes < Buffer.byteLength(text)) {
      await fh.truncate(validBytes);
      await fh.datasync();
    }
    const journal = new Journal(file, fh, lastSeq, validBytes, log);
    journal.tail = entries.map((e) => ({ seq: e.seq, line: JSON.stringify({ s: e.seq, b: e.batch }) + '\n' }));
    return { journal, entries };
  }

  /** Queues a committed batch for the next group flush; returns its sequence number. */
  append(batch: Batch): number {
    const seq = ++this.seq;
    const line = JSON.stringify({ s: seq, b: batch }) + '\n';
    this.pending.push(line);
    this.pendingBytes += Buffer.byteLength(line);
    this.pendingLastSeq = seq;
    this.tail.push({ seq, line });
    if (!this.flushScheduled) {
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

  /** Entries appended since the last {@link rotate}. */
  entriesSinceSnapshot(): number {
    return this.tail.length;
  }

  /** Resolves when every batch appended so far is on disk. */
  durable(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.flushedSeq >= this.seq) return Promise.resolve();
    const seq = this.seq;
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  /**
   * After a snapshot that contains everything up to `snapshotSeq`: rewrites the journal to hold
   * only later entries (write a temp file, fsync, rename), so it stops growing.
   */
  rotate(snapshotSeq: number): Promise<void> {
    return this.serial(async () => {
      this.tail = this.tail.filter((t) => t.seq > snapshotSeq);
      // Pending lines are not written yet; they will be appended to the new file.
      const pendingFrom = this.pending.length ? this.pendingLastSeq - this.pending.length + 1 : Infinity;
      const keep = this.tail.filter((t) => t.seq < pendingFrom).map((t) => t.line).join('');
      await atomicWrite(this.file, keep);
      await this.fh.close();
      this.fh = await fs.open(this.file, 'a+', 0o600);
      this.bytes = Buffer.byteLength(keep);
    });
  }

  async close(): Promise<void> {
    await this.flushNow();
    await this.io;
    await this.fh.close();
  }

  /** Flushes what is pending now and waits for it. */
  async flushNow(): Promise<void> {
    this.enqueueFlush();
    await this.durable();
  }

  private enqueueFlush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    void this.serial(() => this.flush());
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const data = this.pending.join('');
    const upTo = this.pendingLastSeq;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      await this.fh.write(data);
      await this.fh.datasync();
    } catch (e) {
      // A journal that cannot be written must not acknowledge anything again.
      this.failed = new Error(`journal write failed: ${(e as Error).message}`);
      this.log.error(this.failed);
      for (const w of this.waiters.splice(0)) w.reject(this.failed);
      this.onFailure?.(this.failed);
      return;
    }
    this.bytes += Buffer.byteLength(data);
    this.flushes++;
    this.flushedSeq = upTo;
    const ready = this.waiters.filter((w) => w.seq <= upTo);
    this.waiters = this.waiters.filter((w) => w.seq > upTo);
    for (const w of ready) w.resolve();
  }

  private serial(op: () => Promise<void>): Promise<void> {
    const next = this.io.then(op);
    this.io = next.catch((e) => this.log.error(e as Error));
    return next;
  }
}
