/**
 * Claims that follow their code, as two agents live it: real MCP clients on `peermesh mcp`
 * (alice and bob) in one git repository, one `peermesh serve` broker, and a plain process that
 * edits the file on disk the way an agent's edit tool does (write a temporary file, rename it
 * over the old one) and never talks to PeerMesh. Then the same with the broker killed (-9)
 * between the claim and the edit: the broker elected next re-finds the claim's code.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PeerClient } from '../../src/client/peer';
import type { Lock } from '../../src/protocol/entities';
import { sleep } from './harness';
import { Agent } from './mcp-agent';
import { runProcess } from './run-process';
import { withBroker, type ProcessBrokerFixture } from './with-broker';

/** 40 distinct lines of source. */
const original = Array.from({ length: 40 }, (_, i) => `export function step${i + 1}(): number { return ${i + 1}; }`);

/** The edit: a separate Node process inserts `n` lines at the top, through a temporary file renamed over the old one. */
async function insertAtTopOnDisk(file: string, n: number): Promise<void> {
  const script = `
    const fs = require('node:fs');
    const [file, n] = [process.argv[1], Number(process.argv[2])];
    const top = Array.from({ length: n }, (_, i) => '// inserted ' + (i + 1)).join('\\n') + '\\n';
    fs.writeFileSync(file + '.tmp', top + fs.readFileSync(file, 'utf8'));
    fs.renameSync(file + '.tmp', file);`;
  const r = await runProcess(process.execPath, ['-e', script, file, String(n)], { cwd: path.dirname(file), env: process.env });
  assert.equal(r.code, 0, r.stderr);
}

/** Asks until alice's one claim is at `range` (the broker follows the disk on its own time). */
async function claimAt(obs: PeerClient, range: [number, number]): Promise<Lock> {
  for (;;) {
    const [lock] = (await obs.request('locks/list', {})).locks;
    if (lock && lock.startLine === range[0] && lock.endLine === range[1]) return lock;
    await sleep(50);
  }
}

async function twoAgents(m: ProcessBrokerFixture): Promise<{ project: string; file: string; alice: Agent; bob: Agent }> {
  const project = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pm-follow-')));
  m.defer(() => rmSync(project, { recursive: true, force: true }));
  execFileSync('git', ['init', '-q', '-b', 'main', project]);
  const file = path.join(project, 'steps.ts');
  writeFileSync(file, `${original.join('\n')}\n`);
  const join = async (name: string) => {
    const agent = await Agent.start('claude-code', { ...m.env, PEERMESH_NAME: name }, project);
    m.defer(() => agent.close());
    return agent;
  };
  const [alice, bob] = await Promise.all([join('alice'), join('bob')]);
  return { project, file, alice, bob };
}

/** After the edit: alice's claim is at 15–25, bob's claim of 15–25 conflicts and 1–14 is free. */
async function afterTheEdit(obs: PeerClient, bob: Agent): Promise<void> {
  const moved = await claimAt(obs, [15, 25]);
  assert.equal(moved.holderName, 'alice');
  assert.equal(moved.anchorLost, undefined);
  const refused = await bob.call('mesh_lock', { action: 'acquire', path: 'steps.ts', startLine: 15, endLine: 25 });
  assert.equal(refused.isError, true);
  assert.match(refused.text, /alice/);
  const free = await bob.ok('mesh_lock', { action: 'acquire', path: 'steps.ts', startLine: 1, endLine: 14 });
  assert.match(free.text, /steps\.ts:1-14/);
}

describe('claims follow their code through edits on disk', function () {
  this.timeout(120_000);

  it('a plain process inserts 5 lines above alice\'s claim of 10–20: it is at 15–25 for everyone', () => withBroker(async (m) => {
    const { file, alice, bob } = await twoAgents(m);
    await alice.ok('mesh_lock', { action: 'acquire', path: 'steps.ts', startLine: 10, endLine: 20, reason: 'rework steps' });
    const obs = await m.observer();
    await insertAtTopOnDisk(file, 5);
    await afterTheEdit(obs, bob);
    const { events } = await obs.request('events/read', { since: 0, types: ['lock_moved'] });
    assert.deepEqual(events.map((e) => e.type === 'lock_moved' && [e.data.from, e.data.startLine, e.data.endLine]), [[{ startLine: 10, endLine: 20 }, 15, 25]]);
  }));

  it('the same with the broker killed (-9) between the claim and the edit', () => withBroker(async (m) => {
    const { file, alice, bob } = await twoAgents(m);
    await alice.ok('mesh_lock', { action: 'acquire', path: 'steps.ts', startLine: 10, endLine: 20, reason: 'rework steps' });
    m.broker.kill('SIGKILL');
    await m.broker.exited;
    await insertAtTopOnDisk(file, 5);
    // The agents' bridges elect a new broker among themselves; the claim survived in the store.
    const obs = await m.observer();
    await afterTheEdit(obs, bob);
  }));
});
