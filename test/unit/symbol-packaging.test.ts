/** The tree-sitter files symbol claims load ship with the bundles, and stay out of them. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { grammarOf } from '../../src/core/symbol-parser';

const root = path.join(__dirname, '../..');
const build = readFileSync(path.join(root, 'esbuild.mjs'), 'utf8');

describe('symbol claims ship their parser', () => {
  it('the build copies the runtime and every grammar the parser reads into dist/tree-sitter', () => {
    const copied = JSON.parse(/const grammars = (\[[^\]]*\]);/.exec(build)![1].replace(/'/g, '"')) as string[];
    assert.deepEqual(copied.sort(), [...new Set(Object.values(grammarOf))].sort());
    const from = path.dirname(require.resolve('@vscode/tree-sitter-wasm'));
    for (const file of ['tree-sitter.js', 'tree-sitter.wasm', ...copied.map((g) => `tree-sitter-${g}.wasm`)]) assert.ok(existsSync(path.join(from, file)), file);
  });

  it('the bundles require the runtime at run time instead of carrying it', () => {
    assert.match(build, /external: \[[^\]]*'@vscode\/tree-sitter-wasm'/);
  });

  it('.vscodeignore lets dist/tree-sitter into the .vsix', () => {
    const kept = readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n').map((l) => l.trim());
    assert.ok(kept.includes('!dist/tree-sitter/*'));
  });
});
