/** mesh_lock's `symbol` argument, through real MCP clients on a real broker and a real file. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { twoAgents, type Agent, type TwoAgents } from './in-memory-agent';

describe('mcp mesh_lock: claims on symbols', function () {
  let mesh: TwoAgents | undefined;
  let alice: Agent;
  let bob: Agent;

  before(async () => {
    mesh = await twoAgents('pm-mcp-symbols-');
    ({ alice, bob } = mesh);
    mkdirSync(path.join(mesh.dir, 'src'));
    copyFileSync(path.join(__dirname, '../../fixtures/symbols/auth.ts'), path.join(mesh.dir, 'src/auth.ts'));
  });

  after(async () => {
    await mesh?.close();
  });

  it('two agents hold disjoint symbols of one file, shown by name and lines', async () => {
    const mine = await alice.ok('mesh_lock', { action: 'acquire', path: 'src/auth.ts', symbol: 'AuthService.refresh', reason: 'token expiry' });
    assert.equal((mine.data.lock as { target: string }).target, 'src/auth.ts#AuthService.refresh (lines 29-33)');
    assert.match(mine.text, /^Locked src\/auth\.ts#AuthService\.refresh \(lines 29-33\)/);
    await bob.ok('mesh_lock', { action: 'acquire', path: 'src/auth.ts', symbol: 'AuthService.login' });
    const listed = await bob.ok('mesh_lock', { action: 'list', path: 'src' });
    assert.deepEqual((listed.data.locks as Array<{ target: string }>).map((l) => l.target),
      ['src/auth.ts#AuthService.refresh (lines 29-33)', 'src/auth.ts#AuthService.login (lines 22-27)']);
  });

  it('the whole file and the class are blocked by the method claims; check says so by name', async () => {
    const whole = await bob.call('mesh_lock', { action: 'acquire', path: 'src/auth.ts' });
    assert.equal(whole.isError, true);
    assert.match(whole.text, /AuthService\.refresh/);
    const check = await bob.ok('mesh_lock', { action: 'check', path: 'src/auth.ts', symbol: 'AuthService' });
    assert.equal(check.data.free, false);
    assert.equal((await bob.ok('mesh_lock', { action: 'check', path: 'src/auth.ts', symbol: 'parseConfig' })).data.free, true);
  });

  it('an unknown symbol names close matches; a symbol with lines is refused', async () => {
    const typo = await bob.call('mesh_lock', { action: 'acquire', path: 'src/auth.ts', symbol: 'AuthService.refesh' });
    assert.equal(typo.isError, true);
    assert.match(typo.text, /no symbol AuthService\.refesh in src\/auth\.ts; close matches: AuthService\.refresh/);
    const both = await bob.call('mesh_lock', { action: 'acquire', path: 'src/auth.ts', symbol: 'parseConfig', startLine: 1 });
    assert.equal(both.isError, true);
    assert.match(both.text, /symbol or startLine\/endLine, not both/);
  });

  it('release by symbol releases that claim only', async () => {
    const released = await alice.ok('mesh_lock', { action: 'release', path: 'src/auth.ts', symbol: 'AuthService.refresh' });
    assert.equal(released.data.released, 1);
    assert.match(released.text, /Released src\/auth\.ts#AuthService\.refresh/);
    const left = await alice.ok('mesh_lock', { action: 'list' });
    assert.deepEqual((left.data.locks as Array<{ target: string }>).map((l) => l.target), ['src/auth.ts#AuthService.login (lines 22-27)']);
  });
});
