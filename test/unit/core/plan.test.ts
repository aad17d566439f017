import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { planChanges } from '../../../src/core/plan-diff';
import { maxPendingProposals, mineLimit } from '../../../src/core/plan';
import { planLimits } from '../../../src/protocol/plan';
import { gitRepo, harness, join, peersInRepo, rejectsReason, tempDir, type Harness } from './helpers';
import { eventsOf, loginPlan, rawPlan } from './plan-helpers';

describe('core/plan: plans and proposals', () => {
  let h: Harness;
  let alice: string;
  let bob: string;

  beforeEach(async () => {
    ({ h, ids: [alice, bob] } = await peersInRepo('alice', 'bob'));
  });

  afterEach(() => h.mesh.dispose());

  describe('projects', () => {
    it('absent, the project is the caller\'s git root; a folder inside it names the same project', async () => {
      const root = (await h.mesh.peers.require(alice)).gitRoot!;
      fs.mkdirSync(path.join(root, 'src', 'api'), { recursive: true });
      const { plan } = await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent');
      assert.equal(plan?.project, root);
      assert.equal((await h.mesh.plans.get(bob, path.join(root, 'src', 'api'))).plan?.version, 1);
      assert.equal((await h.mesh.plans.get(bob, 'src')).plan?.project, root, 'relative to the caller\'s cwd');
    });

    it('a folder outside any repo is its own project, through symlinks; projects never mix', async () => {
      const plain = tempDir();
      const link = `${plain}-link`;
      fs.symlinkSync(plain, link);
      try {
        await h.mesh.plans.submit(alice, link, loginPlan((p) => (p.title = 'Elsewhere')), 'agent');
        assert.equal((await h.mesh.plans.get(alice, plain)).plan?.title, 'Elsewhere');
        assert.equal((await h.mesh.plans.get(alice, undefined)).plan, null, 'the repo has no plan');
        await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent');
        assert.equal((await h.mesh.plans.get(alice, undefined)).plan?.title, 'Login');
        assert.equal((await h.mesh.plans.get(alice, plain)).plan?.title, 'Elsewhere');
        const other = gitRepo();
        assert.equal((await h.mesh.plans.tasks(alice, other, {})).length, 0);
      } finally {
        fs.unlinkSync(link);
      }
    });

    it('a peer without a folder must name the project', async () => {
      const lost = (await join(h.mesh, 'lost')).id;
      const e = await rejectsReason(h.mesh.plans.get(lost, undefined), 'invalidInput');
      assert.match(e.message, /name the project folder/);
      await rejectsReason(h.mesh.plans.get(lost, 'relative/dir'), 'invalidInput');
      assert.equal((await h.mesh.plans.get(lost, tempDir())).plan, null);
    });
  });

  describe('submit', () => {
    it('a project without a plan stores it at once: version 1, every task todo, plan_changed counting what it added', async () => {
      const { plan, proposal } = await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent');
      assert.equal(proposal, null);
      assert.equal(plan?.version, 1);
      assert.deepEqual(plan?.phases.map((p) => [p.id, p.tasks.map((t) => [t.id, t.status, t.assignee])]), [
        ['api', [['schema', 'todo', null], ['endpoint', 'todo', null]]],
        ['ui', [['form', 'todo', null]]],
      ]);
      assert.deepEqual(plan?.contracts.map((c) => [c.id, c.version, c.status, c.file]), [['login-api', 1, 'proposed', null], ['user-type', 1, 'proposed', 'src/types.ts']]);
      const [changed] = await eventsOf(h.mesh, 'plan_changed');
      assert.equal(changed.peer, alice);
      assert.deepEqual(changed.data, { project: plan!.project, version: 1, title: 'Login', proposal: null, added: 7, removed: 0, changed: 0, byName: 'alice' });
    });

    it('a project with a plan gets a pending proposal instead; the plan is untouched', async () => {
      const first = (await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent')).plan!;
      const { plan, proposal } = await h.mesh.plans.submit(bob, undefined, loginPlan((p) => (p.title = 'Login v2')), 'sampling');
      assert.deepEqual(plan, first);
      assert.equal(proposal?.status, 'pending');
      assert.equal(proposal?.baseVersion, 1);
      assert.equal(proposal?.authorName, 'bob');
      assert.equal(proposal?.source, 'sampling');
      assert.equal(proposal?.plan.title, 'Login v2');
      assert.deepEqual(proposal?.changes, [{ what: 'plan', id: first.project, change: 'changed', fields: ['title'] }]);
      const [proposed] = await eventsOf(h.mesh, 'plan_proposed');
      assert.deepEqual(proposed.data, { project: first.project, proposal: proposal!.id, source: 'sampling', changes: 1, byName: 'bob' });
      const got = await h.mesh.plans.get(alice, undefined);
      assert.deepEqual(got.plan, first);
      assert.deepEqual(got.proposals.map((p) => [p.id, 'plan' in p]), [[proposal!.id, false]]);
      assert.deepEqual(await h.mesh.plans.proposal(alice, proposal!.id), proposal);
    });

    it('refuses a plan that does not hold together, saying where', async () => {
      const e = await rejectsReason(h.mesh.plans.submit(alice, undefined, rawPlan((p) => p.phases[0].tasks[0].dependsOn.push('form')), 'agent'), 'invalidInput');
      assert.match(e.message, /tasks depend on each other in a circle: .*schema/);
      assert.equal((await h.mesh.plans.get(alice, undefined)).plan, null);
    });

    it(`keeps at most ${maxPendingProposals} proposals waiting per project`, async () => {
      await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent');
      for (let i = 0; i < maxPendingProposals; i++) await h.mesh.plans.submit(bob, undefined, loginPlan((p) => (p.title = `v${i}`)), 'agent');
      const e = await rejectsReason(h.mesh.plans.submit(bob, undefined, loginPlan(), 'agent'), 'invalidInput');
      assert.match(e.message, /proposals waiting already: accept or reject some/);
    });

    it(`keeps plans for at most ${planLimits.projects} projects; an existing project still takes proposals`, async () => {
      const outside = tempDir();
      for (let i = 0; i < planLimits.projects; i++) await h.mesh.plans.submit(alice, path.join(outside, `p${i}`), loginPlan(), 'agent');
      const e = await rejectsReason(h.mesh.plans.submit(alice, path.join(outside, 'one-more'), loginPlan(), 'agent'), 'invalidInput');
      assert.match(e.message, new RegExp(`plans for ${planLimits.projects} projects already; .*one-more is not one of them`));
      const { proposal } = await h.mesh.plans.submit(bob, path.join(outside, 'p7'), loginPlan((p) => (p.title = 'v2')), 'agent');
      assert.equal(proposal?.status, 'pending');
    });
  });

  describe('mine: the tasks a peer holds and was given', () => {
    it(`answers at most ${mineLimit} of each; the given ones not yet answered come on the next call`, async () => {
      const repo = (await h.mesh.peers.require(alice)).gitRoot!;
      const person = (await join(h.mesh, 'me', repo, { kind: 'vscode-window' })).id;
      const many = Array.from({ length: mineLimit + 10 }, (_, i) => ({ id: `t${i}`, title: `Task ${i}` }));
      await h.mesh.plans.submit(alice, undefined, loginPlan((p) => p.phases.push({ id: 'many', title: 'Many', detail: '', tasks: many as never })), 'agent');
      for (const t of many) await h.mesh.plans.update(person, undefined, t.id, { assignee: bob });
      const first = await h.mesh.plans.mine(bob, true);
      assert.equal(first.assigned.length, mineLimit);
      assert.deepEqual((await h.mesh.plans.mine(bob, true)).assigned.map((t) => t.id), many.slice(mineLimit).map((t) => t.id));
      assert.deepEqual((await h.mesh.plans.mine(bob, true)).assigned, []);
      for (const t of many) await h.mesh.plans.update(person, undefined, t.id, { assignee: alice, status: 'in_progress' });
      assert.equal((await h.mesh.plans.mine(alice, false)).held.length, mineLimit);
    });
  });

  describe('what a proposal changes', () => {
    it('lists plan, phases, tasks and contracts in a fixed order, naming who works on a task that goes', async () => {
      await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent');
      await h.mesh.plans.claim(bob, undefined, 'schema');
      const current = (await h.mesh.plans.get(alice, undefined)).plan!;
      const next = loginPlan((p) => {
        p.description = 'Sign in, and out';
        p.phases[1].detail = 'forms';
        p.phases[0].tasks.shift(); // schema, in progress by bob
        p.phases[0].tasks[0].dependsOn = [];
        p.phases[0].tasks[0].files = ['src/api/login.ts'];
        p.phases[1].tasks.push({ id: 'logout', title: 'Logout button', files: [], dependsOn: [], contracts: [] });
        p.phases.push({ id: 'docs', title: 'Docs', detail: '', tasks: [] });
        p.contracts[0].spec = '{ user, password, otp } -> { token }';
        p.contracts.pop();
      });
      const changes = planChanges(current, next);
      assert.deepEqual(changes, [
        { what: 'plan', id: current.project, change: 'changed', fields: ['description'] },
        { what: 'phase', id: 'ui', change: 'changed', fields: ['detail'] },
        { what: 'phase', id: 'docs', change: 'added', fields: [] },
        { what: 'task', id: 'endpoint', change: 'changed', fields: ['files', 'dependsOn'] },
        { what: 'task', id: 'logout', change: 'added', fields: [] },
        { what: 'task', id: 'schema', change: 'removed', fields: [], note: 'in progress by bob: goes with it' },
        { what: 'contract', id: 'login-api', change: 'changed', fields: ['spec'] },
        { what: 'contract', id: 'user-type', change: 'removed', fields: [] },
      ]);
      assert.deepEqual(planChanges(current, next), changes, 'the same plans give the same list');
      assert.deepEqual(planChanges(current, loginPlan()), [], 'the same plan changes nothing');
    });

    it('a pending proposal says what it changes now: a task claimed since shows in its note', async () => {
      await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent');
      const { proposal } = await h.mesh.plans.submit(bob, undefined, loginPlan((p) => p.phases.pop()), 'agent');
      assert.equal(proposal?.changes.find((c) => c.id === 'form')?.note, undefined);
      await h.mesh.plans.update(alice, undefined, 'form', { status: 'in_progress', force: 'the mock API is enough' });
      const now = await h.mesh.plans.proposal(bob, proposal!.id);
      assert.equal(now.changes.find((c) => c.id === 'form')?.note, 'in progress by alice: goes with it');
    });
  });

  describe('accept and reject', () => {
    it('accepting applies the proposal: tasks that stay keep status, assignee and note; new ones todo; others superseded', async () => {
      await h.mesh.plans.submit(alice, undefined, loginPlan((p) => (p.contracts[1].file = null)), 'agent');
      await h.mesh.plans.claim(alice, undefined, 'schema');
      await h.mesh.plans.update(bob, undefined, 'endpoint', { status: 'blocked', note: 'waiting for the schema' });
      await h.mesh.plans.contract(alice, undefined, { id: 'user-type', status: 'approved' });
      await h.mesh.plans.contract(alice, undefined, { id: 'login-api', status: 'approved' });
      const base = (await h.mesh.plans.get(alice, undefined)).plan!;
      const { proposal: first } = await h.mesh.plans.submit(bob, undefined, loginPlan((p) => (p.title = 'other')), 'agent');
      const { proposal } = await h.mesh.plans.submit(bob, undefined, loginPlan((p) => {
        p.phases[1].tasks = [{ id: 'page', title: 'Login page', files: [], dependsOn: ['endpoint'], contracts: [] }];
        p.phases[0].tasks[1].title = 'POST /login';
        p.contracts[0].spec = 'v2';
        p.contracts[1].file = null;
        p.contracts[1].name = 'User record';
      }), 'agent');
      h.clock.advance(1000);
      const plan = await h.mesh.plans.accept(alice, proposal!.id);
      assert.equal(plan.version, base.version + 1);
      const stamp = (id: string) => plan.phases.flatMap((p) => p.tasks).find((t) => t.id === id)?.updatedAt;
      const was = (id: string) => base.phases.flatMap((p) => p.tasks).find((t) => t.id === id)?.updatedAt;
      assert.deepEqual([stamp('schema'), stamp('endpoint')], [was('schema'), h.clock.now()], 'only what changed is stamped');
      const tasks = plan.phases.flatMap((p) => p.tasks).map((t) => [t.id, t.status, t.assigneeName, t.note, t.title]);
      assert.deepEqual(tasks, [
        ['schema', 'in_progress', 'alice', null, 'User schema'],
        ['endpoint', 'blocked', 'bob', 'waiting for the schema', 'POST /login'],
        ['page', 'todo', null, null, 'Login page'],
      ]);
      assert.deepEqual(plan.contracts.map((c) => [c.id, c.version, c.status, c.name]), [
        ['login-api', 2, 'proposed', 'POST /login'],
        ['user-type', 1, 'approved', 'User record'],
      ]);
      const rejected = await eventsOf(h.mesh, 'plan_rejected');
      assert.deepEqual(rejected.map((e) => e.data), [
        { project: plan.project, proposal: first!.id, reason: `superseded by proposal ${proposal!.id}`, superseded: true, byName: 'alice' },
      ]);
      assert.equal((await h.mesh.plans.proposal(alice, first!.id)).status, 'superseded');
      const accepted = await h.mesh.plans.proposal(alice, proposal!.id);
      assert.equal(accepted.status, 'accepted');
      const changed = (await eventsOf(h.mesh, 'plan_changed')).at(-1)!;
      assert.deepEqual(changed.data, {
        project: plan.project, version: plan.version, title: 'Login', proposal: proposal!.id, added: 1, removed: 1, changed: 3, byName: 'alice',
      });
      assert.deepEqual(accepted.changes.filter((c) => c.change !== 'changed').map((c) => [c.id, c.change]), [['page', 'added'], ['form', 'removed']]);
      assert.deepEqual((await h.mesh.plans.get(bob, undefined)).proposals, []);
    });

    it('only a pending proposal can be accepted or rejected, and only against the version it was made for', async () => {
      await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent');
      const { proposal: a } = await h.mesh.plans.submit(bob, undefined, loginPlan((p) => (p.title = 'A')), 'agent');
      const { proposal: b } = await h.mesh.plans.submit(bob, undefined, loginPlan((p) => (p.title = 'B')), 'agent');
      await h.mesh.plans.accept(alice, a!.id);
      let e = await rejectsReason(h.mesh.plans.accept(alice, b!.id), 'invalidInput');
      assert.equal(e.message, `proposal ${b!.id} is superseded, no longer pending`);
      e = await rejectsReason(h.mesh.plans.reject(alice, a!.id, ''), 'invalidInput');
      assert.equal(e.message, `proposal ${a!.id} is accepted, no longer pending`);
      await rejectsReason(h.mesh.plans.accept(alice, 999), 'notFound');

      const { proposal: c } = await h.mesh.plans.submit(bob, undefined, loginPlan((p) => (p.title = 'C')), 'agent');
      await h.mesh.plans.contract(alice, undefined, { id: 'extra', kind: 'other', name: 'Extra', spec: 'x' });
      e = await rejectsReason(h.mesh.plans.accept(alice, c!.id), 'versionMismatch');
      assert.equal(e.message, `the plan changed since proposal ${c!.id} was made (version 2 → 3): submit it again to see the changes now`);
      assert.equal((await h.mesh.plans.get(alice, undefined)).plan?.title, 'A');
    });

    it('rejecting marks it rejected with plan_rejected', async () => {
      await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent');
      const { proposal } = await h.mesh.plans.submit(bob, undefined, loginPlan((p) => (p.title = 'X')), 'agent');
      const rejected = await h.mesh.plans.reject(alice, proposal!.id, 'too big');
      assert.equal(rejected.status, 'rejected');
      assert.equal('plan' in rejected, false);
      const [event] = await eventsOf(h.mesh, 'plan_rejected');
      assert.deepEqual([event.peer, event.data], [alice, { project: proposal!.project, proposal: proposal!.id, reason: 'too big', superseded: false, byName: 'alice' }]);
    });
  });

  describe('contracts', () => {
    it('need a plan, and kind, name and spec when new', async () => {
      const e = await rejectsReason(h.mesh.plans.contract(alice, undefined, { id: 'c', kind: 'api', name: 'C', spec: 's' }), 'notFound');
      assert.match(e.message, /^no plan for .*: submit one first$/);
      await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent');
      const missing = await rejectsReason(h.mesh.plans.contract(alice, undefined, { id: 'c', name: 'C' }), 'invalidInput');
      assert.match(missing.message, /kind, spec missing$/);
    });

    it('a new spec is a new version, proposed again; other changes keep the version; nothing new emits nothing', async () => {
      const { plan } = await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent');
      const made = await h.mesh.plans.contract(bob, undefined, { id: 'events', kind: 'event', name: 'login_ok', spec: '{ user }', status: 'approved' });
      assert.deepEqual([made.version, made.status, made.updatedBy], [1, 'approved', bob]);
      const renamed = await h.mesh.plans.contract(bob, undefined, { id: 'events', name: 'login_succeeded', symbol: 'LoginOk' });
      assert.deepEqual([renamed.version, renamed.status, renamed.symbol], [1, 'approved', 'LoginOk']);
      const respec = await h.mesh.plans.contract(bob, undefined, { id: 'events', spec: '{ user, at }' });
      assert.deepEqual([respec.version, respec.status], [2, 'proposed']);
      const approved = await h.mesh.plans.contract(alice, undefined, { id: 'events', spec: '{ user, at, ip }', status: 'approved' });
      assert.deepEqual([approved.version, approved.status], [3, 'approved']);
      const before = await h.mesh.events.lastSeq();
      assert.deepEqual(await h.mesh.plans.contract(alice, undefined, { id: 'events', spec: '{ user, at, ip }' }), approved);
      assert.equal(await h.mesh.events.lastSeq(), before, 'no change, no event');
      const events = (await eventsOf(h.mesh, 'contract_changed')).map((e) => [e.data.contract, e.data.version, e.data.status]);
      assert.deepEqual(events, [['events', 1, 'approved'], ['events', 1, 'approved'], ['events', 2, 'proposed'], ['events', 3, 'approved']]);
      const after = (await h.mesh.plans.get(alice, undefined)).plan!;
      assert.deepEqual(after.contracts.map((c) => c.id), ['login-api', 'user-type', 'events']);
      assert.equal(after.version, plan!.version + 4, 'each change of a contract but its status moves the plan version');
      await h.mesh.plans.contract(alice, undefined, { id: 'events', status: 'superseded' });
      assert.equal((await h.mesh.plans.get(alice, undefined)).plan?.version, after.version, 'a status move does not');
    });

    it(`a plan keeps at most ${planLimits.contracts} contracts, added one at a time too`, async () => {
      await h.mesh.plans.submit(alice, undefined, loginPlan(), 'agent');
      for (let i = 2; i < planLimits.contracts; i++) await h.mesh.plans.contract(alice, undefined, { id: `c${i}`, kind: 'api', name: 'C', spec: 's' });
      const e = await rejectsReason(h.mesh.plans.contract(alice, undefined, { id: 'one-more', kind: 'api', name: 'C', spec: 's' }), 'invalidInput');
      assert.match(e.message, /^the plan of .* has 100 contracts, the most a plan may have/);
      const plan = (await h.mesh.plans.get(alice, undefined)).plan!;
      assert.equal(plan.contracts.length, planLimits.contracts);
      assert.equal((await h.mesh.plans.contract(alice, undefined, { id: 'c2', status: 'approved' })).status, 'approved', 'changing one still works');
      const { proposal } = await h.mesh.plans.submit(bob, undefined, { ...loginPlan(), contracts: plan.contracts }, 'agent');
      assert.equal(proposal?.status, 'pending', 'the plan as it is can still be proposed again');
    });
  });
});

describe('core/plan: a peer with no git root', () => {
  it('uses its workspace as the project', async () => {
    const h = await harness();
    const dir = tempDir();
    const a = (await join(h.mesh, 'a', dir)).id;
    assert.equal((await h.mesh.plans.submit(a, undefined, loginPlan(), 'agent')).plan?.project, dir);
    h.mesh.dispose();
  });
});
