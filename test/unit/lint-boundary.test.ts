import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import path from 'node:path';

// The layering rule of STYLE.md §1 is enforced by eslint; this proves the rule bites.
describe('lint: vscode stays out of the pure layers', () => {
  const root = path.resolve(__dirname, '../..');
  const eslint = new ESLint({ cwd: root });

  for (const folder of ['core', 'store', 'protocol', 'broker', 'client', 'mcp', 'cli']) {
    it(`rejects a value import of vscode in src/${folder}`, async () => {
      const [result] = await eslint.lintText("import * as vscode from 'vscode';\nexport const x = vscode;\n", {
        filePath: path.join(root, 'src', folder, 'probe.ts'),
      });
      assert.ok(result.messages.some((m) => m.ruleId === '@typescript-eslint/no-restricted-imports'), JSON.stringify(result.messages));
    });
  }

  it('allows a type-only import of vscode in src/core', async () => {
    const [result] = await eslint.lintText("import type { Uri } from 'vscode';\nexport type X = Uri;\n", {
      filePath: path.join(root, 'src', 'core', 'probe.ts'),
    });
    assert.deepEqual(result.messages.filter((m) => m.ruleId?.includes('restricted')), []);
  });

  it('allows a value import of vscode in src/vscode', async () => {
    const [result] = await eslint.lintText("import * as vscode from 'vscode';\nexport const x = vscode;\n", {
      filePath: path.join(root, 'src', 'vscode', 'probe.ts'),
    });
    assert.deepEqual(result.messages.filter((m) => m.ruleId?.includes('restricted')), []);
  });
});
