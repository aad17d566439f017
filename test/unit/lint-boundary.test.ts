import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import path from 'node:path';

// The layering rule of STYLE.md §1 is enforced by eslint; this proves the rule bites.
describe('lint: vscode stays out of the pure layers', () => {
  const root = path.resolve(__dirname, '../..');
  const eslint = new ESLint({ cwd: root });

  for (const folder of ['core', 'store', 'protocol', 'home', 'broker', 'client', 'mcp', 'cli']) {
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

describe('lint: the layers import one way', () => {
  const root = path.resolve(__dirname, '../..');
  const eslint = new ESLint({ cwd: root });
  // What each layer may import, stated here on its own so a change to the rule must be made twice.
  const layers: Record<string, string[]> = {
    protocol: [],
    home: ['protocol'],
    core: ['protocol'],
    store: ['protocol', 'core', 'home'],
    broker: ['protocol', 'core', 'home', 'store'],
    client: ['protocol', 'core', 'home', 'store', 'broker'],
    mcp: ['protocol', 'core', 'client'],
    cli: ['protocol', 'core', 'home', 'store', 'broker', 'client', 'mcp'],
    vscode: ['protocol', 'core', 'home', 'store', 'broker', 'client', 'mcp'],
  };
  const names = Object.keys(layers);

  const restricted = async (layer: string, from: string, depth = 1) => {
    const [result] = await eslint.lintText(`import { x } from '${'../'.repeat(depth)}${from}/x';\nexport const y = x;\n`, {
      filePath: path.join(root, 'src', layer, ...Array<string>(depth - 1).fill('sub'), 'probe.ts'),
    });
    return result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports');
  };

  for (const layer of names) {
    it(`src/${layer} may import ${layers[layer].join(', ') || 'no other layer'}, and nothing else`, async () => {
      for (const other of names.filter((n) => n !== layer)) {
        const allowed = layers[layer].includes(other);
        const found = await restricted(layer, other);
        assert.equal(found.length, allowed ? 0 : 1, `src/${layer} importing ${other}: ${JSON.stringify(found)}`);
      }
    });
  }

  it('also from a sub-folder (src/mcp/tools importing ../../cli)', async () => {
    assert.equal((await restricted('mcp', 'cli', 2)).length, 1);
    assert.equal((await restricted('mcp', 'client', 2)).length, 0);
  });

  it('the pure core cannot reach up to the store, the broker or the editor', async () => {
    for (const other of ['store', 'broker', 'client', 'mcp', 'cli', 'vscode', 'home']) {
      assert.equal((await restricted('core', other)).length, 1, other);
    }
  });
});
