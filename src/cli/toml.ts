/**
 * Just enough TOML for one `[table]` we own in someone else's file (Codex's config.toml):
 * replace or append that table and leave every other byte alone, and read back the simple
 * values we write. Not a TOML parser; no dependency for one table.
 */

/** A TOML basic string (JSON's escapes are a subset TOML accepts). */
export const tomlString = (s: string) => JSON.stringify(s);

const bareKey = /^[A-Za-z0-9_-]+$/;
const tomlKey = (k: string) => (bareKey.test(k) ? k : tomlString(k));

export function tomlValue(v: string | string[] | Record<string, string>): string {
  if (typeof v === 'string') return tomlString(v);
  if (Array.isArray(v)) return `[${v.map(tomlString).join(', ')}]`;
  return `{ ${Object.entries(v).map(([k, x]) => `${tomlKey(k)} = ${tomlString(x)}`).join(', ')} }`;
}

/** `[a.b]`, `[ a . "b" ]` … → ['a', 'b']; undefined for a line that is not a table header. */
function headerPath(line: string): string[] | undefined {
  const m = /^\s*\[(?!\[)(.*)\]\s*(#.*)?$/.exec(line);
  if (!m) return undefined;
  const parts = m[1].match(/"(?:[^"\\]|\\.)*"|'[^']*'|[^.\s]+/g) ?? [];
  return parts.map((p) => (p.startsWith('"') ? (JSON.parse(p) as string) : p.startsWith("'") ? p.slice(1, -1) : p));
}

const startsWith = (path: string[], prefix: string[]) => prefix.every((p, i) => path[i] === p);

export interface TomlTable {
  /** Line index of the header. */
  start: number;
  /** Line index after the table and its sub-tables (trailing blank lines excluded). */
  end: number;
  /** Lines of the table itself, before any sub-table, header excluded. */
  body: string[];
  /** Its sub-tables, by the name that follows the table's path, each with header and lines. */
  subtables: Array<{ name: string; lines: string[] }>;
}

/** Finds `[path]` and its sub-tables (`[path.x]`). */
export function findTable(lines: string[], path: string[]): TomlTable | undefined {
  const start = lines.findIndex((l) => {
    const h = headerPath(l);
    return h !== undefined && h.length === path.length && startsWith(h, path);
  });
  if (start < 0) return undefined;
  let end = start + 1;
  let bodyEnd: number | undefined;
  const subtables: TomlTable['subtables'] = [];
  for (; end < lines.length; end++) {
    const h = headerPath(lines[end]);
    if (h === undefined) {
      subtables[subtables.length - 1]?.lines.push(lines[end]);
      continue;
    }
    if (!startsWith(h, path)) break;
    bodyEnd ??= end;
    subtables.push({ name: h[path.length], lines: [lines[end]] });
  }
  while (end > start + 1 && lines[end - 1].trim() === '') end--;
  const last = subtables[subtables.length - 1];
  while (last && last.lines.length > 1 && last.lines[last.lines.length - 1].trim() === '') last.lines.pop();
  return { start, end, body: lines.slice(start + 1, bodyEnd ?? end), subtables };
}

/** The key of a `key = value` line, or undefined. */
export function lineKey(line: string): string | undefined {
  const m = /^\s*("(?:[^"\\]|\\.)*"|[A-Za-z0-9_-]+)\s*=/.exec(line);
  return m ? (m[1].startsWith('"') ? (JSON.parse(m[1]) as string) : m[1]) : undefined;
}

/**
 * Writes `[path]` with `values`, keeping the table's other keys (e.g. a timeout the user set).
 * Keys in `owned` (and sub-tables of that name) are ours: replaced by `values`, or removed
 * when `values` leaves them out. Appends the table if it is missing.
 */
export function upsertTable(
  text: string,
  path: string[],
  values: Record<string, string | string[] | Record<string, string>>,
  owned: readonly string[] = Object.keys(values),
): string {
  const ownedKeys = new Set([...owned, ...Object.keys(values)]);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.length ? text.split(/\r?\n/) : [];
  const header = `[${path.map(tomlKey).join('.')}]`;
  const ours = Object.entries(values).map(([k, v]) => `${tomlKey(k)} = ${tomlValue(v)}`);
  const table = findTable(lines, path);
  if (!table) {
    while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
    const block = [header, ...ours];
    return [...lines, ...(lines.length ? [''] : []), ...block, ''].join(eol);
  }
  const kept = table.body.filter((l) => {
    const k = lineKey(l);
    return k === undefined ? l.trim() !== '' : !ownedKeys.has(k);
  });
  const keptSubtables = table.subtables.filter((t) => !ownedKeys.has(t.name)).flatMap((t) => ['', ...t.lines]);
  const block = [lines[table.start], ...ours, ...kept, ...keptSubtables];
  return [...lines.slice(0, table.start), ...block, ...lines.slice(table.end)].join(eol);
}

/** Reads back a simple value we wrote: a string, an array of strings, or an inline table of strings. */
export function readSimpleValue(line: string): string | string[] | Record<string, string> | undefined {
  const raw = line.slice(line.indexOf('=') + 1).replace(/\s+#[^"']*$/, '').trim();
  const str = (s: string) => (s.startsWith("'") ? s.slice(1, -1) : (JSON.parse(s) as string));
  const strings = /"(?:[^"\\]|\\.)*"|'[^']*'/g;
  try {
    if (raw.startsWith('"') || raw.startsWith("'")) return str(raw);
    if (raw.startsWith('[')) return (raw.match(strings) ?? []).map(str);
    if (raw.startsWith('{')) {
      const out: Record<string, string> = {};
      for (const m of raw.slice(1, -1).matchAll(/\s*("(?:[^"\\]|\\.)*"|[A-Za-z0-9_-]+)\s*=\s*("(?:[^"\\]|\\.)*"|'[^']*')\s*,?/g)) {
        out[m[1].startsWith('"') ? (JSON.parse(m[1]) as string) : m[1]] = str(m[2]);
      }
      return out;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The simple values of `[path]`, with sub-tables of simple values (e.g. `[path.env]`) as records. */
export function readTable(text: string, path: string[]): Record<string, string | string[] | Record<string, string>> | undefined {
  const table = findTable(text.split(/\r?\n/), path);
  if (!table) return undefined;
  const out: Record<string, string | string[] | Record<string, string>> = {};
  for (const l of table.body) {
    const k = lineKey(l);
    const v = k === undefined ? undefined : readSimpleValue(l);
    if (k !== undefined && v !== undefined) out[k] = v;
  }
  for (const t of table.subtables) {
    const rec: Record<string, string> = {};
    for (const l of t.lines.slice(1)) {
      const k = lineKey(l);
      const v = k === undefined ? undefined : readSimpleValue(l);
      if (k !== undefined && typeof v === 'string') rec[k] = v;
    }
    out[t.name] = rec;
  }
  return out;
}
