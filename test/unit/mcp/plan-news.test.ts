/**
 * The plan in every result's pending news, through real MCP clients over a real broker: the
 * task an agent holds as one short line on every result, tasks newly assigned to it once each
 * (capped), and `plan/mine` asked only when something may have changed them: a change of the
 * agent's own through its tools, or another peer's plan event about its tasks. Requests are
 * counted on the agent's real peer client.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PeerClient } from '../../../src/client/peer';
import type { EventType } from '../../../src/protocol/entities';
import { twoAgents, type Agent, type TwoAgents } from './in-memory-agent';
import { bigPlan, signIn } from './plan-fixture';

/** Counts the `plan/mine` requests an agent's session makes from now on. */
function countMine(agent: Agent): { count: number } {
  const counter = { count: 0 };
  const peer = agent.peer as unknown as { request: (m: string, ...rest: unknown[]) => Promise<unknown> };
  const request = peer.request.bind(peer);
  peer.request = (method, ...rest) => {
    if (method === 'plan/mine') counter.count++;
    return request(method, ...rest);
  };
  return counter;
}

/** Resolves once `agent`'s peer has been pushed an event of `type` (its session has applied it by then). */
function pushed(agent: Agent, type: EventType): Promise<void> {
  return new Promise((resolve) => {
    const off = agent.peer.onEvent((e) => {
      if (e.type !== type) return;
      off();
      resolve();
    });
  });
}

const pendingLines = (text: string) => text.slice(text.lastIndexOf('pending:')).split('\n');

describe('mcp: the plan in the pending news', function () {
  this.timeout(30_000);
  let mesh: TwoAgents;
  let alice: Agent;
  let bob: Agent;
  let bobMine: { count: number };

  before(async () => {
    mesh = await twoAgents('pm-plannews-');
    ({ alice, bob } = mesh);
    await alice.ok('mesh_plan', { action: 'submit', plan: signIn });
    bobMine = countMine(bob);
  });

  after(async () => {
    await mesh?.close();
  });

  it('asks once after joining, then not again while nothing about its tasks happens', async () => {
    assert.deepEqual(pendingLines((await bob.ok('mesh_whoami')).text), ['pending: none']);
    assert.equal(bobMine.count, 1);
    const claimed = pushed(bob, 'task_claimed');
    await alice.ok('mesh_task', { action: 'claim', task: 'login-form' });
    await claimed;
    await bob.ok('mesh_whoami');
    await bob.ok('mesh_peers');
    assert.equal(bobMine.count, 1, 'another peer claiming another task is not bob\'s news');
  });

  it('the task it holds: one short line on every result, asked once after its own claim', async () => {
    const claim = await bob.ok('mesh_task', { action: 'claim', task: 'login-route' });
    assert.equal(bobMine.count, 2);
    assert.deepEqual(pendingLines(claim.text), ['pending: none', 'your task: login-route (in_progress)']);
    await new Promise((r) => setTimeout(r, 50)); // its own task_claimed push arrives: nothing to ask
    for (let i = 0; i < 3; i++) {
      const r = await bob.ok('mesh_whoami');
      assert.deepEqual(pendingLines(r.text), ['pending: none', 'your task: login-route (in_progress)']);
      assert.deepEqual((r.data.pending as Record<string, unknown>).tasks, { held: [{ id: 'login-route', status: 'in_progress' }] });
    }
    assert.equal(bobMine.count, 2, 'held tasks come from memory');
  });

  it('a task another peer gives it: a line on the next result, once, with the call that takes it', async () => {
    const assigned = pushed(bob, 'task_updated');
    await alice.ok('mesh_task', { action: 'update', task: 'e2e', assignee: 'bob' });
    await assigned;
    const first = await bob.ok('mesh_whoami');
    assert.deepEqual(pendingLines(first.text), [
      'pending: none',
      'your task: login-route (in_progress)',
      'new task for you: e2e "End-to-end test" (todo, from alice) → mesh_task action="claim" task="e2e"',
    ]);
    assert.deepEqual((first.data.pending as { tasks: unknown }).tasks, {
      held: [{ id: 'login-route', status: 'in_progress' }], assigned: [{ id: 'e2e', status: 'todo', title: 'End-to-end test', by: 'alice' }],
    });
    assert.equal(bobMine.count, 3);
    assert.deepEqual(pendingLines((await bob.ok('mesh_whoami')).text), ['pending: none', 'your task: login-route (in_progress)'], 'shown once');
    assert.equal(bobMine.count, 3);
  });

  it('done: the held line goes', async () => {
    const done = await bob.ok('mesh_task', { action: 'done', task: 'login-route' });
    assert.deepEqual(pendingLines(done.text), ['pending: none']);
    assert.equal((done.data.pending as Record<string, unknown>).tasks, undefined);
  });

  it('another peer moving its task (the person) is news: the held line follows', async () => {
    const person = await PersonPeer.join(mesh);
    try {
      await bob.ok('mesh_task', { action: 'claim', task: 'e2e', force: 'tests first' });
      const moved = pushed(bob, 'task_updated');
      await person.request('plan/update', { task: 'e2e', status: 'review' });
      await moved;
      assert.deepEqual(pendingLines((await bob.ok('mesh_whoami')).text), ['pending: none', 'your task: e2e (review)']);
    } finally {
      await person.close();
    }
  });

  it('many new tasks at once: five lines, then how many more', async () => {
    mkdirSync(path.join(mesh.dir, 'many'));
    await alice.ok('mesh_plan', { action: 'submit', plan: bigPlan(1, 8), project: 'many' });
    for (let t = 0; t < 8; t++) {
      const assigned = pushed(bob, 'task_updated');
      await alice.ok('mesh_task', { action: 'update', task: `t-0-${t}`, assignee: 'bob', project: 'many' });
      await assigned;
    }
    const lines = pendingLines((await bob.ok('mesh_whoami')).text);
    assert.equal(lines.filter((l) => l.startsWith('new task for you: t-0-')).length, 5);
    assert.match(lines[lines.length - 1], /^and 3 more tasks of yours → mesh_task assignee="me"$/);
    assert.match(lines.find((l) => l.startsWith('new task for you: t-0-0 '))!, new RegExp(`^new task for you: t-0-0 in ${path.join(mesh.dir, 'many').replace(/[/\\]/g, '.')} "Task 0\\.0 \\\\"quoted\\\\" x+" \\(todo, from alice\\) → mesh_task action="claim" task="t-0-0" project=".*many"$`));
  });
});

/** A peer of the person (kind vscode-window): it may move any task. */
const PersonPeer = {
  join: (mesh: TwoAgents) => PeerClient.connect({ home: mesh.home, canHost: false, connectTimeoutMs: 5000, intro: { name: 'person', kind: 'vscode-window', cwd: mesh.dir } }),
};
