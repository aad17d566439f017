/**
 * One table of ours in someone else's TOML file (`[mcp_servers.peermesh]` in Codex's
 * config.toml). smol-toml reads and checks the file; the writer edits the text itself, so every
 * byte outside our table (comments, order, inline tables, arrays of tables, CRLF) stays as the
 * user wrote it. Every write is verified: the new text must parse and mean the same as the old
 * everywhere but our table, else it throws and the caller writes nothing.
 */
import { isDeepStrictEqual } from 'node:util';
import { parse, TomlError } from 'smol-toml';

/** The values we write and read back: a string, an array of strings, or a table of strings. */
export type SimpleValue = string | string[] | Record<string, string>;

type Table = Record<string, unknown>;

/** BigInt only for integers a number cannot hold, so the verification compares them exactly. */
const parseToml = (text: string): Table => parse(text, { integersAsBigInt: 'asNeeded' });

/** smol-toml's one-line reason, without its "Invalid TOML document: " prefix and code excerpt. */
const reasonOf = (e: TomlError) => e.message.split('\n')[0].replace(/^Invalid TOML document:\s*/, '');

function parseFile(text: string, file: string): Table {
  try {
    return parseToml(text);
  } catch (e) {
    if (!(e instanceof TomlError)) throw e;
    throw new Error(`${file} is not valid TOML (line ${e.line}: ${reasonOf(e)}); fix it first`, { cause: e });
  }
}

/** A TOML basic string (JSON's escapes are a subset TOML accepts; TOML also forbids a raw DEL). */
export const tomlString = (s: string) => JSON.stringify(s).replace(/\x7f/g, '\\u007f');

const bareKey = /^[A-Za-z0-9_-]+$/;
const tomlKey = (k: string) => (bareKey.test(k) ? k : tomlString(k));

export function tomlValue(v: SimpleValue): string {
  if (typeof v === 'string') return tomlString(v);
  if (Array.isArray(v)) return `[${v.map(tomlString).join(', ')}]`;
  return `{ ${Object.entries(v).map(([k, x]) => `${tomlKey(k)} = ${tomlString(x)}`).join(', ')} }`;
}

const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** A deep copy with ordinary objects (smol-toml's have a null prototype), for comparing. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (isTable(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function tableAt(doc: Table, path: readonly string[]): unknown {
  let at: unknown = doc;
  for (const k of path) at = isTable(at) ? at[k] : undefined;
  return at;
}

/** One statement of the file: a header, a `key = value` (maybe over many lines), or blank/comment lines. */
interface Statement {
  start: number;
  /** Offset after its last line's line ending. */
  end: number;
  kind: 'header' | 'key' | 'trivia';
  /** Header: the table's path. Key: the key's path (`a.b = 1` → ['a', 'b']). */
  path: string[];
  /** Header: an array-of-tables header `[[…]]`. */
  array: boolean;
}

/** The path of the single chain of keys in `doc` (`{a: {b: {}}}` → ['a', 'b']), and what ends it. */
function chain(doc: Table): { path: string[]; last: unknown } {
  const path: string[] = [];
  let at: unknown = doc;
  while (isTable(at) && Object.keys(at).length === 1) {
    const k = Object.keys(at)[0];
    path.push(k);
    at = at[k];
  }
  return { path, last: at };
}

/**
 * Splits a valid TOML text into statements. A statement ends at the first line after which its
 * text parses on its own; a line inside a multi-line string or array never ends one, so a
 * `[fake]` there is not taken for a header. The parser, not a pattern, tells what each one is.
 */
function statements(text: string): Statement[] {
  const lineEnds: number[] = [];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineEnds.push(i + 1);
  if (lineEnds.length === 0 || lineEnds[lineEnds.length - 1] < text.length) lineEnds.push(text.length);
  const out: Statement[] = [];
  let start = 0;
  for (const end of lineEnds) {
    const source = text.slice(start, end);
    let doc: Table;
    try {
      doc = parseToml(source);
    } catch {
      continue; // inside a multi-line value: the statement goes on
    }
    const { path, last } = chain(doc);
    const kind = source.trimStart().startsWith('[') ? 'header' : path.length > 0 ? 'key' : 'trivia';
    out.push({ start, end, kind, path, array: kind === 'header' && Array.isArray(last) });
    start = end;
  }
  if (start < text.length) throw new Error('unreachable: a valid TOML text split into statements that do not parse');
  return out;
}

const samePath = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((k, i) => k === b[i]);
const under = (path: readonly string[], prefix: readonly string[]) => path.length > prefix.length && prefix.every((k, i) => k === path[i]);

/** The simple values of `[path]` (strings, arrays of strings, tables of strings); other values are left out. */
export function readTable(text: string, path: readonly string[], file = 'the TOML file'): Record<string, SimpleValue> | undefined {
  const table = tableAt(parseFile(text, file), path);
  if (!isTable(table)) return undefined;
  const out: Record<string, SimpleValue> = {};
  for (const [k, v] of Object.entries(table)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
    else if (isTable(v)) out[k] = Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
  }
  return out;
}

export interface TableEdit {
  /** The file, as the user knows it, for messages. */
  file: string;
  /** Keys (and sub-tables of that name) that are ours: replaced by `values`, or removed when `values` leaves them out. */
  owned?: readonly string[];
  /** What the user can do instead, ending every refusal ("add the entry by hand …"). */
  fallback: string;
}

/**
 * Writes `[path]` with `values`, keeping the table's other keys (a timeout the user set) and
 * every byte outside it; appends the table if it is missing. Returns `text` itself when the
 * table already holds these values. Throws a one-line message, and changes nothing, when the
 * file is not valid TOML or when the edit would change anything but our table.
 */
export function upsertTable(text: string, path: readonly string[], values: Record<string, SimpleValue>, edit: TableEdit): string {
  const { file, fallback } = edit;
  const owned = new Set([...(edit.owned ?? []), ...Object.keys(values)]);
  const header = `[${path.map(tomlKey).join('.')}]`;
  const before = parseFile(text, file);
  const current = tableAt(before, path);
  const keep = isTable(current) ? Object.fromEntries(Object.entries(current).filter(([k]) => !owned.has(k))) : {};
  const wanted = { ...keep, ...values };
  if (isDeepStrictEqual(plain(current), plain(wanted))) return text;

  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const ours = Object.entries(values).map(([k, v]) => `${tomlKey(k)} = ${tomlValue(v)}${eol}`).join('');
  const all = statements(text);
  const at = all.findIndex((s) => s.kind === 'header' && samePath(s.path, path));
  let after: string;
  if (at < 0) {
    if (current !== undefined) throw new Error(`${file}: ${path.join('.')} is set without a ${header} header (dotted keys, an inline table or only sub-tables), which setup does not rewrite; make it a ${header} table, or ${fallback}`);
    const body = text === '' || text.endsWith('\n') ? text : text + eol;
    const blank = body === '' || /(^|\n)[ \t]*\r?\n$/.test(body) ? '' : eol;
    after = `${body}${blank}${header}${eol}${ours}`;
  } else {
    if (all[at].array) throw new Error(`${file}: [${header}] is an array of tables, not one server; remove it, or ${fallback}`);
    after = rewrite(text, all, at, path, owned, ours, eol);
  }
  verify(before, after, path, wanted, header, edit);
  return after;
}

/** The text with our owned keys and sub-tables removed and `ours` put right after our header. */
function rewrite(text: string, all: Statement[], at: number, path: readonly string[], owned: Set<string>, ours: string, eol: string): string {
  const drop = new Set<number>();
  let table: Statement | undefined;
  all.forEach((s, i) => {
    if (s.kind === 'header') table = s;
    const inOurs = table !== undefined && !table.array && samePath(table.path, path);
    if (s.kind === 'key' && inOurs && owned.has(s.path[0])) drop.add(i);
    if (s.kind !== 'header' || !under(s.path, path) || !owned.has(s.path[path.length])) return;
    // An owned sub-table (`[…peermesh.env]`): its header and statements up to its last key,
    // with the blank lines before it; comments and blank lines after its last key stay.
    let last = i;
    for (let j = i + 1; j < all.length && all[j].kind !== 'header'; j++) if (all[j].kind === 'key') last = j;
    for (let j = i; j <= last; j++) drop.add(j);
    for (let j = i - 1; j > at && all[j].kind === 'trivia' && text.slice(all[j].start, all[j].end).trim() === ''; j--) drop.add(j);
  });
  return all
    .map((s, i) => {
      if (drop.has(i)) return '';
      const own = text.slice(s.start, s.end);
      if (i !== at) return own;
      return own.endsWith('\n') ? own + ours : own + eol + ours;
    })
    .join('');
}

/** Throws unless `after` parses and equals `before` with our table set to `wanted`. */
function verify(before: Table, after: string, path: readonly string[], wanted: Table, header: string, edit: TableEdit): void {
  let parsed: Table;
  try {
    parsed = parseToml(after);
  } catch (e) {
    const why = e instanceof TomlError ? ` (${reasonOf(e)})` : '';
    throw new Error(`${edit.file}: ${header} cannot be added to this file without changing other settings${why}; ${edit.fallback}`, { cause: e });
  }
  const changesOthers = new Error(`${edit.file}: writing ${header} here would change other settings; ${edit.fallback}`);
  const expected = plain(before) as Table;
  let at = expected;
  for (const k of path.slice(0, -1)) {
    at[k] ??= {};
    const next = at[k];
    if (!isTable(next)) throw changesOthers;
    at = next;
  }
  at[path[path.length - 1]] = plain(wanted);
  if (!isDeepStrictEqual(plain(parsed), expected)) throw changesOthers;
}

/**
 * The text without `[path]` (its header, its keys and its sub-tables, with the blank lines
 * before it); comments after its last key stay, as they may introduce what follows. Returns
 * `text` itself when there is no such table. Throws, changing nothing, when the table is set
 * some other way (dotted keys, an inline table) or the result would differ anywhere else.
 */
export function removeTable(text: string, path: readonly string[], edit: TableEdit): string {
  const { file, fallback } = edit;
  const header = `[${path.map(tomlKey).join('.')}]`;
  const before = parseFile(text, file);
  if (tableAt(before, path) === undefined) return text;
  const all = statements(text);
  const at = all.findIndex((s) => s.kind === 'header' && samePath(s.path, path));
  if (at < 0 || all[at].array) throw new Error(`${file}: ${path.join('.')} is not a ${header} table, which setup does not rewrite; ${fallback}`);
  const drop = new Set<number>();
  let ours = true;
  let last = at;
  for (let i = at; i < all.length; i++) {
    const s = all[i];
    if (s.kind === 'header') ours = samePath(s.path, path) || under(s.path, path);
    if (!ours) break;
    if (s.kind !== 'trivia') last = i;
  }
  for (let i = at; i <= last; i++) drop.add(i);
  for (let j = at - 1; j >= 0 && all[j].kind === 'trivia' && text.slice(all[j].start, all[j].end).trim() === ''; j--) drop.add(j);
  const after = all.filter((_s, i) => !drop.has(i)).map((s) => text.slice(s.start, s.end)).join('');
  let parsed: Table;
  try {
    parsed = parseToml(after);
  } catch (e) {
    throw new Error(`${file}: ${header} cannot be removed without changing other settings; ${fallback}`, { cause: e });
  }
  const expected = plain(before) as Table;
  let parent: unknown = expected;
  for (const k of path.slice(0, -1)) parent = isTable(parent) ? parent[k] : undefined;
  if (isTable(parent)) delete parent[path[path.length - 1]];
  // An emptied parent (`[mcp_servers]` with nothing left) may vanish or stay: both are fine.
  if (!isDeepStrictEqual(withoutEmpty(plain(parsed)), withoutEmpty(expected))) throw new Error(`${file}: removing ${header} here would change other settings; ${fallback}`);
  return after;
}

/** A copy without tables that hold nothing (for comparing documents that differ only in those). */
function withoutEmpty(v: unknown): unknown {
  if (!isTable(v)) return v;
  const out: Table = {};
  for (const [k, x] of Object.entries(v)) {
    const y = withoutEmpty(x);
    if (!(isTable(y) && Object.keys(y).length === 0)) out[k] = y;
  }
  return out;
}
