/** Terminal output helpers: aligned tables, durations, parsing lock targets. */

export function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d ${h % 24}h`;
}


/** Parses `path`, `path:12` or `path:12-40` into a lock target. */
export function parseTarget(spec: string): { path: string; startLine?: number; endLine?: number } {
  const m = /^(.*?):(\d+)(?:-(\d+))?$/.exec(spec);
  if (!m || m[1] === '') return { path: spec };
  const start = Number(m[2]);
  const end = m[3] === undefined ? start : Number(m[3]);
  return { path: m[1], startLine: start, endLine: end };
}
