/** Terminal output helpers: aligned tables and columns, parsing lock targets. */
import { printable } from '../core/printable';
import { BrokerError } from '../protocol/errors';

/** Rows under headers, in aligned columns; every cell as `printable` text (cells are often other peers' words). */
export function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '';
  return alignColumns([headers, ...rows.map((r) => r.map(printable))]).join('\n');
}

/**
 * Rows as lines whose columns line up (two spaces apart, the last column not padded). Cells are
 * shown as given: make other peers' words `printable` first.
 */
export function alignColumns(rows: readonly string[][]): string[] {
  const count = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: count }, (_, i) => Math.max(0, ...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((cells) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
}

/**
 * A path argument as given, refusing an empty one: `path.resolve('')` is the working directory,
 * so `peermesh lock ""` (an unset shell variable) would claim the whole folder.
 */
export function pathArgument(spec: string): string {
  if (spec === '') throw new BrokerError('invalidInput', 'the path is empty: name a file, or lines of it (path:START-END)');
  return spec;
}

/**
 * Parses `path`, `path:12`, `path:12-40` or `path#Symbol` (`src/auth.ts#AuthService.refresh`)
 * into a lock target; `:12` or `#Symbol` (no file) is refused like an empty path, and a range
 * that ends before it starts here, in the command line's words. A `#` followed by a dotted name
 * names a symbol, so a file named like `notes#todo` is read as one (claim it by its lines).
 */
export function parseTarget(spec: string): { path: string; startLine?: number; endLine?: number; symbol?: string } {
  const symbol = /^(.*?)#([\p{L}\p{N}_$]+(?:\.[\p{L}\p{N}_$#~]+)*)$/u.exec(spec);
  if (symbol) return { path: pathArgument(symbol[1]), symbol: symbol[2] };
  const m = /^(.*?):(\d+)(?:-(\d+))?$/.exec(spec);
  if (!m) return { path: pathArgument(spec) };
  const start = Number(m[2]);
  const end = m[3] === undefined ? start : Number(m[3]);
  if (end < start) throw new BrokerError('invalidInput', `${spec}: the range ends before it starts; give path:START-END`);
  return { path: pathArgument(m[1]), startLine: start, endLine: end };
}
