import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/ and what each may import (STYLE.md §1, DESIGN.md §2): only layers listed
 * here, so imports run one way. `home` is the mesh home (paths, secret, broker.json, atomic
 * files, the launcher); a client may host a broker on fail-over; the CLI and the extension sit
 * on top. test/unit/lint-boundary.test.ts proves the rule bites.
 */
const layers = {
  protocol: [],
  home: ['protocol'],
  core: ['protocol'],
  store: ['protocol', 'core', 'home'],
  broker: ['protocol', 'core', 'home', 'store'],
  client: ['protocol', 'core', 'home', 'store', 'broker'],
  mcp: ['protocol', 'core', 'client'],
  lsp: ['protocol', 'core', 'client'],
  cli: ['protocol', 'core', 'home', 'store', 'broker', 'client', 'mcp', 'lsp'],
  vscode: ['protocol', 'core', 'home', 'store', 'broker', 'client', 'mcp'],
};

// Only src/vscode may import `vscode` as a value (STYLE.md §1); type-only imports are fine.
const noVscode = { name: 'vscode', message: 'Only src/vscode/ may import vscode. Use `import type` or move this to an adapter.', allowTypeImports: true };

const layerRules = Object.entries(layers).map(([layer, allowed]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    '@typescript-eslint/no-restricted-imports': ['error', {
      paths: layer === 'vscode' ? [] : [noVscode],
      patterns: Object.keys(layers)
        .filter((other) => other !== layer && !allowed.includes(other))
        .map((other) => ({
          regex: `^(\\.\\./)+${other}/`,
          message: `src/${layer} may import only from ${allowed.length ? allowed.join(', ') : 'no other layer'} (layers run one way; see eslint.config.mjs).`,
        })),
    }],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.test-artifacts/**', '.vscode-test/**', 'test/fixtures/symbols/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  ...layerRules,
  {
    // The CLI and the scripts talk to a terminal.
    files: ['src/cli/**/*.ts', 'scripts/**', 'test/**', 'esbuild.mjs'],
    rules: { 'no-console': 'off' },
  },
  {
    // Test-only extensions VS Code loads as they are: plain CommonJS, no build step.
    files: ['test/vscode/fixtures/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.mjs', '**/*.cjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } } },
);
