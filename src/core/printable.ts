/**
 * Other peers' text (names, summaries, lock reasons, message bodies, state values) as a terminal,
 * an editor or a model may be shown it. Escape sequences in it could erase, recolour or forge
 * lines (an ANSI `ESC[2K` with `\r`, an OSC title), and bidi controls and invisible formatting
 * characters could make it display reversed or hide a part of it (`report\u202Etxt.exe` shows as
 * `reportexe.txt`); so every such character is made visible instead, and the text stays on one
 * line.
 */

/**
 * Characters that draw nothing (Unicode's default-ignorable code points, e.g. the Hangul filler
 * U+3164, variation selectors, most format characters): in a name they let two names that look
 * alike differ, or one look empty. UTS #39 drops them from a skeleton (peer-listing.ts).
 */
export const invisible = /\p{Default_Ignorable_Code_Point}/u;

/**
 * A line break (LF, CRLF, and Unicode's line and paragraph separators), a C0 or C1 control
 * character (DEL too), a UTF-16 surrogate not paired with its other half, or a format character
 * (`Cf`: bidi embeddings, overrides, isolates and marks, zero-width spaces and joiners, the byte
 * order mark, tag characters that can carry text nobody sees), or another {@link invisible}
 * character.
 */
const unprintable = new RegExp(`\\r?\\n|[\\u2028\\u2029]|\\p{Cc}|\\p{Cs}|\\p{Cf}|${invisible.source}`, 'gu');

const pictograph = /\p{Extended_Pictographic}/u;
/** What may stand between an emoji and a joiner: an emoji presentation selector, a skin tone. */
const emojiTrail = /\uFE0F|\p{Emoji_Modifier}/u;

/**
 * Whether the character at `index` of `text` (a zero-width joiner or a variation selector) is
 * part of an emoji sequence (👩‍💻, ❤️): it joins pictures into one, and hides nothing.
 */
function isEmojiGlue(text: string, index: number, char: string): boolean {
  const before = [...text.slice(Math.max(0, index - 4), index)];
  if (char === '\uFE0E' || char === '\uFE0F') return pictograph.test(before.at(-1) ?? '');
  if (char !== '\u200D') return false;
  const after = String.fromCodePoint(text.codePointAt(index + 1) ?? 0);
  let last = before.at(-1) ?? '';
  if (emojiTrail.test(last)) last = before.at(-2) ?? '';
  return pictograph.test(last) && pictograph.test(after);
}

/** The escape a terminal and a model show for `c`: `\x9b`, `\u202e`, `\u{e0041}`. */
function escape(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  if (code <= 0x9f) return `\\x${code.toString(16)}`;
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
}

/**
 * Whether `text` holds a character that has no place in a name or another identifier: one
 * {@link printable} would replace (control, format and invisible characters). Emoji sequences are fine.
 */
export function hasHiddenCharacters(text: string): boolean {
  for (const match of text.matchAll(unprintable)) {
    if (!isEmojiGlue(text, match.index, match[0])) return true;
  }
  return false;
}

/**
 * `text` safe for one line of a terminal or a model's text: a line break becomes ` ⏎ ` (the line
 * it would have begun stays visibly part of this one, so it cannot pass for a line of the listing
 * around it); other C0 characters and DEL become their Unicode control pictures (`ESC` → `␛`);
 * C1 characters, lone surrogates, format and other invisible characters, which have no
 * pictures, become `\x9b` / `\ud800` / `\u202e` / `\u3164` escapes (a joiner inside an emoji
 * stays).
 */
export function printable(text: string): string {
  return text.replace(unprintable, (c, index: number) => {
    if (c.endsWith('\n') || c === '\u2028' || c === '\u2029') return ' ⏎ ';
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return isEmojiGlue(text, index, c) ? c : escape(c);
  });
}

/**
 * Like {@link printable}, for a view that shows several lines (a tooltip, a dialog's detail):
 * line breaks stay (as `\n`), everything else is escaped the same way.
 */
export function printableLines(text: string): string {
  return text.split(/\r?\n/).map(printable).join('\n');
}
