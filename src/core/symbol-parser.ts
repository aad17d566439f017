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

  /** The tree of `text` in `grammar`; the caller deletes it. Tree-sitter is error-tolerant: a text with syntax errors still parses. */
  async parse(grammar: Grammar, text: string): Promise<TreeSitter.Tree> {
    let parser = this.parsers.get(grammar);
    if (!parser) {
      const language = await this.ts.Language.load(path.join(this.dir, `tree-sitter-${grammar}.wasm`));
      parser = new this.ts.Parser();
      parser.setLanguage(language);
      this.parsers.set(grammar, parser);
    }
    const tree = parser.parse(text);
    if (!tree) throw new Error(`tree-sitter could not parse the ${grammar} text`);
    return tree;
  }
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
