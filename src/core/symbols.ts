/**
 * Symbols by name: `AuthService.refresh` in a file's text, to the lines it spans now.
 *
 * A name is the declaration's dotted name (symbol-outline.ts), matched exactly. Several
 * declarations of one name (overloads, a Rust type and its impl blocks) are one symbol: the
 * lines from the first one's start to the last one's end.
 */
import path from 'node:path';
import { BrokerError } from '../protocol/errors';
import { checkSymbolName } from './paths';
import { printable } from './printable';
import { contentHash } from './reanchor';
import { outline, type Declaration } from './symbol-outline';
import type { Tree } from '@vscode/tree-sitter-wasm';
import { grammarFor, grammarOf, syntaxParsers, type Grammar } from './symbol-parser';

/** Close matches named, at most, when a symbol is not found. */
const matchesShown = 5;

/**
 * The last outlines made, by file and content hash: an edit re-resolves every symbol claim on a
 * file from one parse, and claims taken after it (several symbols of one file, one by one) reuse it.
 */
const outlines = new Map<string, { hash: string; declarations: Declaration[] }>();
const outlinesKept = 16;

/**
 * The last syntax trees, by file, with the text each is of: the next text of a file (an edit
 * of a file with symbol claims) is parsed from its last tree, only what changed parsed again.
 * Few are kept: a tree lives in the parser's memory, tens of megabytes for a large file.
 */
const trees = new Map<string, { grammar: Grammar; text: string; tree: Tree }>();
const treesKept = 4;

/** The declarations of `text` (the file `file`'s), or undefined when no grammar reads its extension. */
export async function declarationsIn(file: string, text: string): Promise<Declaration[] | undefined> {
  const grammar = grammarFor(file);
  if (!grammar) return undefined;
  const parsers = await syntaxParsers();
  await parsers.load(grammar);
  // From here on nothing waits: no other call can use or drop the file's last tree meanwhile.
  const hash = contentHash(text);
  const kept = outlines.get(file);
  if (kept?.hash === hash) return kept.declarations;
  const last = trees.get(file);
  const tree = parsers.parse(grammar, text, last?.grammar === grammar ? last : undefined);
  last?.tree.delete();
  trees.delete(file);
  remember(trees, file, { grammar, text, tree }, treesKept)?.tree.delete();
  const declarations = outline(grammar, tree.rootNode, parsers.newQuery);
  remember(outlines, file, { hash, declarations }, outlinesKept);
  return declarations;
}

/** Sets `map[key]` as its newest entry, dropping (and returning) the oldest beyond `kept`. */
function remember<V>(map: Map<string, V>, key: string, value: V, kept: number): V | undefined {
  map.delete(key);
  map.set(key, value);
  if (map.size <= kept) return undefined;
  const [oldest, dropped] = map.entries().next().value!;
  map.delete(oldest);
  return dropped;
}

/** The lines `name` spans among `declarations`, or undefined when none has that name. */
export function findSymbol(declarations: readonly Declaration[], name: string): Declaration | undefined {
  const same = declarations.filter((d) => d.name === name);
  if (same.length === 0) return undefined;
  return { name, startLine: Math.min(...same.map((d) => d.startLine)), endLine: Math.max(...same.map((d) => d.endLine)) };
}

/**
 * The lines of symbol `name` in `text`: `invalidInput` for a name that cannot be one or a file
 * no grammar reads, `notFound` naming close matches (also in `data.closeMatches`).
 */
export async function resolveSymbol(file: string, relPath: string, text: string, name: string): Promise<Declaration> {
  checkSymbolName(name);
  const declarations = await declarationsIn(file, text);
  if (!declarations) {
    const ext = path.extname(file) || 'no extension';
    throw new BrokerError('invalidInput',
      `symbols can be claimed in ${Object.keys(grammarOf).join(' ')} files; ${printable(relPath)} has ${ext}: claim its lines instead`);
  }
  const found = findSymbol(declarations, name);
  if (found) return found;
  const close = closeMatches(declarations.map((d) => d.name), name);
  const hint = close.length > 0 ? `close matches: ${close.join(', ')}` : declarations.length === 0 ? 'it declares no symbols'
    : `it declares ${[...new Set(declarations.filter((d) => !d.name.includes('.')).map((d) => d.name))].slice(0, matchesShown * 2).join(', ')}`;
  throw new BrokerError('notFound', `no symbol ${printable(name)} in ${printable(relPath)}; ${hint}`, { closeMatches: close });
}

/**
 * Names like `name`, closest first: those ending in its last part (`refresh` for
 * `Auth.refresh`), and those a few edits away (a third of its last part's length), case aside.
 */
export function closeMatches(names: readonly string[], name: string): string[] {
  const want = name.toLowerCase();
  const tail = want.split('.').pop()!;
  const scored: Array<[string, number]> = [];
  for (const candidate of new Set(names)) {
    const lower = candidate.toLowerCase();
    const distance = editDistance(lower, want);
    const sameTail = lower.split('.').pop() === tail;
    if (sameTail || distance <= Math.max(2, Math.floor(tail.length / 3))) scored.push([candidate, sameTail ? Math.min(distance, 1) : distance]);
  }
  return scored.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).slice(0, matchesShown).map(([n]) => n);
}

/** Levenshtein distance between `a` and `b`. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length];
}
