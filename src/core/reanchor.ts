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
 * - a covered block moved elsewhere in the file is followed there;
 * - reformatting (indentation, spacing, CRLF ↔ LF) moves nothing: lines compare with their
 *   whitespace collapsed;
 * - when the covered code is gone entirely, the range stays the last one it had and is `lost`.
 *   It is never widened to the whole file and never dropped.
 */

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
 * how many lines it covered.
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
export declare function contentHash(text: string): string;

/** The lines of a text: a byte-order mark dropped, split at CRLF, CR or LF. */
export declare function splitLines(text: string): string[];

/** What a claim on `range` of a file with `lines` remembers of its code. */
export declare function anchorOf(lines: readonly string[], range: LineRange): Anchor;

/** Where each of `ranges` of `oldLines` is in `newLines`, in the same order. */
export declare function followEdit(oldLines: readonly string[], newLines: readonly string[], ranges: readonly LineRange[]): Placement[];

/**
 * Where the code `anchor` remembers is in `lines`, knowing only that it was at `last`: the same
 * lines there, else the nearest place its head and tail (or the lines around it) are found, else
 * `last`, lost.
 */
export declare function relocate(anchor: Anchor, last: LineRange, lines: readonly string[]): Placement;
