/**
 * Claims that follow the code they cover: where a line range is after its file changed.
 *
 * Pure: texts in, ranges out. The broker calls {@link followEdit} when it has the file's text
 * from before and after a change (it keeps the last text it saw of every claimed file), and
 * {@link relocate} when it has only what the claim remembers (after a restart or a fail-over).
 *
 * Rules (1-based, inclusive ranges):
 * - code inserted strictly inside the range grows it; inserted right above or below it, it
 *   stays outside (the range shifts);
 * - code deleted at or around the range shrinks it to what is left;
 * - a range rewritten in place (the lines around it unchanged) covers the rewrite;
 * - a covered block moved elsewhere in the file is followed there: when none of its lines with
 *   a letter or a digit is left in place, the nearest exact copy of the block is its new place;
 * - reformatting (indentation, spacing, CRLF ↔ LF) moves nothing: lines compare with their
 *   whitespace collapsed;
 * - lines past the end of the file are lines not written yet, named by their number: they do
 *   not move and are never lost (an agent that claims lines 10–20 of a 5-line file and then
 *   writes them keeps the claim on what it wrote);
 * - when the covered code is gone entirely, the range stays the last one it had and is `lost`.
 *   It is never widened to the whole file and never dropped.
 */
import { createHash } from 'node:crypto';
import { lineKey, lineMap, type LineMap } from './reanchor-diff';
import { findBlock, relocateKeys, significant } from './reanchor-search';

/** An inclusive 1-based line range. */
export interface LineRange {
  startLine: number;
  endLine: number;
}

/** Where a range is now; with `lost`, its code is gone and the range is the one it had. */
export interface Placement extends LineRange {
  lost: boolean;
}

/**
 * What a claim remembers of its code, kept durably beside it: enough to re-find the code in a
 * file whose earlier text is no longer known. `head` and `tail` are the first and last (up to
 * {@link anchorLines}) covered lines, `before` / `after` the lines around the range, `length`
 * how many lines it covered (lines past the end of the file included).
 */
export interface Anchor {
  before: string[];
  head: string[];
  tail: string[];
  after: string[];
  length: number;
}

/** How many lines of a range, and of its surroundings, an {@link Anchor} keeps at each end. */
export const anchorLines = { edge: 20, context: 3 } as const;

/** A hash of a text's content (without a byte-order mark): two reports of the same content match. */
export function contentHash(text: string): string {
  return createHash('sha256').update(withoutBom(text)).digest('hex');
}

/**
 * The lines of a text: a byte-order mark dropped, split at CRLF, CR or LF. A line break ends a
 * line rather than starting one, so `"a\nb\n"` is two lines and an empty text none: a claim on
 * the lines after a file's end covers what is appended there.
 */
export function splitLines(text: string): string[] {
  const lines = withoutBom(text).split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** What a claim on `range` of a file with `lines` remembers of its code. */
export function anchorOf(lines: readonly string[], range: LineRange): Anchor {
  checkRange(range);
  // Lines as compared, not as written: what relocate needs, and a long line costs no more than a hash.
  const keys = (from: number, to: number) => lines.slice(from, to).map(lineKey);
  const { edge, context } = anchorLines;
  const covered = keys(range.startLine - 1, range.endLine);
  return {
    before: keys(Math.max(0, range.startLine - 1 - context), Math.min(lines.length, range.startLine - 1)),
    head: covered.slice(0, edge),
    tail: covered.slice(-edge),
    after: keys(range.endLine, range.endLine + context),
    length: range.endLine - range.startLine + 1,
  };
}

/** Where each of `ranges` of `oldLines` is in `newLines`, in the same order. */
export function followEdit(oldLines: readonly string[], newLines: readonly string[], ranges: readonly LineRange[]): Placement[] {
  ranges.forEach(checkRange);
  const oldKeys = oldLines.map(lineKey);
  const newKeys = newLines.map(lineKey);
  const map = lineMap(oldKeys, newKeys);
  return ranges.map((range) => {
    if (range.startLine > oldLines.length) return { ...range, lost: false };
    // The diff gave up (a rewrite too large to diff cheaply): find the code as after a restart.
    if (!map) return relocateKeys(keysOf(anchorOf(oldLines, range)), range, newKeys);
    return placed(map, oldKeys, newKeys, range);
  });
}

/**
 * Where the code `anchor` remembers is in `lines`, knowing only that it was at `last`: the same
 * lines there, else the nearest place its head and tail (or the lines around it) are found, else
 * `last`, lost.
 */
export function relocate(anchor: Anchor, last: LineRange, lines: readonly string[]): Placement {
  checkRange(last);
  return relocateKeys(keysOf(anchor), last, lines.map(lineKey));
}

/**
 * Where `range` (which starts inside the old file) is by the diff: its first and last lines
 * mapped, a moved block searched for when nothing significant of it stayed, lost when nothing
 * of it is left.
 */
function placed(map: LineMap, oldKeys: string[], newKeys: string[], range: LineRange): Placement {
  const s = range.startLine - 1;
  const pastEnd = range.endLine - oldKeys.length;
  const e = Math.min(range.endLine, oldKeys.length) - 1;
  const start = map.startOf(s);
  const end = pastEnd > 0 ? Math.max(map.endOf(e), range.endLine - 1) : map.endOf(e);
  if (pastEnd <= 0 && !keptSignificant(map, oldKeys, s, e)) {
    const block = oldKeys.slice(s, e + 1);
    // Only where the change added the block's lines (a `}` may pair with any other) did it move to.
    const found = findBlock(block, newKeys, start, 0, (p) => block.every((key, i) => !significant(key) || map.added(p + i, 1)));
    if (found !== undefined) return { startLine: found + 1, endLine: found + e - s + 1, lost: false };
  }
  if (start > end) return { ...range, lost: true };
  return { startLine: start + 1, endLine: end + 1, lost: false };
}

/**
 * Whether a covered line with a letter or digit stayed in place, so the range is where it was.
 * A range of only braces and blank lines counts as staying (it has nothing better to search by).
 */
function keptSignificant(map: LineMap, oldKeys: string[], s: number, e: number): boolean {
  let anySignificant = false;
  for (let i = s; i <= e; i++) {
    if (!significant(oldKeys[i])) continue;
    if (map.kept(i)) return true;
    anySignificant = true;
  }
  return !anySignificant;
}

/** An anchor's lines as the search compares them (whitespace collapsed). */
function keysOf(anchor: Anchor): Anchor {
  return { ...anchor, before: anchor.before.map(lineKey), head: anchor.head.map(lineKey), tail: anchor.tail.map(lineKey), after: anchor.after.map(lineKey) };
}

function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A range from the broker's own records; a bad one is a bug to report in its own terms. */
function checkRange(range: LineRange): void {
  const { startLine, endLine } = range;
  if (!Number.isSafeInteger(startLine) || !Number.isSafeInteger(endLine)) {
    throw new RangeError(`line range ${startLine}-${endLine}: line numbers are whole numbers`);
  }
  if (startLine < 1) throw new RangeError(`line range ${startLine}-${endLine}: lines are numbered from 1`);
  if (endLine < startLine) throw new RangeError(`line range ${startLine}-${endLine}: it ends before it starts`);
}
