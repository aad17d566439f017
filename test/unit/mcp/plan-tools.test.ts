/**
 * mesh_plan through real MCP clients over a real broker (in-memory-agent.ts): submitting a plan
 * (checked by path; stored, or a proposal with its changes), reading it as a tree within the
 * result budget page by page, one task or contract in full, deciding proposals, keeping
 * contracts, the mesh://plan resource, and decompose without sampling.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { twoAgents, until, type Agent, type TwoAgents } from './in-memory-agent';
import { bigPlan, signIn } from './plan-fixture';

describe('mcp: mesh_plan', function () {
  this.timeout(30_000);
  let mesh: TwoAgents;
  let alice: Agent;
  let bob: Agent;

  before(async () => {
    mesh = await twoAgents('pm-plan-');
    ({ alice, bob } = mesh);
  });

  after(async () => {
    await mesh?.close();
  });

  it('says how to make a plan when the project has none', async () => {
    const r = await alice.ok('mesh_plan');
    assert.match(r.text, /^No plan for this project yet\. .*mesh_plan action="submit" plan=.*action="decompose"/);
    assert.deepEqual(Object.keys(r.data), ['pending']);
  });

  it('refuses an invalid plan naming each problem by its path, and stores nothing', async () => {
    const bad = structuredClone(signIn) as typeof signIn & { phases: Array<{ tasks: Array<Record<string, unknown>> }> };
    bad.phases[1].tasks[1].dependsOn = ['ghost'];
    bad.phases[1].tasks.push({ id: 'login-form', title: 'Again' });
    const r = await alice.call('mesh_plan', { action: 'submit', plan: bad });
    assert.equal(r.isError, true);
    assert.match(r.text, /^The plan is not valid, nothing was stored: /);
    assert.match(r.text, /plan\.phases\[1\]\.tasks\[1\]\.dependsOn\[0\]: task "login-page" depends on "ghost"/);
    assert.match(r.text, /plan\.phases\[1\]\.tasks\[3\]\.id: task id "login-form" is used twice/);
    assert.match((await alice.call('mesh_plan', { action: 'submit', plan: '{not json' })).text, /^plan is not JSON/);
    assert.match((await alice.call('mesh_plan', { action: 'submit' })).text, /^submit needs plan\. A plan is JSON: \{"title"/);
    assert.match((await alice.ok('mesh_plan')).text, /^No plan/);
  });

  it('stores the first plan at once and names the tasks ready to take', async () => {
    const r = await alice.ok('mesh_plan', { action: 'submit', plan: signIn });
    assert.match(r.text, /^Plan stored as v1 for .*: 2 phases, 4 tasks, 1 contract\. Ready to start: login-route, login-form; take one with mesh_task action="claim" task="login-route"\./);
    assert.deepEqual(r.data.ready, ['login-route', 'login-form']);
    assert.equal(r.data.version, 1);
    assert.equal(r.data.phases, undefined, 'the plan the agent just sent is not sent back');
  });

  it('shows the plan as a tree: phases, tasks with readiness, contracts', async () => {
    await bob.ok('mesh_task', { action: 'claim', task: 'login-route' });
    const r = await alice.ok('mesh_plan');
    const lines = r.text.split('\n');
    assert.match(lines[0], /^Plan "Sign-in" v1 of .*: 4 tasks \(1 in_progress, 3 todo \(1 ready\)\), 1 contract\.$/);
    assert.equal(lines[1], 'About: Passwordless sign-in for the web app.');
    assert.deepEqual(lines.slice(2, 11), [
      'Phase server "Server":',
      '  login-route [in_progress, bob] "Login route sends the link"',
      'Phase web "Web":',
      '  login-form [todo, ready] "Login form"',
      '  login-page [todo, waits on login-form] "Login page"',
      '  e2e [todo, waits on login-route, login-form] "End-to-end test"',
      'Contracts:',
      '  login-api (api, v1, proposed) "POST /api/login" at src/server/login.ts#loginRoute',
      'pending: none',
    ]);
    const phases = r.data.phases as Array<{ id: string; tasks: Array<Record<string, unknown>> }>;
    assert.deepEqual(phases.map((p) => p.id), ['server', 'web']);
    assert.deepEqual(phases[1].tasks[2], { id: 'e2e', title: 'End-to-end test', status: 'todo', waitsOn: ['login-route', 'login-form'] });
    assert.deepEqual(phases[0].tasks[0], { id: 'login-route', title: 'Login route sends the link', status: 'in_progress', assignee: 'bob' });
    assert.deepEqual(r.data.contracts, [{ id: 'login-api', kind: 'api', name: 'POST /api/login', version: 1, status: 'proposed', at: 'src/server/login.ts#loginRoute' }]);
  });

  it('shows one task or contract in full', async () => {
    const task = await alice.ok('mesh_plan', { action: 'show', id: 'e2e' });
    assert.match(task.text, /^Task e2e \[todo, waits on login-route, login-form\] "End-to-end test" files: test\/e2e\/login\.spec\.ts in phase web\ndepends on: login-route \(in_progress\), login-form \(todo\)\n/);
    const route = await alice.ok('mesh_plan', { action: 'show', id: 'login-route' });
    assert.match(route.text, /\ncontract login-api \(api, v1, proposed\)/);
    assert.match(route.text, /\ndetail: Validate the address, store a one-time token, send the mail\.\n/);
    assert.equal((route.data.task as { detail: string }).detail, 'Validate the address, store a one-time token, send the mail.');
    const contract = await alice.ok('mesh_plan', { action: 'show', id: 'login-api' });
    assert.match(contract.text, /^Contract login-api \(api, v1, proposed\) "POST \/api\/login" at src\/server\/login\.ts#loginRoute\nspec: Body \{"email": string\}\. 204/);
    assert.equal((contract.data.contract as { spec: string }).spec, signIn.contracts[0].spec);
    const missing = await alice.call('mesh_plan', { action: 'show', id: 'nope' });
    assert.equal(missing.isError, true);
    assert.match(missing.text, /^no task or contract "nope" in the plan/);
  });

  it('a long spec is read in parts that put it together whole', async () => {
    const spec = Array.from({ length: 400 }, (_, i) => `line ${i}: "quoted" \u202e and more text`).join('\n').slice(0, 8000);
    await alice.ok('mesh_plan', { action: 'contract', contract: { id: 'big-spec', kind: 'schema', name: 'Big', spec } });
    let got = '';
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await alice.ok('mesh_plan', { action: 'show', id: 'big-spec', ...(cursor && { cursor }) });
      got += (r.data.contract as { spec: string }).spec;
      assert.doesNotMatch(r.text, /\u202e/, 'the text shows other peers\' words printable');
      cursor = typeof r.data.more === 'string' ? /cursor="(\d+)"/.exec(r.data.more)![1] : undefined;
      if (!cursor) break;
    }
    assert.equal(got, spec);
  });

  it('a plan submitted to a project that has one is a proposal: its changes listed, then rejected or accepted', async () => {
    const next = structuredClone(signIn);
    next.phases[1].tasks = next.phases[1].tasks.filter((t) => t.id !== 'e2e');
    next.phases[0].tasks[0].title = 'Login route';
    next.phases[0].tasks.push({ id: 'mailer', title: 'Mailer', detail: '', files: ['src/mail/**'], contracts: [] });
    const r = await bob.ok('mesh_plan', { action: 'submit', plan: next });
    const id = (r.data.proposal as { id: number }).id;
    assert.match(r.text, new RegExp(`^This project has a plan already, so this one is proposal #${id}, not applied\\. .*\\nProposal #${id} by you \\(agent, against plan v\\d+\\): \\d+ changes\\.`));
    assert.match(r.text, /\n- change task login-route \(title\)/);
    assert.match(r.text, /\n- add task mailer\n/);
    assert.match(r.text, /\n- remove task e2e\n/);
    assert.match(r.text, new RegExp(`\\nAccept: mesh_plan action="accept" proposal=${id};`));
    const tree = await alice.ok('mesh_plan');
    assert.match(tree.text, new RegExp(`\\nproposal #${id} by bob \\(agent, \\d+ changes?\\) waits: mesh_plan action="show" proposal=${id}, then accept or reject`));
    assert.match((await alice.ok('mesh_plan', { action: 'show', proposal: id })).text, new RegExp(`^Proposal #${id} by bob`));
    assert.equal((await alice.ok('mesh_plan', { action: 'reject', proposal: id, reason: 'not yet' })).text, `Rejected proposal #${id}.\npending: none`);
    const again = await bob.ok('mesh_plan', { action: 'submit', plan: next });
    const second = (again.data.proposal as { id: number }).id;
    const accepted = await alice.ok('mesh_plan', { action: 'accept', proposal: second });
    assert.match(accepted.text, new RegExp(`^Accepted proposal #${second}: the plan is now v\\d+ "Sign-in", 4 tasks, 1 contract\\.`));
    const tasks = (await alice.ok('mesh_task', { action: 'list', status: 'in_progress' })).data.tasks as Array<{ id: string; assignee: string }>;
    assert.deepEqual(tasks.map((t) => [t.id, t.assignee]), [['login-route', 'bob']], 'a task that stayed kept its status and assignee');
    const stale = await alice.call('mesh_plan', { action: 'accept', proposal: id });
    assert.equal(stale.isError, true);
    assert.equal((await alice.call('mesh_plan', { action: 'accept' })).text.split('\n')[0], 'accept needs proposal (its id: mesh_plan lists the pending ones)');
  });

  it('adds a contract, changes its spec (a new version, proposed again), and approves it', async () => {
    const added = await alice.ok('mesh_plan', { action: 'contract', contract: { id: 'session', kind: 'type', name: 'Session', spec: '{ user: string }' } });
    assert.match(added.text, /^Contract session \(type, v1, proposed\) "Session" saved\. Others approve it with mesh_plan action="contract" contract=\{"id":"session","status":"approved"\}\./);
    const approved = await bob.ok('mesh_plan', { action: 'contract', contract: { id: 'session', status: 'approved' } });
    assert.deepEqual(approved.data.contract, { id: 'session', kind: 'type', name: 'Session', version: 1, status: 'approved' });
    const changed = await alice.ok('mesh_plan', { action: 'contract', contract: JSON.stringify({ id: 'session', spec: '{ user: string; expires: number }' }) });
    assert.deepEqual([(changed.data.contract as { version: number }).version, (changed.data.contract as { status: string }).status], [2, 'proposed']);
    const bad = await alice.call('mesh_plan', { action: 'contract', contract: { id: 'x', kind: 'table' } });
    assert.equal(bad.isError, true);
    assert.match(bad.text, /^contract\.kind: /);
  });

  it('a plan too big for one result comes a page at a time, every task once, each result within the budget', async () => {
    const folder = path.join(mesh.dir, 'big');
    mkdirSync(folder);
    await alice.ok('mesh_plan', { action: 'submit', plan: bigPlan(), project: 'big' });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await alice.ok('mesh_plan', { project: 'big', ...(cursor && { cursor }) });
      pages++;
      for (const p of r.data.phases as Array<{ tasks: Array<{ id: string }> }>) seen.push(...p.tasks.map((t) => t.id));
      const more = r.data.more as string | undefined;
      if (more) assert.match(r.text, /\nMore: mesh_plan project="big" cursor="1:\d+"\n/);
      cursor = more ? /cursor="([^"]+)"/.exec(more)![1] : undefined;
    } while (cursor && pages < 50);
    assert.ok(pages > 2, `${pages} pages`);
    assert.deepEqual(seen, bigPlan().phases.flatMap((p) => p.tasks.map((t) => t.id)));
    const wrong = await alice.call('mesh_plan', { project: 'big', cursor: '7:10' });
    assert.match(wrong.text, /^the plan changed \(now v1\) since that page: call mesh_plan without cursor/);
  });

  it('mesh://plan shows the plan and is updated when a task moves', async () => {
    const read = async () => JSON.parse(((await alice.client.readResource({ uri: 'mesh://plan' })).contents[0] as { text: string }).text) as Record<string, unknown>;
    const plan = await read();
    assert.equal(plan.title, 'Sign-in');
    const updates: string[] = [];
    alice.client.fallbackNotificationHandler = async (n) => {
      if (n.method === 'notifications/resources/updated') updates.push((n.params as { uri: string }).uri);
    };
    await alice.client.subscribeResource({ uri: 'mesh://plan' });
    await bob.ok('mesh_task', { action: 'claim', task: 'login-form' });
    await until(async () => (updates.includes('mesh://plan') ? true : undefined), 'an update of mesh://plan');
    const web = ((await read()).phases as Array<{ id: string; tasks: Array<{ id: string; assignee?: string }> }>).find((p) => p.id === 'web')!;
    assert.equal(web.tasks.find((t) => t.id === 'login-form')?.assignee, 'bob');
  });

  it('decompose without sampling says so, and how to write the plan instead', async () => {
    const r = await alice.call('mesh_plan', { action: 'decompose', description: 'Add a search page' });
    assert.equal(r.isError, true);
    assert.match(r.text, /^Your MCP client does not offer sampling, so PeerMesh cannot ask your model for a plan\. Write it yourself and submit it with mesh_plan action="submit" plan=\{\.\.\.\}\. A plan is JSON: .* Rules: .*contract.*dependsOn/);
    assert.match((await alice.call('mesh_plan', { action: 'decompose' })).text, /^decompose needs a description/);
  });
});
