/**
 * Finding covered code by its lines, for claims that follow their code (core/reanchor.ts): a
 * block moved elsewhere in the file, and a claim re-found from its {@link Anchor} alone. Every
 * line here is already a line key (reanchor-diff.ts `lineKey`).
 */
import type { Anchor, LineRange, Placement } from './reanchor';

/**
 * Whether a line says something (has a letter or a digit). A lone `}` or a blank line is in
 * every file many times over, so it proves nothing about where code went.
 */
export function significant(key: string): boolean {
  return /[\p{L}\p{N}]/u.test(key);
}

/**
 * The start of the occurrence of `block` in `keys` nearest to `near` (the earlier on a tie),
 * starting at `min` or later and at a place `allowed` accepts; undefined when there is none.
 */
export function findBlock(block: readonly string[], keys: readonly string[], near: number, min = 0, allowed: (p: number) => boolean = () => true): number | undefined {
  const last = keys.length - block.length;
  if (block.length === 0 || last < min) return undefined;
  // Test the block's first significant line first: it rejects almost every place at once.
  const probe = Math.max(0, block.findIndex(significant));
  const at = (p: number) => keys[p + probe] === block[probe] && block.every((line, i) => keys[p + i] === line) && allowed(p);
  const from = Math.min(last, Math.max(min, near));
  for (let d = 0; from - d >= min || from + d <= last; d++) {
    if (from - d >= min && at(from - d)) return from - d;
    if (d > 0 && from + d <= last && at(from + d)) return from + d;
  }
  return undefined;
}

/**
 * {@link relocate} over line keys: `anchor` holds keys too. A claim on lines never written (its
 * anchor has no head) stays as it is.
 */
export function relocateKeys(anchor: Anchor, last: LineRange, keys: readonly string[]): Placement {
  if (anchor.head.length === 0 || unchanged(anchor, last, keys)) return { ...last, lost: false };
  const start = startOf(anchor, keys, last.startLine - 1);
  const end = start === undefined ? undefined : endOf(anchor, keys, start);
  if (start === undefined || end === undefined || end < start) return { ...last, lost: true };
  return { startLine: start + 1, endLine: end + 1, lost: false };
}

/** Whether the head and tail are where the claim left them (lines past the file's end aside). */
function unchanged(anchor: Anchor, last: LineRange, keys: readonly string[]): boolean {
  const s = last.startLine - 1;
  const e = Math.min(last.endLine, keys.length) - 1;
  if (last.endLine > keys.length && anchor.after.length > 0) return false;
  return linesAt(anchor.head, keys, s) && linesAt(anchor.tail, keys, e - anchor.tail.length + 1);
}

/** Where the code starts: its head nearest to `near`, else the line after its `before` lines. */
function startOf(anchor: Anchor, keys: readonly string[], near: number): number | undefined {
  const head = findBlock(anchor.head, keys, near);
  if (head !== undefined) return head;
  if (anchor.before.length === 0) return 0;
  if (!anchor.before.some(significant)) return undefined;
  const before = findBlock(anchor.before, keys, near - anchor.before.length);
  return before === undefined ? undefined : before + anchor.before.length;
}

/**
 * Where the code that starts at `start` ends: its tail nearest to where its length puts it,
 * else the line before its `after` lines (the file's end when it had none).
 */
function endOf(anchor: Anchor, keys: readonly string[], start: number): number | undefined {
  const expected = start + anchor.length - 1;
  const tail = findBlock(anchor.tail, keys, expected - anchor.tail.length + 1, start);
  if (tail !== undefined) return tail + anchor.tail.length - 1;
  if (anchor.after.length === 0) return keys.length - 1;
  if (!anchor.after.some(significant)) return undefined;
  const after = findBlock(anchor.after, keys, expected + 1, start);
  return after === undefined ? undefined : after - 1;
}

function linesAt(block: readonly string[], keys: readonly string[], at: number): boolean {
  return at >= 0 && at + block.length <= keys.length && block.every((line, i) => keys[at + i] === line);
}
