/**
 * The hook entry runs on every tool call of every agent: its bundle must stay small. This
 * bundles it the way esbuild.mjs does and checks what went in.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import * as esbuild from 'esbuild';

const repo = path.resolve(__dirname, '../../..');

describe('hook: the bundle agents load on every tool call', () => {
  it('loads neither sql.js, nor the MCP SDK, nor zod, nor ws, nor the rest of the CLI', async function () {
    this.timeout(30_000);
    const result = await esbuild.build({
      entryPoints: [path.join(repo, 'src', 'hook', 'main.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20',
      minify: true, write: false, metafile: true, outdir: path.join(repo, 'out', 'hook-bundle-check'), logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    for (const heavy of ['sql.js', '@modelcontextprotocol', 'zod', 'node_modules/ws/', 'vscode-jsonrpc', 'commander', 'src/store/', 'src/mcp/', 'src/cli/']) {
      assert.deepEqual(inputs.filter((i) => i.includes(heavy)), [], `${heavy} is not in the hook bundle`);
    }
    const bytes = result.outputFiles.find((f) => f.path.endsWith('.js'))?.contents.length ?? 0;
    assert.ok(bytes < 60_000, `the hook bundle is ${bytes} bytes`);
  });
});
