/** One logging interface for every layer; adapters decide where lines go. */
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
