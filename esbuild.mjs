// One build for everything that ships: the extension host bundle, the `peermesh` CLI, the
// dashboard webview; and, with --tests, the test suite and the bench that run inside VS Code.
//   node esbuild.mjs [--production] [--watch] [--tests]
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const require = createRequire(import.meta.url);

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  legalComments: 'none',
  logLevel: 'warning',
};

const node = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // vscode is provided by the editor; the optional native ws helpers are not used.
  external: ['vscode', 'bufferutil', 'utf-8-validate', '@vscode/tree-sitter-wasm'],
};

const builds = [
  { ...node, entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js' },
  // vscode-languageclient, loaded by the window only once it starts the lock language server.
  { ...node, entryPoints: ['src/vscode/mesh/languageClientLibrary.ts'], outfile: 'dist/languageclient.js' },
  // `peermesh`: a tiny dispatcher, the full CLI, and the hook entry agents run on every tool
  // call (kept small: no sql.js, no MCP SDK, no schemas; see src/hook/main.ts).
  { ...node, entryPoints: ['src/cli/bin.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/main.js' },
  { ...node, entryPoints: ['src/hook/main.ts'], outfile: 'dist/hook.js', minify: true },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    entryPoints: ['webview-ui/src/main.tsx'],
    outfile: 'dist/webview/dashboard.js',
    jsx: 'automatic',
    jsxImportSource: 'preact',
  },
];

if (args.has('--tests')) {
  builds.push({
    ...node,
    entryPoints: ['test/vscode/suite/index.ts'],
    outfile: 'out/test/vscode/suite/index.js',
    external: [...node.external, 'mocha'],
  }, {
    ...node,
    entryPoints: ['test/vscode/bench/index.ts'],
    outfile: 'out/test/vscode/bench/index.js',
  }, {
    // Agents on a plan, for the Plan view's screenshots (test/vscode/plan-screenshots.mjs).
    ...node,
    entryPoints: ['test/vscode/planPeers.ts'],
    outfile: 'out/test/vscode/plan-peers.js',
  }, {
    // Agents in a debate, for the Debates view's screenshots (test/vscode/debate-screenshots.mjs).
    ...node,
    entryPoints: ['test/vscode/debatePeers.ts'],
    outfile: 'out/test/vscode/debate-peers.js',
  });
}

/** The grammars symbol claims read (src/core/symbol-parser.ts names the same ones). */
const grammars = ['typescript', 'tsx', 'javascript', 'python', 'go', 'rust', 'java'];

function copyAssets() {
  mkdirSync('dist', { recursive: true });
  // The dashboard's icons: codicons' stylesheet and font, linked by the webview's page.
  const codicons = path.dirname(require.resolve('@vscode/codicons/dist/codicon.css'));
  mkdirSync(path.join('dist', 'webview'), { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) copyFileSync(path.join(codicons, file), path.join('dist', 'webview', file));
  const wasm = require.resolve('sql.js/dist/sql-wasm.wasm');
  copyFileSync(wasm, path.join('dist', 'sql-wasm.wasm'));
  // The tree-sitter runtime is not bundled: it is required from here the first time a symbol is
  // asked for, so the bundles that never need it (the CLI's start, the hooks) do not carry it.
  const treeSitter = path.dirname(require.resolve('@vscode/tree-sitter-wasm'));
  mkdirSync(path.join('dist', 'tree-sitter'), { recursive: true });
  for (const file of ['tree-sitter.js', 'tree-sitter.wasm', ...grammars.map((g) => `tree-sitter-${g}.wasm`)]) {
    copyFileSync(path.join(treeSitter, file), path.join('dist', 'tree-sitter', file));
  }
}

copyAssets();
if (args.has('--watch')) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching for changes');
} else {
  const started = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`esbuild: built ${builds.length} bundles in ${Date.now() - started} ms`);
}
