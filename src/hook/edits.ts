/**
 * Which lines of a file an agent's edit touches: before it runs (to check them against other
 * peers' claims and locks) and after it ran (to attribute the new lines). Pure string work over
 * the file's text; line diffs come from the `diff` package. Lines are 1-based and inclusive, and
 * both `\n` and `\r\n` end a line (a search ignores the difference, as the agents' own edit tools
 * do).
 */
import { diffArrays } from 'diff';
import { mergeSpans as merged } from '../core/paths';
import type { LineSpan } from '../protocol/entities';
import type { FileEdit, PatchHunk } from './clients';

export type { LineSpan };

type Spans = LineSpan[] | 'file';

/**
 * The lines of the file as it is now (`before`; undefined when it does not exist yet) that
 * applying `edit` would change. A pure insertion touches the line before and the line after it (or
 * line 1 of a new or empty file). 'file' when the lines cannot be located: the old text is not
 * there, a `whole` edit, a deletion. Spans are sorted and merged.
 */
export function touchedBefore(edit: FileEdit, before: string | undefined): Spans {
  switch (edit.kind) {
    case 'whole': return 'file';
    case 'replace': return before === undefined ? 'file' : replacedBefore(edit, before);
    case 'write': return written(before, edit.content, 'old');
    case 'patch': return patchedBefore(edit, before);
  }
}

/**
 * After the edit happened (`after` = the file now), the lines that now hold changed text. A
 * replacement is found where the old text was (the text before it is unchanged), when `before` is
 * known; otherwise at the first occurrence of the new text, or every one for `all`. A write is a
 * diff of `before` against `after`, or the whole file when `before` is unknown. A patch's hunks are
 * located in `after` by their after-lines. 'file' if not locatable; [] for a file that was deleted.
 */
export function touchedAfter(edit: FileEdit, after: string | undefined, before?: string): Spans {
  if (after === undefined) return edit.kind === 'patch' && edit.op === 'delete' ? [] : 'file';
  switch (edit.kind) {
    case 'whole': return 'file';
    case 'replace': return replacedAfter(edit, after, before);
    case 'write': return written(before, after, 'new');
    case 'patch': return patchedAfter(edit, after, before);
  }
}

// ---- lines ----

/** The lines of `text`, without their terminators; a final terminator starts no extra line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const lf = (text: string) => text.replace(/\r\n/g, '\n');

/** The 1-based line holding character `offset` of LF-only `text`. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line += 1;
  return line;
}

/** The lines a run of `length` characters at `offset` covers (one line when it is empty). */
function spanOf(text: string, offset: number, length: number): LineSpan {
  const startLine = lineAt(text, offset);
  return { startLine, endLine: length === 0 ? startLine : lineAt(text, offset + length - 1) };
}

/** The lines around an insertion before 0-based line `index` of a file of `total` lines. */
function insertionAt(index: number, total: number): LineSpan {
  if (total === 0) return { startLine: 1, endLine: 1 };
  return { startLine: Math.max(1, index), endLine: Math.min(total, index + 1) };
}

/**
 * The lines of one side of a line diff that differ from the other side. On the `old` side removed
 * lines count, and a pure insertion touches its neighbours; on the `new` side the same with added
 * and removed swapped. `offset` shifts the result (for a hunk inside a larger file) and `total`
 * bounds it.
 */
function diffSpans(oldLines: string[], newLines: string[], side: 'old' | 'new', offset = 0, total = side === 'old' ? oldLines.length : newLines.length): LineSpan[] {
  const changes = diffArrays(oldLines, newLines);
  const spans: LineSpan[] = [];
  let index = { old: 0, new: 0 };
  changes.forEach((change, i) => {
    const count = change.count ?? change.value.length;
    const mine = side === 'old' ? change.removed : change.added;
    const theirs = side === 'old' ? change.added : change.removed;
    if (mine) spans.push({ startLine: offset + index[side] + 1, endLine: offset + index[side] + count });
    const replaced = [changes[i - 1], changes[i + 1]].some((c) => c && (side === 'old' ? c.removed : c.added));
    if (theirs && !replaced) spans.push(insertionAt(offset + index[side], total));
    index = {
      old: index.old + (change.added ? 0 : count),
      new: index.new + (change.removed ? 0 : count),
    };
  });
  return spans;
}

// ---- replace ----

/** Offsets of `needle` in `text`: every non-overlapping one for `all`, else the first. */
function occurrences(text: string, needle: string, all: boolean): number[] {
  const found: number[] = [];
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + Math.max(needle.length, 1))) {
    found.push(i);
    if (!all) break;
  }
  return found;
}

function replacedBefore(edit: Extract<FileEdit, { kind: 'replace' }>, before: string): Spans {
  const text = lf(before);
  const oldText = lf(edit.oldText);
  if (oldText === '') return text === '' ? [{ startLine: 1, endLine: 1 }] : 'file';
  const found = occurrences(text, oldText, edit.all);
  return found.length === 0 ? 'file' : merged(found.map((at) => spanOf(text, at, oldText.length)));
}

function replacedAfter(edit: Extract<FileEdit, { kind: 'replace' }>, after: string, before: string | undefined): Spans {
  const text = lf(after);
  const oldText = lf(edit.oldText);
  const newText = lf(edit.newText);
  const inBefore = before === undefined || oldText === '' ? [] : occurrences(lf(before), oldText, edit.all);
  // Each earlier replacement shifts the later ones by the difference in length.
  const shifted = inBefore.map((at, n) => at + n * (newText.length - oldText.length));
  if (shifted.length > 0 && shifted.every((at) => text.startsWith(newText, at))) {
    return merged(shifted.map((at) => spanOf(text, at, newText.length)));
  }
  if (newText === '') return 'file';
  const found = occurrences(text, newText, edit.all);
  return found.length === 0 ? 'file' : merged(found.map((at) => spanOf(text, at, newText.length)));
}

// ---- write ----

/** A whole-file write: a line diff when the other side is known. */
function written(before: string | undefined, content: string, side: 'old' | 'new'): Spans {
  const newLines = splitLines(content);
  if (before === undefined || before === '') {
    if (side === 'old') return [{ startLine: 1, endLine: 1 }];
    return newLines.length === 0 ? [] : [{ startLine: 1, endLine: newLines.length }];
  }
  return merged(diffSpans(splitLines(before), newLines, side));
}

// ---- patch ----

type PatchEdit = Extract<FileEdit, { kind: 'patch' }>;

function patchedBefore(edit: PatchEdit, before: string | undefined): Spans {
  if (edit.op === 'delete') return 'file';
  if (edit.op === 'add') return written(before, joinLines(edit.hunks[0]?.after ?? []), 'old');
  if (before === undefined) return 'file';
  return located(splitLines(before), edit.hunks, 'old');
}

function patchedAfter(edit: PatchEdit, after: string, before: string | undefined): Spans {
  if (edit.op === 'delete') return [];
  if (edit.op === 'add') return written(before, after, 'new');
  return located(splitLines(after), edit.hunks, 'new');
}

const joinLines = (lines: string[]) => (lines.length ? `${lines.join('\n')}\n` : '');

/**
 * Finds each hunk in `lines` (the file before the patch for the `old` side, after it for the
 * `new` side) in order, each after the previous one, the way Codex applies a patch: the `@@`
 * anchor line first when there is one, then the hunk's lines from there; a hunk with nothing to
 * match (only added lines) goes at the end of the file. Returns the changed lines of every hunk,
 * or 'file' when one cannot be found.
 */
function located(lines: string[], hunks: PatchHunk[], side: 'old' | 'new'): Spans {
  const spans: LineSpan[] = [];
  let from = 0;
  for (const hunk of hunks) {
    if (hunk.anchor !== undefined) {
      const anchorAt = seek(lines, [hunk.anchor], from, false);
      if (anchorAt === undefined) return 'file';
      from = anchorAt + 1;
    }
    const mine = side === 'old' ? hunk.before : hunk.after;
    const found = findHunk(lines, mine, from, hunk.eof === true);
    if (found === undefined) return 'file';
    let other = side === 'old' ? hunk.after : hunk.before;
    // The trailing empty line Codex dropped to find the hunk is dropped from both sides.
    if (found.pattern.length < mine.length && other[other.length - 1] === '') other = other.slice(0, -1);
    spans.push(...diffSpans(side === 'old' ? found.pattern : other, side === 'old' ? other : found.pattern, side, found.at, lines.length));
    from = found.at + found.pattern.length;
  }
  return merged(spans);
}

/** Where `pattern` starts, retrying without a trailing empty line as Codex does. */
function findHunk(lines: string[], pattern: string[], from: number, eof: boolean): { at: number; pattern: string[] } | undefined {
  if (pattern.length === 0) return { at: lines.length, pattern };
  const at = seek(lines, pattern, from, eof);
  if (at !== undefined) return { at, pattern };
  if (pattern[pattern.length - 1] !== '') return undefined;
  const shorter = pattern.slice(0, -1);
  const retry = shorter.length === 0 ? undefined : seek(lines, shorter, from, eof);
  return retry === undefined ? undefined : { at: retry, pattern: shorter };
}

const sameLine: Array<(a: string, b: string) => boolean> = [
  (a, b) => a === b,
  (a, b) => a.trimEnd() === b.trimEnd(),
  (a, b) => a.trim() === b.trim(),
];

/**
 * The index where `pattern` occurs in `lines` at or after `from`, trying an exact match, then one
 * that ignores trailing whitespace, then one that ignores surrounding whitespace (the leniency of
 * Codex's own seek). An end-of-file hunk is tried at the very end first.
 */
function seek(lines: string[], pattern: string[], from: number, eof: boolean): number | undefined {
  if (pattern.length > lines.length) return undefined;
  const last = lines.length - pattern.length;
  const matchesAt = (i: number, same: (a: string, b: string) => boolean) => pattern.every((p, k) => same(lines[i + k], p));
  for (const same of sameLine) {
    if (eof && matchesAt(last, same)) return last;
    for (let i = from; i <= last; i += 1) if (matchesAt(i, same)) return i;
  }
  return undefined;
}
