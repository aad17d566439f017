import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Only src/vscode may import `vscode` as a value (STYLE.md §1); type-only imports are fine.
const noVscode = {
  '@typescript-eslint/no-restricted-imports': ['error', {
    paths: [{ name: 'vscode', message: 'Only src/vscode/ may import vscode. Use `import type` or move this to an adapter.', allowTypeImports: true }],
  }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.test-artifacts/**', '.vscode-test/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['src/{core,store,protocol,broker,client,mcp,cli}/**/*.ts'],
    rules: noVscode,
  },
  {
    // The CLI and the scripts talk to a terminal.
    files: ['src/cli/**/*.ts', 'scripts/**', 'test/**', 'esbuild.mjs'],
    rules: { 'no-console': 'off' },
  },
  { files: ['**/*.mjs', '**/*.cjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' } } },
);
