/**
 * Claims that follow their code, as two agents live it: real MCP clients on `peermesh mcp`
 * (alice and bob) in one git repository, one `peermesh serve` broker, and a plain process that
 * edits the file on disk the way an agent's edit tool does (write a temporary file, rename it
 * over the old one) and never talks to PeerMesh. Then the same with the broker killed (-9)
 * between the claim and the edit: the broker elected next re-finds the claim's code.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { PeerClient } from '../../src/client/peer';
import { agentsInRepo, claimAt, rewriteOnDisk, type AgentsInRepo } from './agents-in-repo';
import type { Agent } from './mcp-agent';
import { withBroker, type ProcessBrokerFixture } from './with-broker';

/** 40 distinct lines of source. */
const original = Array.from({ length: 40 }, (_, i) => `export function step${i + 1}(): number { return ${i + 1}; }`);

/** The edit: `n` lines inserted at the top, on disk, by another program. */
function insertAtTopOnDisk(file: string, n: number): Promise<void> {
  return rewriteOnDisk(file, `(lines, n) => [...Array.from({ length: n }, (_, i) => '// inserted ' + (i + 1)), ...lines]`, n);
}

/** Alice and bob in a repository holding steps.ts. */
async function twoAgents(m: ProcessBrokerFixture): Promise<AgentsInRepo & { file: string }> {
  const agents = await agentsInRepo(m, { 'steps.ts': `${original.join('\n')}\n` });
  return { ...agents, file: path.join(agents.project, 'steps.ts') };
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
