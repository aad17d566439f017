/**
 * mesh_task through real MCP clients over a real broker: listing (open, by status, by peer, a
 * page at a time), claiming (the detail, files and contracts to start with; overlaps with other
 * peers' claims named; a task another holds or one not ready refused in the tool's words, with
 * the way on), moving and finishing a task (what became ready).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { twoAgents, type Agent, type TwoAgents } from './in-memory-agent';
import { bigPlan, signIn } from './plan-fixture';

const ids = (r: { data: Record<string, unknown> }) => (r.data.tasks as Array<{ id: string }>).map((t) => t.id);

describe('mcp: mesh_task', function () {
  this.timeout(30_000);
  let mesh: TwoAgents;
  let alice: Agent;
  let bob: Agent;

  before(async () => {
    mesh = await twoAgents('pm-task-');
    ({ alice, bob } = mesh);
  });

  after(async () => {
    await mesh?.close();
  });

  it('says there is no plan yet', async () => {
    const r = await alice.ok('mesh_task');
    assert.match(r.text, /^No tasks: this project has no plan yet \(mesh_plan makes one\)\./);
    assert.deepEqual(r.data.tasks, []);
  });

  it('lists the open tasks with their files, ready ones marked', async () => {
    await alice.ok('mesh_plan', { action: 'submit', plan: signIn });
    const r = await alice.ok('mesh_task');
    assert.deepEqual(r.text.split('\n').slice(0, 5), [
      '4 open tasks, 2 ready to claim:',
      'login-route [todo, ready] "Login route sends the link" files: src/server/**',
      'login-form [todo, ready] "Login form" files: web/login/**',
      'login-page [todo, waits on login-form] "Login page" files: web/pages/login.tsx',
      'e2e [todo, waits on login-route, login-form] "End-to-end test" files: test/e2e/login.spec.ts',
    ]);
    assert.deepEqual((r.data.tasks as unknown[])[0], { id: 'login-route', title: 'Login route sends the link', status: 'todo', ready: true, files: ['src/server/**'] });
  });

  it('claim gives the task with its detail and contracts, and what to do next', async () => {
    const r = await alice.ok('mesh_task', { action: 'claim', task: 'login-form' });
    const lines = r.text.split('\n');
    assert.equal(lines[0], 'You hold task login-form [in_progress, you] "Login form" files: web/login/**.');
    assert.equal(lines[1], 'detail: Posts the address, shows the result.');
    assert.match(lines[2], /^contract login-api \(api, v1, proposed\) "POST \/api\/login" at src\/server\/login\.ts#loginRoute \(spec: mesh_plan action="show" id="login-api"\)$/);
    assert.equal(lines[3], 'Claim its files with mesh_lock before editing; mesh_task action="done" task="login-form" when finished.');
    const task = r.data.task as Record<string, unknown>;
    assert.deepEqual([task.status, task.assignee, task.detail, (task.contracts as Array<{ id: string }>)[0].id], ['in_progress', 'you', 'Posts the address, shows the result.', 'login-api']);
    assert.equal(r.data.warnings, undefined);
    assert.match((await alice.ok('mesh_task', { action: 'claim', task: 'login-form' })).text, /^You hold task login-form/, 'its own task again is no error');
  });

  it('a task another agent holds is refused naming who holds it', async () => {
    const r = await bob.call('mesh_task', { action: 'claim', task: 'login-form' });
    assert.equal(r.isError, true);
    assert.match(r.text, /^alice holds task login-form \(in_progress\)\. Leave it to them: take another task \(mesh_task lists the ready ones\), or ask alice with mesh_send\.\npending: none$/);
  });

  it('a task that is not ready is refused naming what it waits on and how to start anyway', async () => {
    const r = await bob.call('mesh_task', { action: 'claim', task: 'e2e' });
    assert.equal(r.isError, true);
    assert.match(r.text, /^e2e waits on login-route \(todo\), login-form \(in_progress\)\. Take a ready task \(mesh_task lists them\), or start this one anyway: mesh_task action="claim" task="e2e" force="<why>"\./);
  });

  it('claim warns of other peers\' claims on the task\'s files; force starts a task early, with the reason as its note', async () => {
    await alice.ok('mesh_lock', { action: 'acquire', path: 'web/pages/login.tsx', reason: 'routing' });
    const r = await bob.ok('mesh_task', { action: 'claim', task: 'login-page', force: 'the layout can start now' });
    assert.match(r.text, /^You hold task login-page \[in_progress, you\] "Login page" files: web\/pages\/login\.tsx note: the layout can start now\.\n/);
    assert.match(r.text, /\nOverlaps: talk to them before editing these:\n- alice holds lock #\d+ on web\/pages\/login\.tsx\n/);
    assert.deepEqual((r.data.warnings as Array<Record<string, unknown>>).map((w) => [w.peer, w.path]), [['alice', 'web/pages/login.tsx']]);
  });

  it('lists by status and by peer', async () => {
    assert.deepEqual(ids(await bob.ok('mesh_task', { status: 'in_progress' })), ['login-form', 'login-page']);
    assert.deepEqual(ids(await bob.ok('mesh_task', { assignee: 'me' })), ['login-page']);
    const alices = await bob.ok('mesh_task', { assignee: 'alice' });
    assert.deepEqual(ids(alices), ['login-form']);
    assert.match(alices.text, /^1 task of alice:/);
    assert.equal((await bob.ok('mesh_task', { status: 'review' })).text.split('\n')[0], 'No review tasks.');
  });

  it('update moves a task; blocked needs a note; an agent hands out only unassigned tasks', async () => {
    const review = await alice.ok('mesh_task', { action: 'update', task: 'login-form', status: 'review', note: 'PR #12' });
    assert.equal(review.text.split('\n')[0], 'Task login-form [review, you] "Login form" note: PR #12.');
    const blocked = await bob.call('mesh_task', { action: 'update', task: 'login-page', status: 'blocked' });
    assert.equal(blocked.isError, true);
    assert.match(blocked.text, /^blocked needs a note saying why: mesh_task action="update" task="login-page" status="blocked" note="<why>"\npending: /);
    const handOut = await alice.call('mesh_task', { action: 'update', task: 'login-page', assignee: 'alice' });
    assert.equal(handOut.isError, true);
    assert.match(handOut.text, /^bob holds task login-page \(in_progress\)/);
    assert.match((await alice.call('mesh_task', { action: 'update', task: 'login-form' })).text, /^update needs status, assignee or note/);
    assert.match((await alice.call('mesh_task', { action: 'claim' })).text, /^claim needs the task's id as task/);
  });

  it('done names the tasks that became ready, with the call that takes one', async () => {
    const first = await alice.ok('mesh_task', { action: 'done', task: 'login-form' });
    assert.match(first.text, /^Task login-form is done\. Release your locks/, 'e2e still waits on login-route');
    assert.deepEqual(first.data.nowReady, []);
    await bob.ok('mesh_task', { action: 'claim', task: 'login-route' });
    const second = await bob.ok('mesh_task', { action: 'done', task: 'login-route' });
    assert.match(second.text, /^Task login-route is done\. Now ready: e2e \(mesh_task action="claim" task="e2e"\)\./);
    assert.deepEqual(second.data.nowReady, ['e2e']);
    assert.deepEqual(ids(await bob.ok('mesh_task')), ['login-page', 'e2e'], 'done tasks are not open');
  });

  it('a long list comes a page at a time, every task once', async () => {
    mkdirSync(path.join(mesh.dir, 'big'));
    await alice.ok('mesh_plan', { action: 'submit', plan: bigPlan(), project: 'big' });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await alice.ok('mesh_task', { project: 'big', ...(cursor && { cursor }) });
      pages++;
      seen.push(...ids(r));
      cursor = typeof r.data.more === 'string' ? /cursor="([^"]+)"/.exec(r.data.more)![1] : undefined;
    } while (cursor && pages < 50);
    assert.ok(pages > 2, `${pages} pages`);
    assert.equal(seen.length, 300);
    assert.equal(new Set(seen).size, 300);
    assert.match((await alice.call('mesh_task', { project: 'big', cursor: 'nope' })).text, /^cursor "nope" is not one mesh_task gave/);
  });
});
