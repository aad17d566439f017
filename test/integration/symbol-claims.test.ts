/**
 * Symbol claims as agents live them: real MCP clients on `peermesh mcp` (alice and bob) in one
 * git repository, one `peermesh serve` broker (the bundle, with the tree-sitter files it ships),
 * a plain process that moves a function on disk the way an agent's edit tool writes (a temporary
 * file renamed over the old one), and `peermesh lock path#Symbol` from the terminal.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { agentsInRepo, claimAt, rewriteOnDisk, type AgentsInRepo } from './agents-in-repo';
import { spawnCli } from './harness';
import { withBroker, type ProcessBrokerFixture } from './with-broker';

const fixture = path.join(__dirname, '../fixtures/symbols/auth.ts');

/** The edit: lines `from`..`to` moved to the end of the file, on disk, by another program. */
function moveToEndOnDisk(file: string, from: number, to: number): Promise<void> {
  return rewriteOnDisk(file, '(lines, from, to) => { const block = lines.splice(from - 1, to - from + 1); return [...lines, "", ...block]; }', from, to);
}

/** Alice and bob in a repository holding the TypeScript fixture as auth.ts. */
async function twoAgents(m: ProcessBrokerFixture): Promise<AgentsInRepo & { file: string }> {
  const agents = await agentsInRepo(m, { 'auth.ts': readFileSync(fixture, 'utf8') });
  return { ...agents, file: path.join(agents.project, 'auth.ts') };
}

describe('symbol claims with real agents', function () {
  this.timeout(120_000);

  it('two agents hold disjoint symbols of one file; a whole-file claim is refused', () => withBroker(async (m) => {
    const { alice, bob } = await twoAgents(m);
    const a = await alice.ok('mesh_lock', { action: 'acquire', path: 'auth.ts', symbol: 'AuthService.refresh', reason: 'expiry' });
    assert.match(a.text, /auth\.ts#AuthService\.refresh \(lines 29-33\)/);
    const b = await bob.ok('mesh_lock', { action: 'acquire', path: 'auth.ts', symbol: 'AuthService.login', reason: 'sso' });
    assert.match(b.text, /auth\.ts#AuthService\.login \(lines 22-27\)/);
    const whole = await bob.call('mesh_lock', { action: 'acquire', path: 'auth.ts' });
    assert.equal(whole.isError, true);
    assert.match(whole.text, /alice/);
    const typo = await bob.call('mesh_lock', { action: 'acquire', path: 'auth.ts', symbol: 'AuthService.refesh' });
    assert.match(typo.text, /close matches: AuthService\.refresh/);
  }));

  it('a symbol claim follows its function moved to the end of the file on disk', () => withBroker(async (m) => {
    const { file, alice, bob } = await twoAgents(m);
    await alice.ok('mesh_lock', { action: 'acquire', path: 'auth.ts', symbol: 'parseConfig', reason: 'config format' });
    const obs = await m.observer();
    await moveToEndOnDisk(file, 47, 50);
    // parseConfig now follows isExpired (line 48): lines 50-53.
    const lines = readFileSync(file, 'utf8').split('\n');
    assert.equal(lines[49], 'export function parseConfig(text: string): Record<string, string> {');
    const moved = await claimAt(obs, [50, 53], (l) => l.symbol === 'parseConfig');
    assert.equal(moved.holderName, 'alice');
    assert.equal(moved.anchorLost, undefined);
    const refused = await bob.call('mesh_lock', { action: 'acquire', path: 'auth.ts', startLine: 53, endLine: 53 });
    assert.equal(refused.isError, true);
    assert.ok((await bob.ok('mesh_lock', { action: 'acquire', path: 'auth.ts', symbol: 'isExpired' })).text.includes('(line 48)'));
  }));

  it('peermesh lock path#Symbol claims the symbol from the terminal; peermesh locks shows it by name', () => withBroker(async (m) => {
    const { project } = await twoAgents(m);
    const lock = spawnCli(['lock', 'auth.ts#Audit.record', '--reason', 'audit format'], m.env, project);
    assert.equal(await lock.exited, 0, lock.stderr);
    assert.match(lock.lines.join('\n'), /^locked auth\.ts#Audit\.record \(lines 42-44\) \(#\d+\)/);
    const list = spawnCli(['locks'], m.env, project);
    assert.equal(await list.exited, 0, list.stderr);
    assert.match(list.lines.join('\n'), /auth\.ts#Audit\.record \(lines 42-44\)/);
    const wrong = spawnCli(['lock', 'auth.ts#Audit.recrod'], m.env, project);
    assert.notEqual(await wrong.exited, 0);
    assert.match(wrong.stderr, /close matches: Audit\.record/);
  }));
});
