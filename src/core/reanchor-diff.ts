/**
 * The line diff behind claims that follow their code (core/reanchor.ts): which old lines are
 * still there and where, and what replaced the others. Lines compare by their {@link lineKey},
 * so reformatting changes nothing.
 */
import { createHash } from 'node:crypto';
import { diffArrays } from 'diff';

/** Longer lines (minified code, data) compare by a hash: an anchor keeps each of its lines. */
const longLine = 512;

/**
 * A line as compared: trimmed, each run of spaces and tabs one space. Re-indenting, trailing
 * spaces and CRLF ↔ LF leave it the same. A key is its own key, so keys can be stored.
 */
export function lineKey(line: string): string {
  const trimmed = line.trim();
  // Most lines have no run to collapse; testing first is several times faster on a large file.
  const key = trimmed.includes('  ') || trimmed.includes('\t') ? trimmed.replace(/[ \t]+/g, ' ') : trimmed;
  return key.length > longLine ? `#sha256:${createHash('sha256').update(key).digest('base64')}` : key;
}

/**
 * The most lines added plus removed that one change is diffed for. The diff's cost grows with
 * the square of it (about 100 ms at 1,000 on a 50,000-line file rewritten throughout, 15 at
 * 300); past it the caller re-finds each range by its lines instead.
 */
export const maxDiffEdits = 300;

/** Old lines `[oldStart, oldEnd)` replaced by new lines `[newStart, newEnd)` (0-based). */
interface Hunk {
  oldStart: number;
  oldEnd: number;
  newStart: number;
  newEnd: number;
}

/** Where each old line went: its new index when kept, else the hunk that removed it. */
export class LineMap {
  constructor(
    private readonly oldKeys: readonly string[],
    private readonly newOf: Int32Array,
    private readonly hunkOf: Int32Array,
    private readonly hunks: readonly Hunk[],
  ) {}

  kept(oldLine: number): boolean {
    return this.newOf[oldLine] >= 0;
  }

  /**
   * Whether new lines `[from, from + count)` were all added by the change (none is an old line
   * kept): only there can a block that left its place have gone. A copy of the block that was in
   * the file all along is other code.
   */
  added(from: number, count: number): boolean {
    for (let i = from; i < from + count; i++) if (!this.hunks.some((h) => i >= h.newStart && i < h.newEnd)) return false;
    return true;
  }

  /**
   * Where a range starting at old line `s` starts now. A removed first line is matched with the
   * new line at the same offset in its hunk (a hunk of as many lines is usually those lines
   * edited); when the hunk added fewer lines, the range starts after them, shrunk from the start.
   */
  startOf(s: number): number {
    if (this.kept(s)) return this.newOf[s];
    const h = this.hunks[this.hunkOf[s]];
    const slid = this.slidUp(h, s);
    if (slid !== undefined) return slid;
    const offset = s - h.oldStart;
    return offset < h.newEnd - h.newStart ? h.newStart + offset : h.newEnd;
  }

  /** Where a range ending at old line `e` ends now: {@link startOf} seen from the hunk's end. */
  endOf(e: number): number {
    if (this.kept(e)) return this.newOf[e];
    const h = this.hunks[this.hunkOf[e]];
    const slid = this.slidDown(h, e);
    if (slid !== undefined) return slid;
    const offset = h.oldEnd - 1 - e;
    return offset < h.newEnd - h.newStart ? h.newEnd - 1 - offset : h.newStart - 1;
  }

  /**
   * A deletion that took a range's first line `s` but could as well have been the same lines
   * just above it (a `}` or a blank line deleted next to another): read it so, and the range
   * keeps its lines. Where `s` is then, or undefined when the deletion cannot slide up that far.
   */
  private slidUp(h: Hunk, s: number): number | undefined {
    if (h.newStart !== h.newEnd) return undefined;
    const k = h.oldEnd - s;
    for (let j = 1; j <= k; j++) {
      const o = h.oldStart - j;
      if (o < 0 || this.newOf[o] !== h.newStart - j || this.oldKeys[o] !== this.oldKeys[h.oldEnd - j]) return undefined;
    }
    return h.newStart - k;
  }

  /** {@link slidUp} for a range's last line `e`: the deletion read as the same lines just below. */
  private slidDown(h: Hunk, e: number): number | undefined {
    if (h.newStart !== h.newEnd) return undefined;
    const k = e - h.oldStart + 1;
    for (let j = 0; j < k; j++) {
      const o = h.oldEnd + j;
      if (o >= this.newOf.length || this.newOf[o] !== h.newStart + j || this.oldKeys[o] !== this.oldKeys[h.oldStart + j]) return undefined;
    }
    return h.newStart + k - 1;
  }
}

/**
 * The map from `oldKeys` to `newKeys`, or undefined when they differ by more than
 * {@link maxDiffEdits} lines. The common head and tail are matched first: they are most of a file in an
 * ordinary edit, and the diff's cost grows with what is left.
 */
export function lineMap(oldKeys: readonly string[], newKeys: readonly string[]): LineMap | undefined {
  const shortest = Math.min(oldKeys.length, newKeys.length);
  let head = 0;
  while (head < shortest && oldKeys[head] === newKeys[head]) head++;
  let tail = 0;
  while (tail < shortest - head && oldKeys[oldKeys.length - 1 - tail] === newKeys[newKeys.length - 1 - tail]) tail++;
  const oldMiddle = oldKeys.slice(head, oldKeys.length - tail);
  const newMiddle = newKeys.slice(head, newKeys.length - tail);
  const same = oldMiddle.length + newMiddle.length === 0;
  const changes = same ? [] : diffArrays(oldMiddle, newMiddle, { maxEditLength: maxDiffEdits });
  if (!changes) return undefined;

  const newOf = new Int32Array(oldKeys.length).fill(-1);
  const hunkOf = new Int32Array(oldKeys.length).fill(-1);
  const hunks: Hunk[] = [];
  const keep = (from: number, to: number, count: number) => {
    for (let k = 0; k < count; k++) newOf[from + k] = to + k;
  };
  keep(0, 0, head);
  let o = head;
  let n = head;
  let open: Hunk | undefined;
  for (const change of changes) {
    if (!change.added && !change.removed) {
      keep(o, n, change.count);
      o += change.count;
      n += change.count;
      open = undefined;
      continue;
    }
    if (!open) hunks.push((open = { oldStart: o, oldEnd: o, newStart: n, newEnd: n }));
    if (change.removed) {
      hunkOf.fill(hunks.length - 1, o, o + change.count);
      open.oldEnd = o += change.count;
    } else {
      open.newEnd = n += change.count;
    }
  }
  keep(o, n, tail);
  return new LineMap(oldKeys, newOf, hunkOf, hunks);
}
