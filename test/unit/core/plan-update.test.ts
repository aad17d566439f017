import assert from 'node:assert/strict';
import { join, rejectsReason, type Harness } from './helpers';
import { eventsOf, planInRepo } from './plan-helpers';

describe('core/plan: moving tasks', () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  let person: string;
  let repo: string;

  beforeEach(async () => {
    ({ h, alice, bob, repo } = await planInRepo());
    person = (await join(h.mesh, 'me', repo, { kind: 'vscode-window' })).id;
  });

  afterEach(() => h.mesh.dispose());

  it('an agent moves its own and unassigned tasks only; the person any', async () => {
    await h.mesh.plans.claim(bob, undefined, 'schema');
    const e = await rejectsReason(h.mesh.plans.update(alice, undefined, 'schema', { status: 'done' }), 'alreadyClaimed');
    assert.deepEqual(e.data, { task: 'schema', by: bob, byName: 'bob', status: 'in_progress' });
    await rejectsReason(h.mesh.plans.update(alice, undefined, 'schema', { note: 'hi' }), 'alreadyClaimed');
    const moved = await h.mesh.plans.update(person, undefined, 'schema', { status: 'review' });
    assert.deepEqual([moved.task.status, moved.task.assignee], ['review', bob], 'review keeps the assignee');
    const [updated] = await eventsOf(h.mesh, 'task_updated');
    assert.deepEqual([updated.peer, updated.data], [person, {
      project: repo, task: 'schema', title: 'User schema', status: 'review', previous: 'in_progress', assignee: bob, assigneeName: 'bob', byName: 'me',
    }]);
  });

  it('to in progress is a claim: dependencies gate it, force says why, the caller takes it unless the person names someone', async () => {
    await rejectsReason(h.mesh.plans.update(alice, undefined, 'endpoint', { status: 'in_progress' }), 'notReady');
    const forced = await h.mesh.plans.update(alice, undefined, 'endpoint', { status: 'in_progress', force: 'mocking the schema' });
    assert.deepEqual([forced.task.assignee, forced.task.note], [alice, 'mocking the schema']);
    const handed = await h.mesh.plans.update(person, undefined, 'schema', { status: 'in_progress', assignee: 'bob' });
    assert.equal(handed.task.assignee, bob);
    const taken = await h.mesh.plans.update(person, undefined, 'form', { status: 'in_progress', force: 'demo' });
    assert.equal(taken.task.assignee, person);
  });

  it('the assignee moving its task to todo gives it up: unassigned, task_released', async () => {
    await h.mesh.plans.claim(bob, undefined, 'schema');
    const { task: t } = await h.mesh.plans.update(bob, undefined, 'schema', { status: 'todo' });
    assert.deepEqual([t.status, t.assignee, t.assigneeName], ['todo', null, null]);
    const [released] = await eventsOf(h.mesh, 'task_released');
    assert.deepEqual([released.peer, released.data], [bob, {
      project: repo, task: 'schema', title: 'User schema', previous: 'in_progress', previousAssignee: bob, previousAssigneeName: 'bob', reason: 'given up',
    }]);
    assert.deepEqual(await eventsOf(h.mesh, 'task_updated'), []);
  });

  it('blocked needs a note saying why; the note goes with the next move', async () => {
    await h.mesh.plans.claim(bob, undefined, 'schema');
    const e = await rejectsReason(h.mesh.plans.update(bob, undefined, 'schema', { status: 'blocked' }), 'invalidInput');
    assert.match(e.message, /^say why task schema is blocked/);
    await rejectsReason(h.mesh.plans.update(bob, undefined, 'schema', { status: 'blocked', note: '  ' }), 'invalidInput');
    const blocked = await h.mesh.plans.update(bob, undefined, 'schema', { status: 'blocked', note: 'no database' });
    assert.deepEqual([blocked.task.status, blocked.task.note, blocked.task.assignee], ['blocked', 'no database', bob]);
    assert.equal((await eventsOf(h.mesh, 'task_updated'))[0].data.note, 'no database');
    const resumed = await h.mesh.plans.update(bob, undefined, 'schema', { status: 'in_progress' });
    assert.deepEqual([resumed.task.status, resumed.task.note], ['in_progress', null]);
  });

  it('review or done of an unassigned task makes the caller its assignee', async () => {
    const { task: t } = await h.mesh.plans.update(alice, undefined, 'schema', { status: 'done' });
    assert.deepEqual([t.status, t.assignee], ['done', alice]);
  });

  it('review or done of a task not started is gated by its dependencies as a start is; blocked is not', async () => {
    const e = await rejectsReason(h.mesh.plans.update(alice, undefined, 'endpoint', { status: 'done' }), 'notReady');
    assert.deepEqual(e.data, { open: [{ id: 'schema', title: 'User schema', status: 'todo' }] });
    await rejectsReason(h.mesh.plans.update(person, undefined, 'endpoint', { status: 'review' }), 'notReady');
    assert.equal((await h.mesh.plans.tasks(alice, undefined, {})).find((t) => t.id === 'endpoint')?.status, 'todo');
    const blocked = await h.mesh.plans.update(alice, undefined, 'form', { status: 'blocked', note: 'waits for the endpoint' });
    assert.equal(blocked.task.status, 'blocked');
    const forced = await h.mesh.plans.update(alice, undefined, 'endpoint', { status: 'done', force: 'done on another branch' });
    assert.deepEqual([forced.task.status, forced.task.assignee, forced.task.note], ['done', alice, 'done on another branch']);
  });

  it('an agent hands a task to another peer as todo only, never started, in review, blocked or done in their name', async () => {
    for (const change of [{ status: 'in_progress' as const }, { status: 'review' as const }, { status: 'done' as const }, { status: 'blocked' as const, note: 'x' }]) {
      const e = await rejectsReason(h.mesh.plans.update(alice, undefined, 'schema', { ...change, assignee: 'bob' }), 'unauthorized');
      assert.match(e.message, /^an agent hands task schema to bob as todo only/);
    }
    await h.mesh.plans.update(alice, undefined, 'form', { status: 'blocked', note: 'no design' });
    await rejectsReason(h.mesh.plans.update(alice, undefined, 'form', { assignee: 'bob' }), 'unauthorized');
    assert.deepEqual(await eventsOf(h.mesh, 'task_claimed'), []);
    const handed = await h.mesh.plans.update(alice, undefined, 'schema', { status: 'todo', assignee: 'bob' });
    assert.deepEqual([handed.task.status, handed.task.assignee], ['todo', bob]);
    const started = await h.mesh.plans.update(person, undefined, 'endpoint', { status: 'in_progress', assignee: 'bob', force: 'demo' });
    assert.deepEqual([started.task.status, started.task.assignee], ['in_progress', bob], 'the person may');
  });

  it('assignee by id or live name; unknown: notFound; an agent hands out only unassigned tasks', async () => {
    await rejectsReason(h.mesh.plans.update(alice, undefined, 'schema', { assignee: 'nobody' }), 'notFound');
    assert.equal((await h.mesh.plans.update(alice, undefined, 'schema', { assignee: 'bob' })).task.assignee, bob);
    assert.equal((await h.mesh.plans.update(alice, undefined, 'form', { assignee: alice })).task.assignee, alice);
    const e = await rejectsReason(h.mesh.plans.update(alice, undefined, 'form', { assignee: bob }), 'unauthorized');
    assert.match(e.message, /an agent hands out only unassigned tasks/);
    assert.equal((await h.mesh.plans.update(person, undefined, 'form', { assignee: bob })).task.assignee, bob);
    assert.equal((await h.mesh.plans.update(person, undefined, 'form', { assignee: null })).task.assignee, null);
  });

  it('a change that changes nothing emits nothing', async () => {
    await h.mesh.plans.claim(bob, undefined, 'schema');
    const seq = await h.mesh.events.lastSeq();
    await h.mesh.plans.update(bob, undefined, 'schema', { status: 'in_progress' });
    await h.mesh.plans.update(bob, undefined, 'schema', { assignee: 'bob' });
    await h.mesh.plans.update(person, undefined, 'form', { assignee: null });
    assert.equal(await h.mesh.events.lastSeq(), seq);
  });

  describe('mine', () => {
    it('the tasks it holds over every project, and those handed to it until shown', async () => {
      await h.mesh.plans.claim(bob, undefined, 'schema');
      await h.mesh.plans.update(person, undefined, 'form', { assignee: 'bob' });
      await h.mesh.plans.update(bob, undefined, 'endpoint', { assignee: 'bob' });
      const first = await h.mesh.plans.mine(bob, false);
      assert.deepEqual(first.held.map((t) => [t.id, t.project]), [['schema', repo]]);
      assert.deepEqual(first.assigned.map((t) => [t.id, t.status]), [['form', 'todo']], 'taking one itself is no news');
      assert.deepEqual(await h.mesh.plans.mine(bob, true), first, 'seen: shown now, still listed this once');
      assert.deepEqual((await h.mesh.plans.mine(bob, false)).assigned, []);
      await h.mesh.plans.update(person, undefined, 'form', { assignee: 'alice' });
      await h.mesh.plans.update(person, undefined, 'form', { assignee: 'bob' });
      assert.deepEqual((await h.mesh.plans.mine(bob, false)).assigned.map((t) => t.id), ['form'], 'handed again: news again');
      assert.deepEqual(await h.mesh.plans.mine(alice, false), { held: [], assigned: [] });
    });
  });
});
