/**
 * Other peers' text (names, summaries, lock reasons, message bodies, state values) as a terminal
 * or a model may be shown it. Escape sequences in it could erase, recolour or forge lines (an
 * ANSI `ESC[2K` with `\r`, an OSC title), so every control character and lone surrogate is made
 * visible instead, and the text stays on one line.
 */

/** A C0 or C1 control character (DEL too), or a UTF-16 surrogate not paired with its other half. */
const unprintable = /\r?\n|\p{Cc}|\p{Cs}/gu;

/** Whether `text` holds a character `printable` would have to replace. */
export function hasControlCharacters(text: string): boolean {
  return new RegExp(unprintable.source, 'u').test(text);
}

/**
 * `text` safe for one line of a terminal or a model's text: a line break becomes ` ⏎ ` (the line
 * it would have begun stays visibly part of this one, so it cannot pass for a line of the listing
 * around it); other C0 characters and DEL become their Unicode control pictures (`ESC` → `␛`);
 * C1 characters and lone surrogates, which have no pictures, become `\x9b` / `\ud800` escapes.
 */
export function printable(text: string): string {
  return text.replace(unprintable, (c) => {
    if (c.endsWith('\n')) return ' ⏎ ';
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return code <= 0x9f ? `\\x${code.toString(16)}` : `\\u${code.toString(16)}`;
  });
}
