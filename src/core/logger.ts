/** One logging interface for every layer; adapters decide where lines go. */
import { printableLines } from './printable';

/** Where a layer's lines go. */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
}

export const nullLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * `base`, with every line's control characters, bidi controls and invisible characters shown
 * escaped (line breaks stay): log lines quote other peers' names and words, and a log view or a
 * terminal would obey them.
 */
export function printableLogger(base: Logger): Logger {
  const clean = (m: string | Error): string | Error => (typeof m === 'string' ? printableLines(m) : m);
  return {
    trace: (m, ...a) => base.trace(printableLines(m), ...a),
    debug: (m, ...a) => base.debug(printableLines(m), ...a),
    info: (m, ...a) => base.info(printableLines(m), ...a),
    warn: (m, ...a) => base.warn(printableLines(m), ...a),
    error: (m, ...a) => base.error(clean(m), ...a),
  };
}

/** Prefixes every line with `[tag]`, e.g. `[broker] listening on 127.0.0.1:41234`. */
export function taggedLogger(base: Logger, tag: string): Logger {
  const p = `[${tag}] `;
  return {
    trace: (m, ...a) => base.trace(p + m, ...a),
    debug: (m, ...a) => base.debug(p + m, ...a),
    info: (m, ...a) => base.info(p + m, ...a),
    warn: (m, ...a) => base.warn(p + m, ...a),
    error: (m, ...a) => base.error(typeof m === 'string' ? p + m : m, ...a),
  };
}
