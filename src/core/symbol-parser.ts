/**
 * The tree-sitter runtime and the grammars, loaded once per process and only when a symbol is
 * first asked for or followed: the CLI and the hooks never pay for them.
 *
 * The bundles ship the runtime and the grammars in `tree-sitter/` beside themselves (see
 * esbuild.mjs); run from source, they come from the `@vscode/tree-sitter-wasm` package.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type * as TreeSitter from '@vscode/tree-sitter-wasm';

/** The grammars shipped, by file extension. */
export const grammarOf: Readonly<Record<string, Grammar>> = {
  '.ts': 'typescript', '.mts': 'typescript', '.cts': 'typescript',
  // The tsx grammar is TypeScript with JSX: it reads .jsx too.
  '.tsx': 'tsx', '.jsx': 'tsx',
  '.js': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript',
  '.py': 'python', '.pyi': 'python',
  '.go': 'go',
  '.rs': 'rust',
  '.java': 'java',
};

export type Grammar = 'typescript' | 'tsx' | 'javascript' | 'python' | 'go' | 'rust' | 'java';

/** The grammar for `file` by its extension, or undefined when none is shipped. */
export function grammarFor(file: string): Grammar | undefined {
  return Object.hasOwn(grammarOf, path.extname(file).toLowerCase()) ? grammarOf[path.extname(file).toLowerCase()] : undefined;
}

/** Parses texts into syntax trees, one parser per grammar (a parser is reused; parsing is synchronous). */
export class SyntaxParsers {
  private readonly parsers = new Map<Grammar, TreeSitter.Parser>();

  constructor(private readonly ts: typeof TreeSitter, private readonly dir: string) {}

  /** A query in `language`'s node types (one of this runtime's languages). */
  readonly newQuery = (language: TreeSitter.Language, source: string): TreeSitter.Query => new this.ts.Query(language, source);

  /** Loads `grammar`'s parser (once), for `parse`. */
  async load(grammar: Grammar): Promise<void> {
    if (this.parsers.has(grammar)) return;
    const language = await this.ts.Language.load(path.join(this.dir, `tree-sitter-${grammar}.wasm`));
    if (this.parsers.has(grammar)) return;
    const parser = new this.ts.Parser();
    parser.setLanguage(language);
    this.parsers.set(grammar, parser);
  }

  /**
   * The tree of `text` in `grammar` (loaded first); the caller deletes it. Tree-sitter is
   * error-tolerant: a text with syntax errors still parses. Given the tree of an earlier text
   * (`was`, which the caller still owns), only what changed is parsed again: an edit to a
   * 50,000-line file takes milliseconds instead of a second.
   */
  parse(grammar: Grammar, text: string, was?: { text: string; tree: TreeSitter.Tree }): TreeSitter.Tree {
    const parser = this.parsers.get(grammar);
    if (!parser) throw new Error(`the ${grammar} grammar is not loaded`);
    let old: TreeSitter.Tree | null = null;
    const edit = was && textEdit(was.text, text);
    if (was && edit) {
      old = was.tree.copy();
      old.edit(edit);
    }
    let tree: TreeSitter.Tree | null;
    try {
      tree = parser.parse(text, old);
    } finally {
      old?.delete();
    }
    if (!tree) throw new Error(`tree-sitter could not parse the ${grammar} text`);
    return tree;
  }
}

/**
 * The one edit that turns `before` into `after` (the span between their common start and
 * common end) in tree-sitter's terms: UTF-16 offsets, rows and columns. Undefined when they are
 * the same text. A span is never cut inside a surrogate pair.
 */
export function textEdit(before: string, after: string): TreeSitter.Edit | undefined {
  if (before === after) return undefined;
  const shorter = Math.min(before.length, after.length);
  let start = 0;
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
  let tail = 0;
  while (tail < shorter - start && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  if (tail > 0 && isHighSurrogate(before.charCodeAt(before.length - 1 - tail))) tail--;
  const startPosition = pointAt(before, start);
  return {
    startIndex: start, oldEndIndex: before.length - tail, newEndIndex: after.length - tail,
    startPosition, oldEndPosition: pointAt(before, before.length - tail, start, startPosition), newEndPosition: pointAt(after, after.length - tail, start, startPosition),
  };
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** The row and column (in UTF-16 units) of `index` in `text`, counting on from `from` (at `fromPoint`). */
function pointAt(text: string, index: number, from = 0, fromPoint: TreeSitter.Point = { row: 0, column: 0 }): TreeSitter.Point {
  let row = fromPoint.row;
  let lineStart = from - fromPoint.column;
  for (let nl = text.indexOf('\n', from); nl !== -1 && nl < index; nl = text.indexOf('\n', nl + 1)) {
    row++;
    lineStart = nl + 1;
  }
  return { row, column: index - lineStart };
}

let loaded: Promise<SyntaxParsers> | undefined;

/** The parsers of this process, loading the runtime the first time. */
export function syntaxParsers(): Promise<SyntaxParsers> {
  loaded ??= load().catch((e: unknown) => {
    loaded = undefined; // a failed load is tried again next time
    throw e;
  });
  return loaded;
}

async function load(): Promise<SyntaxParsers> {
  const beside = path.join(__dirname, 'tree-sitter');
  const dir = existsSync(path.join(beside, 'tree-sitter.js')) ? beside : path.dirname(require.resolve('@vscode/tree-sitter-wasm'));
  // Required by path at run time, so that no bundle carries the runtime's code.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require(path.join(dir, 'tree-sitter.js')) as typeof TreeSitter;
  await ts.Parser.init({ locateFile: (file: string) => path.join(dir, file) });
  return new SyntaxParsers(ts, dir);
}
