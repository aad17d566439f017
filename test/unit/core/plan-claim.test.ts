import assert from 'node:assert/strict';
import { join, rejectsReason, type Harness } from './helpers';
import { eventsOf, planInRepo } from './plan-helpers';

describe('core/plan: claiming tasks', () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  let repo: string;

  beforeEach(async () => {
    ({ h, alice, bob, repo } = await planInRepo());
  });

  afterEach(() => h.mesh.dispose());

  it('takes a todo task: in progress, the caller its assignee, task_claimed', async () => {
    const { task, warnings } = await h.mesh.plans.claim(bob, undefined, 'schema');
    assert.deepEqual([task.status, task.assignee, task.assigneeName, task.updatedBy, warnings], ['in_progress', bob, 'bob', bob, []]);
    const [claimed] = await eventsOf(h.mesh, 'task_claimed');
    assert.deepEqual([claimed.peer, claimed.data], [bob, { project: repo, task: 'schema', title: 'User schema', overlaps: 0, byName: 'bob' }]);
  });

  it('its own task again is no error and no event', async () => {
    const first = await h.mesh.plans.claim(bob, undefined, 'schema');
    const seq = await h.mesh.events.lastSeq();
    assert.deepEqual(await h.mesh.plans.claim(bob, undefined, 'schema'), first);
    assert.equal(await h.mesh.events.lastSeq(), seq);
  });

  it('another peer\'s task: alreadyClaimed naming the holder, whatever it is doing with it', async () => {
    await h.mesh.plans.claim(bob, undefined, 'schema');
    for (const status of ['in_progress', 'review', 'blocked'] as const) {
      await h.mesh.plans.update(bob, undefined, 'schema', { status, note: 'why' });
      const e = await rejectsReason(h.mesh.plans.claim(alice, undefined, 'schema'), 'alreadyClaimed');
      assert.deepEqual(e.data, { task: 'schema', by: bob, byName: 'bob', status });
      assert.match(e.message, new RegExp(`^task schema is taken: bob has it \\(${status.replace('_', ' ')}\\)$`));
    }
  });

  it('a done task cannot be claimed', async () => {
    await h.mesh.plans.update(bob, undefined, 'schema', { status: 'done' });
    const e = await rejectsReason(h.mesh.plans.claim(alice, undefined, 'schema'), 'invalidInput');
    assert.match(e.message, /^task schema is done/);
  });

  it('an unknown task: notFound naming the plan\'s tasks', async () => {
    const e = await rejectsReason(h.mesh.plans.claim(alice, undefined, 'nope'), 'notFound');
    assert.equal(e.message, `no task "nope" in the plan of ${repo}; its tasks: schema, endpoint, form`);
  });

  it('dependencies not done: notReady naming them, unless force gives the reason, kept as the note', async () => {
    const e = await rejectsReason(h.mesh.plans.claim(alice, undefined, 'endpoint'), 'notReady');
    assert.deepEqual(e.data, { open: [{ id: 'schema', title: 'User schema', status: 'todo' }] });
    assert.match(e.message, /waits for tasks not done yet: schema \(todo\)/);
    const { task } = await h.mesh.plans.claim(alice, undefined, 'endpoint', 'the schema is obvious');
    assert.deepEqual([task.status, task.note], ['in_progress', 'the schema is obvious']);
    const [claimed] = await eventsOf(h.mesh, 'task_claimed');
    assert.equal(claimed.data.forced, 'the schema is obvious');

    await h.mesh.plans.update(bob, undefined, 'schema', { status: 'done' });
    await h.mesh.plans.update(alice, undefined, 'endpoint', { status: 'done' });
    const ready = await h.mesh.plans.claim(bob, undefined, 'form', 'not needed');
    assert.equal(ready.task.note, null, 'a reason not needed is not kept');
    assert.equal((await eventsOf(h.mesh, 'task_claimed'))[1].data.forced, undefined);
  });

  it('a task handed to a peer is its to claim; others get alreadyClaimed unless it is gone', async () => {
    const person = (await join(h.mesh, 'me', repo, { kind: 'vscode-window' })).id;
    await h.mesh.plans.update(person, undefined, 'schema', { assignee: 'bob' });
    const e = await rejectsReason(h.mesh.plans.claim(alice, undefined, 'schema'), 'alreadyClaimed');
    assert.equal(e.message, 'task schema was handed to bob: ask them, or pick another task');
    assert.equal((await h.mesh.plans.claim(bob, undefined, 'schema')).task.status, 'in_progress');

    await h.mesh.plans.update(person, undefined, 'form', { assignee: bob });
    await h.mesh.peers.leave(bob);
    assert.equal((await h.mesh.plans.claim(alice, undefined, 'form', 'go')).task.assignee, alice);
  });

  it('a gone peer cannot claim', async () => {
    await h.mesh.peers.leave(bob);
    await rejectsReason(h.mesh.plans.claim(bob, undefined, 'schema'), 'unauthorized');
  });

  it('100 peers racing for one task: exactly one gets it, 99 hear who did, one task_claimed', async () => {
    const racers: string[] = [];
    for (let i = 0; i < 100; i++) racers.push((await join(h.mesh, `racer-${i}`, repo)).id);
    const results = await Promise.allSettled(racers.map((id) => h.mesh.plans.claim(id, undefined, 'schema')));
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [racers[i]] : []));
    assert.equal(won.length, 1);
    const winner = await h.mesh.peers.require(won[0]);
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(lost.length, 99);
    for (const r of lost) {
      await rejectsReason(Promise.reject(r.reason), 'alreadyClaimed');
      assert.deepEqual(r.reason.data, { task: 'schema', by: winner.id, byName: winner.name, status: 'in_progress' });
    }
    const claimed = await eventsOf(h.mesh, 'task_claimed');
    assert.deepEqual(claimed.map((e) => e.peer), [winner.id]);
    const [task] = await h.mesh.plans.tasks(alice, undefined, { assignee: winner.name });
    assert.deepEqual([task.id, task.status], ['schema', 'in_progress']);
  });
});
