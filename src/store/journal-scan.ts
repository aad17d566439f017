/**
 * The journal's line format and how a journal file is read back. Each line is
 * `{"s":seq,"b":batch,"h":"xxxxxxxx"}`: `h` is the first 8 hex digits of the SHA-256 of the line
 * up to `,"h"`, so a flipped byte inside a string value is caught, not replayed. The checksum
 * is an ordinary JSON field, so an older PeerMesh still reads these lines, and lines written
 * before it existed (no `h`) are still read.
 *
 * Pure (no sql.js), so `peermesh doctor` can use it too.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Batch } from './sqljs';

export interface JournalEntry { seq: number; batch: Batch }

/** A line that could not be used, 1-based, with where it starts and why. */
export interface JournalDamage { line: number; byte: number; why: string }

export interface JournalScan {
  /** The entries after `afterSeq` that replay in order (consecutive from `afterSeq + 1`). */
  entries: JournalEntry[];
  /** Every good, complete line in order (including those the snapshot already holds). */
  lines: string[];
  /** Length of the file without a torn last line. */
  validBytes: number;
  /** Bytes of a torn last line (no newline): never acknowledged, safe to drop. */
  tornBytes: number;
  /** Lines that fail to parse or their checksum, out of order, or a sequence gap. */
  damage: JournalDamage[];
  /**
   * Set when an entry may be lost: the first sequence number that is missing (a gap, or a
   * damaged line after the last good entry). Entries from here on cannot be replayed.
   */
  lostFromSeq?: number;
  /** Bytes before the first damage: truncating to it keeps every entry that replays. */
  cleanPrefixBytes: number;
}

const suffix = /,"h":"([0-9a-f]{8})"\}$/;
const suffixLength = ',"h":"00000000"}'.length;

const checksum = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

/** One journal line, with its newline. */
export function encodeLine(seq: number, batch: Batch): string {
  const head = JSON.stringify({ s: seq, b: batch }).slice(0, -1);
  return `${head},"h":"${checksum(head)}"}\n`;
}

/**
 * Parses one line (without newline); throws saying why it is no journal entry. A line without
 * a checksum is read as before checksums (an older PeerMesh may have appended it); damage
 * that removes the checksum field itself leaves the rest of the line intact.
 */
function decodeLine(line: string): JournalEntry {
  const m = suffix.exec(line);
  if (m && checksum(line.slice(0, line.length - suffixLength)) !== m[1]) throw new Error('checksum mismatch');
  const parsed = JSON.parse(line) as { s: unknown; b: unknown };
  if (typeof parsed.s !== 'number' || !Array.isArray(parsed.b)) throw new Error('not a journal entry');
  return { seq: parsed.s, batch: parsed.b as Batch };
}

/**
 * Reads journal text; the entries after `afterSeq` are the ones to replay. Without `afterSeq`
 * (no snapshot at hand, as in `peermesh doctor`) the journal is read from its first entry on.
 */
export function scanJournal(text: string, afterSeq?: number): JournalScan {
  const scan: JournalScan = { entries: [], lines: [], validBytes: 0, tornBytes: 0, damage: [], cleanPrefixBytes: 0 };
  let expected = (afterSeq ?? Infinity) + 1;
  let lastSeq: number | undefined;
  let lastGoodLine = 0;
  let byte = 0;
  let lineNo = 0;
  let offset = 0;
  const damaged = (why: string) => {
    if (scan.damage.length === 0) scan.cleanPrefixBytes = byte;
    scan.damage.push({ line: lineNo, byte, why });
  };
  while (offset < text.length) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) {
      scan.tornBytes = Buffer.byteLength(text.slice(offset));
      break;
    }
    lineNo++;
    const line = text.slice(offset, nl);
    offset = nl + 1;
    let entry: JournalEntry | undefined;
    try {
      entry = decodeLine(line);
    } catch (e) {
      damaged((e as Error).message);
    }
    if (entry && expected === Infinity) expected = entry.seq;
    if (entry && lastSeq !== undefined && entry.seq <= lastSeq) {
      damaged(`sequence ${entry.seq} after ${lastSeq}`);
    } else if (entry && scan.lostFromSeq === undefined) {
      if (entry.seq > expected) {
        // An entry is missing: what follows cannot be replayed without it.
        scan.lostFromSeq = expected;
        damaged(`sequence jumps from ${expected - 1} to ${entry.seq}`);
      } else {
        if (entry.seq === expected) {
          scan.entries.push(entry);
          expected++;
        }
        // (an entry the snapshot already holds is kept in the file, not replayed)
        scan.lines.push(line + '\n');
        lastGoodLine = lineNo;
      }
      lastSeq = entry.seq;
    } else if (entry) {
      lastSeq = entry.seq;
    }
    byte += Buffer.byteLength(line) + 1;
  }
  scan.validBytes = byte;
  if (scan.damage.length === 0) scan.cleanPrefixBytes = byte;
  // Damage after the last good line may have been an entry: nothing proves it was not.
  if (scan.lostFromSeq === undefined && scan.damage.some((d) => d.line > lastGoodLine)) scan.lostFromSeq = expected;
  return scan;
}

/**
 * What is wrong with a damaged journal (a scan with `lostFromSeq`) and the exact fix, in the
 * words both the refusing broker and `peermesh doctor` use.
 */
export function journalLossFix(file: string, scan: JournalScan, copy: string): { problem: string; fix: string } {
  const first = scan.damage[0];
  return {
    problem: `the journal ${file} is damaged at line ${first.line} (${first.why}), and the entries from seq ${scan.lostFromSeq} on cannot be replayed in order`,
    fix:
      `repair line ${first.line} in ${copy} and copy it back over ${file}; or accept losing every change from seq ${scan.lostFromSeq} on ` +
      `with \`truncate -s ${scan.cleanPrefixBytes} ${file}\`; then start PeerMesh again`,
  };
}

/** Quarantine copies of `file`, oldest first. */
export async function quarantineCopies(file: string): Promise<string[]> {
  const dir = path.dirname(file);
  const prefix = path.basename(file) + '.corrupt-';
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(prefix)).sort().map((n) => path.join(dir, n));
}

/**
 * Keeps a copy of `file` as `<file>.corrupt-<time>` and returns its path; a copy with the same
 * bytes already kept (the same damage seen at an earlier start) is reused.
 */
export async function quarantine(file: string): Promise<string> {
  const bytes = await fs.readFile(file);
  for (const copy of await quarantineCopies(file)) {
    const kept = await fs.readFile(copy).catch(() => undefined);
    if (kept && kept.equals(bytes)) return copy;
  }
  const copy = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await fs.copyFile(file, copy);
  return copy;
}
