import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { meshTools } from '../../../src/mcp/tools';
import { instructions } from '../../../src/mcp/server';

// The MCP server registers exactly `meshTools`; a tool defined in a module but left out of the
// catalogue would never reach an agent.
describe('mcp: the tool catalogue', () => {
  const toolsDir = path.resolve(__dirname, '../../../src/mcp/tools');

  it('lists every tool its modules define, once each', () => {
    const defined = fs.readdirSync(toolsDir)
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .flatMap((f) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(path.join(toolsDir, f)) as Record<string, unknown>;
        return Object.entries(mod)
          .filter(([, v]) => typeof v === 'object' && v !== null && 'run' in v && 'name' in v)
          .map(([exported, tool]) => ({ where: `${f}: ${exported}`, tool }));
      });
    assert.ok(defined.length > 0);
    for (const { where, tool } of defined) assert.ok((meshTools as readonly unknown[]).includes(tool), `${where} is not in meshTools (src/mcp/tools/index.ts)`);
    assert.equal(meshTools.length, defined.length, 'meshTools lists something no tool module exports');
  });

  it('names every tool mesh_*, with a description, and no name twice', () => {
    const names = meshTools.map((t) => t.name);
    assert.deepEqual([...new Set(names)], names);
    for (const t of meshTools) {
      assert.match(t.name, /^mesh_[a-z_]+$/);
      assert.ok(t.description.length > 0, t.name);
    }
  });
});

describe('mcp: the instructions', () => {
  it('open with one line that stands alone: claim before editing, and read what results carry', () => {
    const [first, ...rest] = instructions.split('\n');
    assert.match(first, /^PeerMesh: /);
    for (const habit of [/claim the lines with mesh_lock/, /never edit lines another agent holds/, /pending/]) assert.match(first, habit);
    assert.ok(rest.length > 0 && first.length < 300, 'one line, then the details');
  });
});
