/**
 * Symbol claims as agents live them: real MCP clients on `peermesh mcp` (alice and bob) in one
 * git repository, one `peermesh serve` broker (the bundle, with the tree-sitter files it ships),
 * a plain process that moves a function on disk the way an agent's edit tool writes (a temporary
 * file renamed over the old one), and `peermesh lock path#Symbol` from the terminal.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PeerClient } from '../../src/client/peer';
import type { Lock } from '../../src/protocol/entities';
import { sleep, spawnCli } from './harness';
import { Agent } from './mcp-agent';
import { runProcess } from './run-process';
import { withBroker, type ProcessBrokerFixture } from './with-broker';

const fixture = path.join(__dirname, '../fixtures/symbols/auth.ts');

/** The edit: a separate Node process moves lines `from`..`to` to the end of the file, through a temporary file renamed over it. */
async function moveToEndOnDisk(file: string, from: number, to: number): Promise<void> {
  const script = `
    const fs = require('node:fs');
    const [file, from, to] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
    const lines = fs.readFileSync(file, 'utf8').replace(/\\n$/, '').split('\\n');
    const block = lines.splice(from - 1, to - from + 1);
    fs.writeFileSync(file + '.tmp', [...lines, '', ...block].join('\\n') + '\\n');
    fs.renameSync(file + '.tmp', file);`;
  const r = await runProcess(process.execPath, ['-e', script, file, String(from), String(to)], { cwd: path.dirname(file), env: process.env });
  assert.equal(r.code, 0, r.stderr);
}

/** Asks until the claim on `symbol` is at `range` (the broker follows the disk on its own time). */
async function claimAt(obs: PeerClient, symbol: string, range: [number, number]): Promise<Lock> {
  for (;;) {
    const lock = (await obs.request('locks/list', {})).locks.find((l) => l.symbol === symbol);
    if (lock && lock.startLine === range[0] && lock.endLine === range[1]) return lock;
    await sleep(50);
  }
}

async function twoAgents(m: ProcessBrokerFixture): Promise<{ project: string; file: string; alice: Agent; bob: Agent }> {
  const project = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pm-symbols-')));
  m.defer(() => rmSync(project, { recursive: true, force: true }));
  execFileSync('git', ['init', '-q', '-b', 'main', project]);
  const file = path.join(project, 'auth.ts');
  copyFileSync(fixture, file);
  const join = async (name: string) => {
    const agent = await Agent.start('claude-code', { ...m.env, PEERMESH_NAME: name }, project);
    m.defer(() => agent.close());
    return agent;
  };
  const [alice, bob] = await Promise.all([join('alice'), join('bob')]);
  return { project, file, alice, bob };
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
    const moved = await claimAt(obs, 'parseConfig', [50, 53]);
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
