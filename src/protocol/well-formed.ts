/**
 * Lone surrogates, made well-formed where text enters the broker.
 *
 * JSON may carry a lone surrogate as an escape (`"\ud800"`: a string cut in the middle of an
 * emoji). Kept as it is, it reaches sql.js, which stores it as three invalid UTF-8 bytes and
 * reads them back as three U+FFFD, so a peer would get back something other than what any
 * UTF-8 round trip (a file, a socket, a terminal) makes of its text. Each lone surrogate becomes
 * one U+FFFD instead, in every string and key, before anything reads the request. Refusing the
 * request would be worse: a client that cuts a body at a length limit can split a pair without
 * meaning anything by it, and the rest of its text is worth keeping.
 */

/** A high surrogate with no low one after it, or a low one with no high one before it. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * An escaped surrogate in JSON text. UTF-8 decoding never yields a surrogate, so a frame without
 * one of these parses to well-formed strings only, and needs no walk.
 */
const escapedSurrogate = /\\u[dD][89a-fA-F]/;

/** `text` with each lone surrogate replaced by U+FFFD (`String.prototype.toWellFormed`). */
export function wellFormedString(text: string): string {
  return text.replace(loneSurrogate, '\uFFFD');
}

/** Whether the JSON text `json` may parse to a string holding a lone surrogate. */
export function mayHoldLoneSurrogate(json: string): boolean {
  return escapedSurrogate.test(json);
}

/**
 * Makes every string and object key in a value parsed from JSON well-formed, in place. Iterative,
 * so a deeply nested frame cannot overflow the stack.
 */
export function makeWellFormed(parsed: unknown): unknown {
  if (typeof parsed === 'string') return wellFormedString(parsed);
  const pending: object[] = [];
  if (typeof parsed === 'object' && parsed !== null) pending.push(parsed);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const node = next as Record<string, unknown>;
    const keys = Object.keys(node);
    const renamed = !Array.isArray(node) && keys.some((k) => wellFormedString(k) !== k);
    for (const key of keys) {
      const value = node[key];
      if (typeof value === 'string') node[key] = wellFormedString(value);
      else if (typeof value === 'object' && value !== null) pending.push(value);
    }
    if (renamed) {
      // Re-added in their order; defineProperty, so a key named `__proto__` stays a plain key.
      const entries = keys.map((k) => [wellFormedString(k), node[k]] as const);
      for (const key of keys) delete node[key];
      for (const [key, value] of entries) Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true });
    }
  }
  return parsed;
}
