/**
 * Context deltas over a real mesh: routing at push time (by task named, by a task's files or
 * globs, by contract, by claim, by recent edit; never to the author or to gone peers), blocking
 * deltas and what `mine` shows, acks (by recipients and by peers that asked), contract changes
 * (versions, contract_changed, tasks' changedContracts until the ack), listing, retention, and
 * bad input refused in the caller's terms.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { recentEditMs } from '../../../src/core/delta-routes';
import { mineLimit } from '../../../src/core/deltas';
import type { Delta } from '../../../src/protocol/coordination';
import { gitRepo, join, rejectsReason, tempDir, type Harness } from './helpers';
import { eventsOf, loginPlan, planInRepo } from './plan-helpers';

/** The recipients as [name, reason, via], in routing order. */
const routed = (d: Delta) => d.recipients.map((r) => [r.peerName, r.reason, r.via]);

describe('core/deltas', () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  let carol: string;
  let dave: string;
  let repo: string;

  beforeEach(async () => {
    ({ h, alice, bob, repo } = await planInRepo());
    carol = (await join(h.mesh, 'carol', repo)).id;
    dave = (await join(h.mesh, 'dave', repo)).id;
  });

  afterEach(() => h.mesh.dispose());

  const push = (who: string, delta: Parameters<typeof h.mesh.deltas.push>[2]) => h.mesh.deltas.push(who, undefined, delta);
  const taskOf = async (id: string) => (await h.mesh.plans.tasks(alice, undefined, {})).find((t) => t.id === id)!;

  describe('routing', () => {
    it('to the assignee of a task the delta names, and no one else', async () => {
      await h.mesh.plans.claim(bob, undefined, 'schema');
      const d = await push(alice, { kind: 'discovery', summary: 'the users table has no email index', affects: { tasks: ['schema'] } });
      assert.deepEqual(routed(d), [['bob', 'task', 'schema']]);
      assert.deepEqual([d.project, d.author, d.authorName, d.kind, d.severity, d.contractVersions], [repo, alice, 'alice', 'discovery', 'info', {}]);
      const [pushed] = await eventsOf(h.mesh, 'delta_pushed');
      assert.deepEqual([pushed.peer, pushed.data], [alice, {
        project: repo, delta: d.id, kind: 'discovery', severity: 'info', summary: 'the users table has no email index', recipients: [bob], byName: 'alice',
      }]);
    });

    it('to the assignees of tasks whose files or globs overlap an affected file or glob', async () => {
      await h.mesh.plans.claim(bob, undefined, 'schema');
      await h.mesh.plans.claim(carol, undefined, 'endpoint', 'the schema is simple');
      await h.mesh.plans.claim(dave, undefined, 'form', 'mock the API');
      const one = await push(alice, { kind: 'dependency', summary: 'express 5 now', affects: { files: ['src/api/login.ts'] } });
      assert.deepEqual(routed(one), [['carol', 'task', 'endpoint']]);
      const all = await push(alice, { kind: 'scope_change', summary: 'strict mode everywhere', affects: { files: ['src/**/*.ts'] } });
      assert.deepEqual(routed(all), [['bob', 'task', 'schema'], ['carol', 'task', 'endpoint']], 'login.tsx is not *.ts');
    });

    it('to the assignees of tasks that code against an affected contract, but not of done ones', async () => {
      await h.mesh.plans.claim(bob, undefined, 'endpoint', 'go');
      await h.mesh.plans.claim(carol, undefined, 'form', 'go');
      await h.mesh.plans.update(carol, undefined, 'form', { status: 'done' });
      const d = await push(alice, { kind: 'discovery', summary: 'tokens expire after an hour', affects: { contracts: ['login-api'] } });
      assert.deepEqual(routed(d), [['bob', 'task', 'endpoint']]);
      const named = await push(alice, { kind: 'discovery', summary: 'the form needs a retry', affects: { tasks: ['form'] } });
      assert.deepEqual(routed(named), [['carol', 'task', 'form']], 'a done task the delta names');
    });

    it('to the holders of live claims on affected files, inside the project only', async () => {
      await h.mesh.locks.acquire(dave, { path: 'src/lib/util.ts', startLine: 3, endLine: 9 }, { reason: 'refactor' });
      await h.mesh.locks.acquire(carol, { path: 'src/lib/brief.ts' }, { reason: 'short', ttlSeconds: 1 });
      await h.mesh.locks.acquire(bob, { path: path.join(tempDir(), 'src', 'lib', 'x.ts') }, { reason: 'elsewhere' });
      h.clock.advance(2_000);
      const d = await push(alice, { kind: 'discovery', summary: 'util has a bug', affects: { files: ['src/lib/**'] } });
      assert.deepEqual(routed(d), [['dave', 'claim', 'src/lib/util.ts']]);
    });

    it('to peers that edited an affected file in the last half hour, not earlier', async () => {
      await h.mesh.edits.record(dave, 'src/old.ts', [], 'Edit');
      h.clock.advance(recentEditMs + 1);
      await h.mesh.edits.record(carol, 'src/new.ts', [{ startLine: 1, endLine: 2 }], 'Edit');
      await h.mesh.edits.record(bob, path.join(tempDir(), 'src', 'new.ts'), [], 'Edit');
      h.clock.advance(recentEditMs - 1);
      const d = await push(alice, { kind: 'discovery', summary: 'both files moved', affects: { files: ['src/old.ts', 'src/new.ts'] } });
      assert.deepEqual(routed(d), [['carol', 'edit', 'src/new.ts']]);
    });

    it('never to the author, nor to peers that are gone; each peer once, for its first reason', async () => {
      await h.mesh.plans.claim(alice, undefined, 'schema');
      await h.mesh.locks.acquire(alice, { path: 'src/db/mine.ts' }, { reason: 'mine' });
      await h.mesh.edits.record(alice, 'src/db/mine.ts', [], 'Edit');
      await h.mesh.locks.acquire(carol, { path: 'src/db/schema.ts', startLine: 1, endLine: 1 }, { reason: 'line one' });
      await h.mesh.edits.record(carol, 'src/db/schema.ts', [], 'Edit');
      await h.mesh.edits.record(dave, 'src/db/schema.ts', [], 'Edit');
      await h.mesh.peers.leave(dave);
      const d = await push(alice, { kind: 'discovery', summary: 'the schema moves', affects: { files: ['src/db/**'], tasks: ['schema'] } });
      assert.deepEqual(routed(d), [['carol', 'claim', 'src/db/schema.ts']]);
      const nobody = await push(bob, { kind: 'discovery', summary: 'nothing touches docs', affects: { files: ['docs/**'] } });
      assert.deepEqual(nobody.recipients, []);
    });
  });

  describe('blocking deltas and news', () => {
    it('mine shows an unacked blocking delta every time and a fresh one once; the author sees who acked', async () => {
      await h.mesh.plans.claim(bob, undefined, 'schema');
      await h.mesh.locks.acquire(carol, { path: 'src/db/schema.ts' }, { reason: 'migrations' });
      const stop = await push(alice, { kind: 'discovery', severity: 'blocking', summary: 'stop: the table is renamed', affects: { files: ['src/db/**'] } });
      const note = await push(alice, { kind: 'discovery', severity: 'warning', summary: 'slow tests', affects: { tasks: ['schema'] } });
      const ids = (ds: Delta[]) => ds.map((d) => d.id);
      assert.deepEqual(await h.mesh.deltas.mine(bob, false), await h.mesh.deltas.mine(bob, false), 'without seen, nothing changes');
      const first = await h.mesh.deltas.mine(bob, true);
      assert.deepEqual([ids(first.blocking), ids(first.fresh)], [[stop.id], [note.id]]);
      const again = await h.mesh.deltas.mine(bob, true);
      assert.deepEqual([ids(again.blocking), ids(again.fresh)], [[stop.id], []]);
      assert.deepEqual(await h.mesh.deltas.ack(bob, [stop.id]), [stop.id]);
      assert.deepEqual(await h.mesh.deltas.mine(bob, true), { blocking: [], fresh: [], drafts: [] });
      const seen = await h.mesh.deltas.get(alice, stop.id);
      assert.deepEqual(seen.recipients.map((r) => [r.peerName, r.shownAt !== null, r.ackedAt !== null]), [['bob', true, true], ['carol', false, false]]);
      assert.deepEqual(ids((await h.mesh.deltas.mine(carol, false)).blocking), [stop.id]);
      assert.deepEqual(await h.mesh.deltas.mine(alice, true), { blocking: [], fresh: [], drafts: [] }, 'the author is no recipient');
    });

    it(`mine answers at most ${mineLimit} of each kind, marking only those shown; the rest come on the next call`, async () => {
      await h.mesh.plans.claim(bob, undefined, 'schema');
      const pushed = [];
      for (let i = 0; i < mineLimit + 2; i++) pushed.push(await push(alice, { kind: 'discovery', summary: `note ${i}`, affects: { tasks: ['schema'] } }));
      const first = await h.mesh.deltas.mine(bob, true);
      assert.deepEqual(first.fresh.map((d) => d.id), pushed.slice(0, mineLimit).map((d) => d.id));
      assert.deepEqual((await h.mesh.deltas.mine(bob, true)).fresh.map((d) => d.id), pushed.slice(mineLimit).map((d) => d.id), 'none lost');
    });

    it('ack: again is no error; a peer not routed is added as one that asked; the author\'s own is skipped; unknown ids refused', async () => {
      await h.mesh.plans.claim(bob, undefined, 'schema');
      const d = await push(alice, { kind: 'discovery', severity: 'blocking', summary: 'x', affects: { tasks: ['schema'] } });
      assert.deepEqual(await h.mesh.deltas.ack(bob, [d.id, d.id]), [d.id]);
      assert.deepEqual(await h.mesh.deltas.ack(bob, [d.id]), []);
      assert.deepEqual(await h.mesh.deltas.ack(carol, [d.id]), [d.id]);
      assert.deepEqual(await h.mesh.deltas.ack(alice, [d.id]), []);
      const after = await h.mesh.deltas.get(bob, d.id);
      assert.deepEqual(routed(after), [['bob', 'task', 'schema'], ['carol', 'asked', '']]);
      const acks = await eventsOf(h.mesh, 'delta_acked');
      assert.deepEqual(acks.map((e) => [e.peer, e.data]), [
        [bob, { project: repo, delta: d.id, severity: 'blocking', byName: 'bob' }],
        [carol, { project: repo, delta: d.id, severity: 'blocking', byName: 'carol' }],
      ]);
      const e = await rejectsReason(h.mesh.deltas.ack(dave, [d.id, 998, 999]), 'notFound');
      assert.deepEqual([e.message, e.data], ['no delta 998, 999; nothing was acked', { deltas: [998, 999] }]);
      assert.equal((await h.mesh.deltas.get(dave, d.id)).recipients.length, 2, 'all or nothing');
      await rejectsReason(h.mesh.deltas.get(dave, 999), 'notFound');
    });
  });

  describe('contract changes', () => {
    it('bump each contract (a new spec when given), emit contract_changed, and mark the tasks coding against it until their assignee acks', async () => {
      await h.mesh.plans.claim(bob, undefined, 'endpoint', 'go');
      await h.mesh.plans.claim(carol, undefined, 'form', 'go');
      await h.mesh.plans.contract(alice, undefined, { id: 'login-api', status: 'approved' });
      const d = await push(alice, {
        kind: 'contract_change', severity: 'blocking', summary: 'login returns a refresh token', affects: { contracts: ['login-api'] },
        spec: '{ user, password } -> { token, refresh }',
      });
      assert.deepEqual(d.contractVersions, { 'login-api': 2 });
      assert.deepEqual(routed(d), [['bob', 'task', 'endpoint'], ['carol', 'task', 'form']]);
      const plan = (await h.mesh.plans.get(alice, undefined)).plan!;
      const contract = plan.contracts.find((c) => c.id === 'login-api')!;
      assert.deepEqual([contract.version, contract.spec, contract.status], [2, '{ user, password } -> { token, refresh }', 'proposed']);
      const changed = (await eventsOf(h.mesh, 'contract_changed')).at(-1)!;
      assert.deepEqual(changed.data, { project: repo, contract: 'login-api', name: 'POST /login', version: 2, status: 'proposed', byName: 'alice' });
      const mark = [{ contract: 'login-api', version: 2, delta: d.id }];
      assert.deepEqual([(await taskOf('endpoint')).changedContracts, (await taskOf('form')).changedContracts], [mark, mark]);
      assert.equal((await taskOf('schema')).changedContracts, undefined);
      await h.mesh.deltas.ack(bob, [d.id]);
      assert.deepEqual([(await taskOf('endpoint')).changedContracts, (await taskOf('form')).changedContracts], [undefined, mark]);
      const held = (await h.mesh.plans.mine(carol, false)).held;
      assert.deepEqual(held.map((t) => t.changedContracts), [mark], 'news of the plan carries it too');
    });

    it('without a spec: the next version all the same; the contract\'s own file counts as affected', async () => {
      await h.mesh.locks.acquire(dave, { path: 'src/types.ts' }, { reason: 'types' });
      const d = await push(alice, { kind: 'contract_change', summary: 'User gains an email', affects: { contracts: ['user-type', 'login-api'] } });
      assert.deepEqual(d.contractVersions, { 'user-type': 2, 'login-api': 2 });
      assert.deepEqual(routed(d), [['dave', 'claim', 'src/types.ts']]);
      const contracts = (await h.mesh.plans.get(alice, undefined)).plan!.contracts;
      assert.deepEqual(contracts.map((c) => [c.id, c.version, c.spec]), [['login-api', 2, '{ user, password } -> { token }'], ['user-type', 2, '{ id, name }']]);
      const discovery = await push(alice, { kind: 'discovery', summary: 'types are fine', affects: { contracts: ['user-type'] } });
      assert.deepEqual([discovery.recipients, discovery.contractVersions], [[], {}], 'only a contract change makes its file affected');
    });
  });

  describe('listing and retention', () => {
    it('lists the project\'s deltas after since, only blocking or only the caller\'s, a page at a time', async () => {
      await h.mesh.plans.claim(bob, undefined, 'schema');
      const a = await push(alice, { kind: 'discovery', summary: 'a', affects: { tasks: ['schema'] } });
      const b = await push(alice, { kind: 'discovery', severity: 'blocking', summary: 'b' });
      const c = await push(carol, { kind: 'discovery', severity: 'blocking', summary: 'c', affects: { tasks: ['schema'] } });
      const ids = (r: { deltas: Delta[]; more: boolean }) => [r.deltas.map((d) => d.id), r.more];
      assert.deepEqual(ids(await h.mesh.deltas.list(bob, undefined, {})), [[a.id, b.id, c.id], false]);
      assert.deepEqual(ids(await h.mesh.deltas.list(bob, undefined, { limit: 2 })), [[a.id, b.id], true]);
      assert.deepEqual(ids(await h.mesh.deltas.list(bob, undefined, { since: b.id })), [[c.id], false]);
      assert.deepEqual(ids(await h.mesh.deltas.list(bob, undefined, { blocking: true })), [[b.id, c.id], false]);
      assert.deepEqual(ids(await h.mesh.deltas.list(bob, undefined, { mine: true })), [[a.id, c.id], false]);
      assert.deepEqual(ids(await h.mesh.deltas.list(bob, undefined, { blocking: true, mine: true })), [[c.id], false]);
      const other = gitRepo();
      assert.deepEqual(ids(await h.mesh.deltas.list(bob, other, {})), [[], false], 'another project has its own');
    });

    it('the audit trail names who pushed and who acked, after the mesh forgot them', async () => {
      await h.mesh.plans.claim(bob, undefined, 'schema');
      const d = await push(alice, { kind: 'discovery', summary: 'x', affects: { tasks: ['schema'] } });
      await h.mesh.deltas.ack(bob, [d.id]);
      h.db.exec(`DELETE FROM peers WHERE id IN ('${alice}', '${bob}')`);
      const { entries } = await h.mesh.events.audit({ since: 0, after: 0, types: ['delta_pushed', 'delta_acked'], limit: 10 });
      assert.deepEqual(entries.map((e) => [e.event.type, e.peerName]), [['delta_pushed', 'alice'], ['delta_acked', 'bob']]);
    });

    it('the sweep prunes deltas past the audit retention, with their recipients', async () => {
      await h.mesh.plans.claim(bob, undefined, 'schema');
      const old = await push(alice, { kind: 'discovery', severity: 'blocking', summary: 'old', affects: { tasks: ['schema'] } });
      h.clock.advance(29 * 24 * 3600_000);
      const kept = await push(alice, { kind: 'discovery', summary: 'kept', affects: { tasks: ['schema'] } });
      h.clock.advance(2 * 24 * 3600_000);
      await h.mesh.sweep();
      assert.deepEqual((await h.mesh.deltas.list(bob, undefined, {})).deltas.map((d) => d.id), [kept.id]);
      await rejectsReason(h.mesh.deltas.get(bob, old.id), 'notFound');
      assert.deepEqual(h.db.all('SELECT DISTINCT delta FROM delta_recipients'), [{ delta: kept.id }]);
    });
  });

  describe('bad input', () => {
    it('a decision is not for agents to push', async () => {
      const e = await rejectsReason(push(alice, { kind: 'decision', summary: 'we use REST' }), 'invalidInput');
      assert.match(e.message, /^a decision is the person's ruling on a debate, and only PeerMesh pushes one; push what you found as discovery, contract_change, dependency, scope_change$/);
    });

    it('a contract change needs the plan\'s contracts, and a spec only for one of them', async () => {
      assert.match((await rejectsReason(push(alice, { kind: 'contract_change', summary: 'x' }), 'invalidInput')).message, /names the contracts of the plan that changed/);
      const two = push(alice, { kind: 'contract_change', summary: 'x', affects: { contracts: ['login-api', 'user-type'] }, spec: 's' });
      assert.match((await rejectsReason(two, 'invalidInput')).message, /names 2: push one change per contract/);
      const spec = push(alice, { kind: 'discovery', summary: 'x', spec: 's' });
      assert.match((await rejectsReason(spec, 'invalidInput')).message, /^spec is a contract_change's new spec for its contract; a discovery has none$/);
      const planless = await join(h.mesh, 'erin', gitRepo());
      const e = await rejectsReason(h.mesh.deltas.push(planless.id, undefined, { kind: 'contract_change', summary: 'x', affects: { contracts: ['login-api'] } }), 'invalidInput');
      assert.match(e.message, /has no plan, so no contracts to change/);
    });

    it('contracts and tasks the plan does not have: notFound naming them, nothing changed', async () => {
      const seq = await h.mesh.events.lastSeq();
      const e = await rejectsReason(push(alice, {
        kind: 'contract_change', summary: 'x', affects: { contracts: ['login-api', 'nope'], tasks: ['schema', 'gone', 'lost'] },
      }), 'notFound');
      assert.equal(e.message, `the plan of ${repo} has no contract nope and no task gone, lost; nothing was pushed`);
      assert.deepEqual(e.data, { missing: { contracts: ['nope'], tasks: ['gone', 'lost'] } });
      assert.equal(await h.mesh.events.lastSeq(), seq);
      const planless = await join(h.mesh, 'erin', gitRepo());
      const none = await rejectsReason(h.mesh.deltas.push(planless.id, undefined, { kind: 'discovery', summary: 'x', affects: { tasks: ['schema'] } }), 'notFound');
      assert.match(none.message, /has no plan, so no task schema; nothing was pushed$/);
    });

    it('files outside the project, empty summaries, bad ids: invalidInput', async () => {
      const outside = await rejectsReason(push(alice, { kind: 'discovery', summary: 'x', affects: { files: ['src/a.ts', '../elsewhere.ts'] } }), 'invalidInput');
      assert.equal(outside.message, `files are relative to the project ${repo}; ../elsewhere.ts is outside it`);
      await rejectsReason(push(alice, { kind: 'discovery', summary: '  ' }), 'invalidInput');
      await rejectsReason(push(alice, { kind: 'nonsense' as 'discovery', summary: 'x' }), 'invalidInput');
      await rejectsReason(h.mesh.deltas.ack(alice, []), 'invalidInput');
      await rejectsReason(h.mesh.deltas.list(alice, undefined, { limit: 0 }), 'invalidInput');
      assert.equal((await h.mesh.deltas.list(alice, undefined, {})).deltas.length, 0);
    });
  });

  it('a second plan in another project keeps its deltas apart', async () => {
    const other = gitRepo();
    const erin = (await join(h.mesh, 'erin', other)).id;
    await h.mesh.plans.submit(erin, undefined, loginPlan(), 'agent');
    await h.mesh.plans.claim(erin, undefined, 'schema');
    await h.mesh.plans.claim(bob, undefined, 'schema');
    const d = await push(alice, { kind: 'discovery', summary: 'here only', affects: { tasks: ['schema'] } });
    assert.deepEqual(routed(d), [['bob', 'task', 'schema']]);
  });
});
