import assert from 'node:assert/strict';
import { meshDefaults } from '../../../src/core/context';
import { type Harness } from './helpers';
import { eventsOf, planInRepo } from './plan-helpers';

describe('core/plan: tasks of gone assignees', () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  let repo: string;

  beforeEach(async () => {
    ({ h, alice, bob, repo } = await planInRepo());
    await h.mesh.plans.claim(bob, undefined, 'schema');
    await h.mesh.plans.update(bob, undefined, 'endpoint', { status: 'blocked', note: 'needs the schema' });
    await h.mesh.plans.claim(bob, undefined, 'form', 'its endpoint is mocked');
    await h.mesh.plans.update(bob, undefined, 'form', { status: 'review' });
  });

  afterEach(() => h.mesh.dispose());

  const dueAt = () => h.db.transaction((tx) => h.mesh.plans.nextExpiry(tx));
  const statuses = async () => (await h.mesh.plans.tasks(alice, undefined, {})).map((t) => [t.id, t.status, t.assigneeName, t.note]);

  it('a disconnected assignee keeps its tasks through the grace period; after it, in progress goes back to todo and blocked loses its assignee', async () => {
    await h.mesh.peers.disconnected(bob);
    await h.timers.advance(meshDefaults.graceMs - 1);
    assert.deepEqual(await statuses(), [
      ['schema', 'in_progress', 'bob', null], ['endpoint', 'blocked', 'bob', 'needs the schema'], ['form', 'review', 'bob', null],
    ]);
    assert.deepEqual(await eventsOf(h.mesh, 'task_released'), []);
    await h.timers.advance(1);
    assert.deepEqual(await statuses(), [
      ['schema', 'todo', null, null], ['endpoint', 'blocked', null, 'needs the schema'], ['form', 'review', 'bob', null],
    ]);
    const released = await eventsOf(h.mesh, 'task_released');
    assert.deepEqual(released.map((e) => [e.peer, e.data]), [
      [null, { project: repo, task: 'schema', title: 'User schema', previous: 'in_progress', previousAssignee: bob, previousAssigneeName: 'bob', reason: 'assignee gone' }],
      [null, { project: repo, task: 'endpoint', title: 'Login endpoint', previous: 'blocked', previousAssignee: bob, previousAssigneeName: 'bob', reason: 'assignee gone' }],
    ]);
    const left = (await h.mesh.events.read(0, ['peer_left'], 10)).events[0];
    assert.ok(left.seq < released[0].seq, 'the peer leaves first, then its tasks are freed');
    // Nothing more falls due: the sweep does not run again for them.
    const seq = await h.mesh.events.lastSeq();
    await h.timers.advance(60_000);
    await h.mesh.sweep();
    assert.equal(await h.mesh.events.lastSeq(), seq);
  });

  it('a peer that leaves frees its tasks at once (the mesh wakes for them), not at the next sweep', async () => {
    await h.mesh.peers.leave(bob);
    assert.equal(await dueAt(), h.clock.now(), 'due now');
    await h.timers.advance(0);
    assert.deepEqual((await statuses()).map(([id, status]) => [id, status]), [['schema', 'todo'], ['endpoint', 'blocked'], ['form', 'review']]);
    assert.equal(await dueAt(), null);
    assert.equal((await eventsOf(h.mesh, 'task_released')).length, 2);
  });

  it('a forgotten peer (pruned after the retention) counts as gone too', async () => {
    await h.mesh.peers.disconnected(bob);
    h.db.exec(`DELETE FROM peers WHERE id = '${bob}'`);
    await h.mesh.sweep();
    assert.deepEqual((await statuses()).map(([id, status, name]) => [id, status, name]), [
      ['schema', 'todo', null], ['endpoint', 'blocked', null], ['form', 'review', 'bob'],
    ]);
  });

  it('a gone assignee\'s task in review is finished in the name of whoever finishes it, not the gone peer\'s', async () => {
    await h.mesh.peers.leave(bob);
    const { task } = await h.mesh.plans.update(alice, undefined, 'form', { status: 'done' });
    assert.deepEqual([task.status, task.assigneeName], ['done', 'alice']);
    const updated = (await eventsOf(h.mesh, 'task_updated')).pop();
    assert.deepEqual([updated?.peer, updated?.data.assignee], [alice, alice]);
  });
});
