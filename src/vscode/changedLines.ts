/**
 * Line arithmetic for the save guard, free of `vscode` imports so it is unit-tested in plain
 * Node: which lines of a document changed since it was saved, which lines one edit touches,
 * and which locks those lines fall in. Lines are 1-based and inclusive, as the broker counts
 * them, and numbered as in the document being edited: the lines the person sees tinted.
 */
import { diffLines, type Change } from 'diff';
import { spansOverlap } from '../core/paths';
import type { Lock } from '../protocol/entities';

/** Lines `startLine` to `endLine`, 1-based, inclusive. */
export interface LineSpan {
  readonly startLine: number;
  readonly endLine: number;
}

/** What a lock covers: a line range, or (both null) the whole file. */
export type LockLines = Pick<Lock, 'startLine' | 'endLine'>;

/** How long the diff may take before every line counts as changed. */
const diffTimeoutMs = 1000;

/**
 * The lines of `current` that differ from `saved`, as merged spans in `current`'s numbering.
 * Added or rewritten lines count as themselves; a pure deletion counts as the line now where
 * the removed lines were (the last line when they were at the end). Line endings are not
 * changes (`\r\n` against `\n`, or a missing newline at the end of the file), so a document
 * that only differs in them touches nothing. The diff runs in slices that yield to the event
 * loop (a large, thoroughly rewritten file takes seconds); texts too different to diff within
 * `timeoutMs` count as changed throughout.
 */
export function changedLines(saved: string, current: string, timeoutMs = diffTimeoutMs): Promise<LineSpan[]> {
  if (saved === current) return Promise.resolve([]);
  const lineCount = countLines(current);
  return new Promise((resolve) => {
    diffLines(saved, current, {
      stripTrailingCr: true,
      ignoreNewlineAtEof: true,
      timeout: timeoutMs,
      callback: (changes) => resolve(changes ? spansOf(changes, lineCount) : [{ startLine: 1, endLine: lineCount }]),
    });
  });
}

/** The spans of `current` that a line diff's changes added to or removed from. */
function spansOf(changes: readonly Change[], lineCount: number): LineSpan[] {
  const spans: LineSpan[] = [];
  let line = 1; // the next line of `current`
  changes.forEach((change, i) => {
    if (change.added) {
      spans.push({ startLine: line, endLine: line + change.count - 1 });
      line += change.count;
    } else if (change.removed) {
      // A replacement is a removal next to an addition; the addition's lines already count.
      if (changes[i - 1]?.added || changes[i + 1]?.added) return;
      const at = Math.min(line, lineCount);
      spans.push({ startLine: at, endLine: at });
    } else {
      line += change.count;
    }
  });
  return mergeSpans(spans);
}

/** A position as VS Code reports an edit's range: 0-based line and character. */
export interface EditPosition {
  readonly line: number;
  readonly character: number;
}

/**
 * The lines one edit touches, as VS Code reports it (`contentChanges`: the replaced range and
 * the text put in), numbered as before the edit: the numbering the claims are in when it is
 * made (claims follow the code, so the broker moves them after it). Whole lines inserted between
 * two lines touch neither: the span is then empty (`endLine` one before `startLine`), and
 * overlaps a claim only when the claim covers the lines on both sides, as the broker grows a
 * claim only for lines inserted strictly inside it. A range that ends at the start of a line
 * leaves that line as it was.
 */
export function editedLines(start: EditPosition, end: EditPosition, text: string): LineSpan {
  const emptyRange = start.line === end.line && start.character === end.character;
  if (emptyRange && start.character === 0 && text.endsWith('\n')) return { startLine: start.line + 1, endLine: start.line };
  const last = end.character === 0 && end.line > start.line ? end.line : end.line + 1;
  return { startLine: start.line + 1, endLine: last };
}

/** The locks that any of `spans` falls in, in their given order. */
export function touchedLocks<L extends LockLines>(locks: readonly L[], spans: readonly LineSpan[]): L[] {
  return locks.filter((lock) => spans.some((span) => spansOverlap(lock, span)));
}

/** The parts of `spans` inside `lock` (all of them for a whole-file lock). */
export function spansInside(lock: LockLines, spans: readonly LineSpan[]): LineSpan[] {
  const { startLine, endLine } = lock;
  if (startLine === null || endLine === null) return [...spans];
  return spans
    .filter((span) => spansOverlap(lock, span))
    .map((span) => ({ startLine: Math.max(span.startLine, startLine), endLine: Math.min(span.endLine, endLine) }));
}

/** How many spans {@link describeSpans} names before it counts the rest. */
const namedSpans = 5;

/** "line 4", "lines 4–6", "lines 2, 4–6 and 9", "lines 1, 3, 5, 7, 9 and 4 more places". */
export function describeSpans(spans: readonly LineSpan[]): string {
  const parts = spans.slice(0, namedSpans).map((s) => (s.startLine === s.endLine ? `${s.startLine}` : `${s.startLine}–${s.endLine}`));
  if (parts.length === 0) return 'no lines';
  if (spans.length === 1 && spans[0].startLine === spans[0].endLine) return `line ${parts[0]}`;
  if (spans.length > namedSpans) return `lines ${parts.join(', ')} and ${spans.length - namedSpans} more places`;
  return `lines ${listNames(parts)}`;
}

/** Sorted spans, with overlapping and adjacent ones joined. */
export function mergeSpans(spans: readonly LineSpan[]): LineSpan[] {
  const sorted = [...spans].sort((a, b) => a.startLine - b.startLine);
  const merged: LineSpan[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.startLine <= last.endLine + 1) merged[merged.length - 1] = { startLine: last.startLine, endLine: Math.max(last.endLine, span.endLine) };
    else merged.push(span);
  }
  return merged;
}

/** Lines as VS Code counts them: a text ending in a newline has an empty last line. */
function countLines(text: string): number {
  let lines = 1;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}

/** "a", "a and b", "a, b and c". */
export function listNames(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
