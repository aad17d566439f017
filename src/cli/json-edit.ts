/**
 * Reading and editing someone else's JSON (or JSONC) config with the fewest changes: every edit
 * goes through jsonc-parser's `modify`, so comments, key order, indentation and line endings
 * outside the edited value stay as the user wrote them. Shared by the MCP entries (clients.ts)
 * and the hooks (hooks.ts).
 */
import { promises as fs } from 'node:fs';
import { applyEdits, findNodeAtLocation, modify, parse, parseTree, printParseErrorCode, type JSONPath, type ParseError } from 'jsonc-parser/lib/esm/main.js';

export type JsonRecord = Record<string, unknown>;

export const isRecord = (v: unknown): v is JsonRecord => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The file's text, or undefined when it does not exist. */
export async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The top-level object of a JSON(C) text; a text that is not one is refused, naming the file and the place. */
export function parseJson(file: string, text: string): JsonRecord {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    throw new Error(`${file} is not valid JSON (${printParseErrorCode(errors[0].error)} at offset ${errors[0].offset}); fix it, or add the entry by hand (peermesh setup --print)`);
  }
  if (value !== undefined && !isRecord(value)) throw new Error(`${file} does not hold a JSON object`);
  return value ?? {};
}

function indentOf(text: string): { insertSpaces: boolean; tabSize: number } {
  const m = /\n([ \t]+)"/.exec(text);
  if (!m) return { insertSpaces: true, tabSize: 2 };
  return m[1].startsWith('\t') ? { insertSpaces: false, tabSize: 1 } : { insertSpaces: true, tabSize: m[1].length };
}

/**
 * A JSON text being edited in steps: each `set` / `insert` / `remove` is one minimal edit in
 * the file's own indentation and line ending. `text` is the input itself until something
 * changes, so a run with nothing to do hands back the very same string.
 */
export class JsonDoc {
  private source: string;
  private changed = false;

  constructor(readonly file: string, private readonly original: string | undefined) {
    this.source = original?.trim() ? original : '{}\n';
    parseJson(file, this.source);
  }

  get root(): JsonRecord {
    return parseJson(this.file, this.source);
  }

  /** The value at `path`, read afresh after earlier edits. */
  at(path: JSONPath): unknown {
    let v: unknown = this.root;
    for (const k of path) v = Array.isArray(v) && typeof k === 'number' ? v[k] : isRecord(v) && typeof k === 'string' ? v[k] : undefined;
    return v;
  }

  set(path: JSONPath, value: unknown): void {
    if (JSON.stringify(this.at(path)) === JSON.stringify(value)) return;
    const key = path.at(-1);
    const parent = path.slice(0, -1);
    // A member missing from a missing object: add the object with the member in it, by the same rules.
    if (typeof key === 'string' && path.length > 1 && this.at(parent) === undefined) return this.set(parent, { [key]: value });
    if (typeof key === 'string' && this.at(path) === undefined && isRecord(this.at(parent)) && this.insertAfterLast(parent, `${JSON.stringify(key)}: `, value)) return;
    if (this.at(path) !== undefined && this.replace(path, value)) return;
    this.apply(path, value, false);
  }

  /** Puts `value` in place of the value at `path`, in the style of its line (jsonc-parser would reformat the whole line). */
  private replace(path: JSONPath, value: unknown): boolean {
    const node = findNodeAtLocation(parseTree(this.source) ?? { type: 'null', offset: 0, length: 0 }, path);
    if (!node) return false;
    const member = node.parent?.type === 'property' ? node.parent : node;
    this.source = this.source.slice(0, node.offset) + this.styled(member.offset, value) + this.source.slice(node.offset + node.length);
    this.changed = true;
    return true;
  }

  /** `value` as JSON for a member starting at `offset`: indented like its line, or on one line if the line holds more before it. */
  private styled(offset: number, value: unknown): string {
    const indent = this.source.slice(this.source.lastIndexOf('\n', offset - 1) + 1, offset);
    if (indent.trim() !== '') return JSON.stringify(value);
    const eol = this.source.includes('\r\n') ? '\r\n' : '\n';
    const { insertSpaces, tabSize } = indentOf(this.source);
    return JSON.stringify(value, null, insertSpaces ? ' '.repeat(tabSize) : '\t').replace(/\n/g, eol + indent);
  }

  /**
   * Appends `value` to the array at `path` (creating the array if there is none). Written by
   * hand after the last element, indented like it: jsonc-parser would reformat that element's
   * whole line, and the user's one-line entries should stay one line.
   */
  append(path: JSONPath, value: unknown): void {
    if (!Array.isArray(this.at(path))) return this.set(path, [value]);
    if (!this.insertAfterLast(path, '', value)) this.apply([...path, -1], value, true);
  }

  /**
   * Writes `prefix` + `value` after the last member of the container at `path`: on a line of
   * its own indented like that member, or on the same line when the container is written on
   * one line; false (nothing done) when the container is empty.
   */
  private insertAfterLast(path: JSONPath, prefix: string, value: unknown): boolean {
    const container = findNodeAtLocation(parseTree(this.source) ?? { type: 'null', offset: 0, length: 0 }, path);
    const last = container?.children?.at(-1);
    if (!last) return false;
    const indent = this.source.slice(this.source.lastIndexOf('\n', last.offset - 1) + 1, last.offset);
    const at = last.offset + last.length;
    const eol = this.source.includes('\r\n') ? '\r\n' : '\n';
    // A container written on one line stays on one line.
    const added = indent.trim() !== '' ? `, ${prefix}${JSON.stringify(value)}` : `,${eol}${indent}${prefix}${this.styled(last.offset, value)}`;
    this.source = this.source.slice(0, at) + added + this.source.slice(at);
    this.changed = true;
    return true;
  }

  /**
   * Removes the member or element at `path`, cutting its text and one separator by hand (like
   * `append`, so the neighbours' formatting stays); the only member of its container is left to
   * jsonc-parser, which tidies the brackets.
   */
  remove(path: JSONPath): void {
    if (this.at(path) === undefined) return;
    const node = findNodeAtLocation(parseTree(this.source) ?? { type: 'null', offset: 0, length: 0 }, path);
    const item = node?.parent?.type === 'property' ? node.parent : node;
    const siblings = item?.parent?.children ?? [];
    const i = item ? siblings.indexOf(item) : -1;
    if (!item || i < 0 || siblings.length < 2) return this.apply(path, undefined, false);
    const [from, to] = i > 0 ? [siblings[i - 1].offset + siblings[i - 1].length, item.offset + item.length] : [item.offset, siblings[1].offset];
    this.source = this.source.slice(0, from) + this.source.slice(to);
    this.changed = true;
  }

  /** The edited text (the original, byte for byte, if nothing changed). */
  get text(): string {
    if (!this.changed && this.original !== undefined) return this.original;
    const eol = this.source.includes('\r\n') ? '\r\n' : '\n';
    return this.source.endsWith(eol) ? this.source : this.source + eol;
  }

  private apply(path: JSONPath, value: unknown, isArrayInsertion: boolean): void {
    const eol = this.source.includes('\r\n') ? '\r\n' : '\n';
    const edits = modify(this.source, path, value, { formattingOptions: { ...indentOf(this.source), eol }, isArrayInsertion });
    this.source = applyEdits(this.source, edits);
    this.changed = true;
  }
}
