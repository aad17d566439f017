/**
 * The byte budget of a tool result. Agents pay for every result in tokens on each turn after
 * it, and clients cut or refuse big ones (Claude Code warns past 10,000 tokens of tool output
 * and cuts at 25,000), so a result never grows with what the mesh holds: a list stops at the
 * budget and says, in the tool's own arguments, how to get the next page; a value too big for
 * a list is elided with its size and the call that reads it; a long value or body is read in
 * parts. Bytes are counted as they go out, text and structuredContent alike (clients show the
 * model one or the other, some both), so the two always show the same items.
 */
import { printable } from '../core/printable';

/**
 * A whole result, text and structuredContent serialized: 24 KiB is about 6,000 to 8,000
 * tokens, under the point where clients warn, and a page of a list long enough to work from.
 */
export const resultBytes = 24 * 1024;

/**
 * A tool's own text and data. The rest of {@link resultBytes} is the pending news' (2,000
 * characters of message bodies in at most ten messages, in the text and in structuredContent)
 * and the envelope's.
 */
export const ownBytes = 16 * 1024;

/** A list's items: the tool's own part less room for its other fields and lines. */
const listBytes = ownBytes - 1024;

/** A value in a list (a state value) bigger than this as JSON is elided: a page shows many keys. */
export const itemBytes = 1024;

/** A message body in a list longer than this is cut there; the rest is read in parts. */
export const bodyBytes = 2 * 1024;

/**
 * One part of a long value or body, text and structuredContent together: structuredContent
 * carries it raw, the text as printable (where an escaped character costs up to 2.5 times as much).
 */
export const partBytes = listBytes;

/** Bytes of `value` as JSON. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '');
}

/** Bytes of a tool's own result as it goes out: its text and its structuredContent, each as JSON. */
export function renderedBytes(out: { text: string; data: unknown }): number {
  return jsonBytes(out.text) + jsonBytes(out.data);
}

/**
 * A cursor of digits as a tool gave it (the id a page went on from), or undefined when `cursor`
 * is not one; 15 digits at most, so it is a safe integer.
 */
export function numericCursor(cursor: string): number | undefined {
  return /^\d{1,15}$/.test(cursor) ? Number(cursor) : undefined;
}

/**
 * A call of a tool as the model would write it, each argument's value as JSON:
 * `mesh_state action="get" key="api/port"`. Undefined arguments are left out.
 */
export function callText(tool: string, args: Record<string, unknown>): string {
  return [tool, ...Object.entries(args).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${JSON.stringify(v)}`)].join(' ');
}

/** What stands in a list for a value too big to show: its size, and the call that reads it. */
export interface Elided {
  elided: true;
  /** The value's size as JSON, in bytes. */
  bytes: number;
  /** The call that reads it (in parts). */
  get: string;
}

export function elided(bytes: number, get: string): Elided {
  return { elided: true, bytes, get };
}

/** `value`, or an {@link Elided} in its place when it is bigger than {@link itemBytes} as JSON. */
export function elide(value: unknown, get: string): unknown {
  const bytes = jsonBytes(value);
  return bytes > itemBytes ? elided(bytes, get) : value;
}

export function isElided(value: unknown): value is Elided {
  return typeof value === 'object' && value !== null && (value as Elided).elided === true;
}

/** Bytes an item of a list and its text line cost as they go out: each as JSON. */
const itemAndLineBytes = (item: unknown, line: string) => jsonBytes(item) + jsonBytes(line);

/**
 * The first items that fit `budget` bytes, each counted with its text line (by `bytes`: as
 * they go out); at least one, so that paging always moves on (items are kept small: big values
 * elided, long bodies cut at {@link partEnd}). `cut` when some were left out.
 */
export function fitList<T>(
  items: readonly T[],
  line: (item: T) => string,
  budget = listBytes,
  bytes: (item: T, line: string) => number = itemAndLineBytes,
): { items: T[]; lines: string[]; cut: boolean } {
  const shown: T[] = [];
  const lines: string[] = [];
  let used = 0;
  for (const item of items) {
    const text = line(item);
    used += bytes(item, text);
    if (used > budget && shown.length > 0) break;
    shown.push(item);
    lines.push(text);
  }
  return { items: shown, lines, cut: shown.length < items.length };
}

/** Like {@link fitList}, keeping the newest (last) items: for history, read backwards. */
export function fitNewest<T>(items: readonly T[], line: (item: T) => string, budget = listBytes): { items: T[]; lines: string[]; cut: boolean } {
  const fit = fitList([...items].reverse(), line, budget);
  return { items: fit.items.reverse(), lines: fit.lines.reverse(), cut: fit.cut };
}

/** Bytes `text` costs inside a JSON string (escapes included: a quote, a control, a lone surrogate). */
function stringBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text)) - 2;
}

/**
 * Bytes one character (a code point: `char` is one or two UTF-16 units) costs when it goes out
 * raw inside a JSON string and, `shown`, once more as {@link printable} text. Printable is
 * asked of the character alone: in context it may only cost less (an emoji's joiner stays, CRLF
 * is one mark).
 */
function charBytes(char: string, shown: boolean): number {
  const code = char.charCodeAt(0);
  // Most text is printable ASCII: a byte each, a quote or backslash two, shown alike.
  const ascii = code >= 0x20 && code < 0x7f;
  const raw = ascii ? (code === 0x22 || code === 0x5c ? 2 : 1) : stringBytes(char);
  if (!shown) return raw;
  return raw + (ascii ? raw : stringBytes(printable(char)));
}

/**
 * Where a part of `text` starting at `start` ends so that it fits `max` bytes inside a JSON
 * string, and, when `shown`, once more as printable text in the result's text: at least one
 * character further (so reading in parts moves on), and never between the two halves of a
 * surrogate pair.
 */
export function partEnd(text: string, start: number, max = partBytes, shown = false): number {
  let end = start;
  let used = 0;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    const low = text.charCodeAt(end + 1);
    const size = code >= 0xd800 && code <= 0xdbff && low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
    const cost = charBytes(text.slice(end, end + size), shown);
    if (used + cost > max && end > start) break;
    used += cost;
    end += size;
  }
  return end;
}

/**
 * Names joined for one line of text, as many as fit `budget` bytes: `a, b and 3 more`.
 * `shown` are the ones named.
 */
export function namesText(names: readonly string[], budget = listBytes / 2): { text: string; shown: number } {
  const fit = fitList(names, (n) => n, budget);
  const rest = names.length - fit.items.length;
  return { text: fit.items.join(', ') + (rest > 0 ? ` and ${rest} more` : ''), shown: fit.items.length };
}

/** The line that ends a cut result's text: the call for what comes next. */
export const moreLine = (call: string) => `More: ${call}`;
