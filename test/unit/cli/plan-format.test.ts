/**
 * How the command line shows the shared plan: the tree, task listings, a proposal's changes,
 * overlap warnings, and the issues of a plan file by their path. The commands themselves run
 * end to end in test/integration/cli-plan.test.ts.
 */
import assert from 'node:assert/strict';
import {
  formatChanges, formatOverlaps, formatPlan, formatProposal, formatTask, formatTasks, issuePath, statusLabel, taskStatusCounts, type ProposalSummary,
} from '../../../src/cli/plan-format';
import { madeReady, statusOf } from '../../../src/core/readiness';
import { parseStatuses, readPlan } from '../../../src/cli/plan-commands';
import { BrokerError } from '../../../src/protocol/errors';
import { PlanInput, type PlanView, type Task } from '../../../src/protocol/plan';

function task(id: string, phase: string, fields: Partial<Task> = {}): Task {
  return {
    id, phase, title: `Title of ${id}`, detail: '', status: 'todo', assignee: null, assigneeName: null,
    files: [], dependsOn: [], contracts: [], note: null, updatedAt: 0, updatedBy: null, ...fields,
  };
}

const plan: PlanView = {
  project: '/work/app', title: 'Sign-in', description: 'Passwordless sign-in.', version: 3, updatedAt: 0, updatedBy: null,
  phases: [
    { id: 'server', title: 'Server', detail: '', tasks: [
      task('route', 'server', { status: 'done', assignee: 'p-1', assigneeName: 'alice' }),
      task('mail-template', 'server', { status: 'in_progress', assignee: 'p-2', assigneeName: 'bob', note: 'started early' }),
    ] },
    { id: 'web', title: 'Web', detail: '', tasks: [task('form', 'web', { dependsOn: ['route', 'mail-template'] })] },
    { id: 'later', title: 'Later', detail: '', tasks: [] },
  ],
  contracts: [{
    id: 'login-api', kind: 'api', name: 'POST /api/login', file: 'src/api.ts', symbol: 'login', spec: 'x', version: 2, status: 'approved', updatedAt: 0, updatedBy: null,
  }],
};

const proposal: ProposalSummary = {
  id: 4, project: '/work/app', author: 'p-2', authorName: 'bob', source: 'agent', baseVersion: 3, status: 'pending', createdAt: 0,
  changes: [
    { what: 'task', id: 'rate-limit', change: 'added', fields: [] },
    { what: 'contract', id: 'login-api', change: 'changed', fields: ['spec', 'name'] },
    { what: 'task', id: 'mail-template', change: 'removed', fields: [], note: 'in progress by bob: goes with it' },
  ],
};

describe('plan formatting', () => {
  it('shows the plan as a tree: phases, tasks aligned across phases with status, assignee and what each needs; contracts; proposals', () => {
    assert.equal(formatPlan(plan, [proposal]), [
      'Sign-in (version 3)',
      'project /work/app',
      'Passwordless sign-in.',
      '3 tasks: 1 done, 1 in progress, 1 todo',
      '',
      'server  Server',
      '  ✓ done         route          Title of route          alice',
      '  ◐ in progress  mail-template  Title of mail-template  bob    started early',
      '',
      'web  Web',
      '  ○ todo         form           Title of form           -      needs mail-template',
      '',
      'later  Later',
      '  (no tasks)',
      '',
      'contracts',
      '  login-api  api  v2  approved  POST /api/login  src/api.ts#login',
      '',
      '1 proposal waiting',
      '  #4  by bob (agent)  3 changes  against version 3',
      'see one: peermesh plan show-proposal ID; then peermesh plan accept ID, or peermesh plan reject ID --reason TEXT',
    ].join('\n'));
  });

  it('shows other peers\' words printable, and cuts long titles', () => {
    const hostile: PlanView = { ...plan, title: 'Plan\u001b[2J', contracts: [], phases: [{ id: 'p', title: 'P', detail: '', tasks: [
      task('t', 'p', { title: 'x'.repeat(100), assignee: 'p-9', assigneeName: 'eve\u202Egnp.exe', status: 'blocked', note: 'line\nbreak' }),
    ] }] };
    const text = formatPlan(hostile, []);
    assert.ok(!text.includes('\u001b') && !text.includes('\u202E'), 'no escape or bidi control reaches the terminal');
    assert.match(text, /^Plan␛\[2J \(version 3\)$/m);
    assert.match(text, new RegExp(`  ✗ blocked  t  ${'x'.repeat(59)}…  eve\\\\u202egnp\\.exe  line ⏎ break$`, 'm'));
  });

  it('counts statuses in the order work moves', () => {
    assert.equal(taskStatusCounts(['todo', 'done', 'blocked', 'todo', 'review']), '1 done, 1 review, 1 blocked, 2 todo');
    assert.equal(taskStatusCounts([]), 'none');
    assert.equal(statusLabel('in_progress'), '◐ in progress');
  });

  it('lists tasks under headers, and one task in a line', () => {
    assert.equal(formatTasks(plan.phases.flatMap((p) => p.tasks)), [
      'ID             STATUS         ASSIGNEE  PHASE   TITLE',
      'route          ✓ done         alice     server  Title of route',
      'mail-template  ◐ in progress  bob       server  Title of mail-template (started early)',
      'form           ○ todo         -         web     Title of form',
    ].join('\n'));
    assert.equal(formatTasks([]), 'no tasks');
    const all = plan.phases.flatMap((p) => p.tasks);
    assert.deepEqual(formatTasks(all, all).split('\n').slice(1).map((row) => row.split(/ {2,}/).pop()), [
      'Title of route', 'Title of mail-template (started early)', 'Title of form (needs mail-template)',
    ], 'with every task known, what a task needs or that it is ready');
    const finished = all.map((t) => (t.id === 'mail-template' ? { ...t, status: 'done' as const } : t));
    assert.deepEqual(madeReady('mail-template', finished, statusOf(finished)).map((t) => t.id), ['form'], 'done made form ready');
    assert.deepEqual(madeReady('mail-template', all, statusOf(all)), [], 'not while a dependency is open');
    assert.deepEqual(madeReady('route', finished, statusOf(finished)).map((t) => t.id), ['form']);
    const sly = { ...plan.phases[0].tasks[1], assigneeName: 'bob\u001b[2J\u202e' };
    const listed = formatTasks([sly]);
    assert.ok(!listed.includes('\u001b') && !listed.includes('\u202e'), 'another peer\'s name cannot drive the terminal');
    assert.equal(formatTask(plan.phases[0].tasks[1]), 'mail-template "Title of mail-template": ◐ in progress, bob (started early)');
    assert.equal(formatTask(plan.phases[1].tasks[0]), 'form "Title of form": ○ todo, unassigned');
  });

  it('says what a proposal changes, and how to accept or reject one still waiting', () => {
    assert.equal(formatChanges(proposal.changes), [
      '  + task rate-limit',
      '  ~ contract login-api: spec, name',
      '  - task mail-template (in progress by bob: goes with it)',
    ].join('\n'));
    assert.match(formatChanges([]), /no changes/);
    assert.equal(formatProposal(proposal), [
      'proposal #4 by bob (agent) against plan version 3: pending, 3 changes',
      'what accepting it changes, against the plan now:',
      formatChanges(proposal.changes),
      'accept it: peermesh plan accept 4',
      'reject it: peermesh plan reject 4 [--reason TEXT]',
    ].join('\n'));
    const rejected = formatProposal({ ...proposal, status: 'rejected' });
    assert.doesNotMatch(rejected, /accept it/);
    assert.match(rejected, /^what it would have changed, against the plan it was made for:$/m, 'a decided proposal does not claim to change the plan now');
  });

  it('warns of claims and other tasks on the task\'s files, naming the peer and the file', () => {
    assert.equal(formatOverlaps([
      { kind: 'lock', peer: 'p-2', peerName: 'bob', path: 'src/api/login.ts', lockId: 12 },
      { kind: 'task', peer: 'p-3', peerName: 'carol', path: 'src/api/**', task: 'api-x' },
    ]), 'warning: bob holds a lock on src/api/login.ts (#12)\nwarning: carol is on task api-x, which changes src/api/**');
  });
});

describe('plan files and flags', () => {
  it('names an issue by its path as the file spells it', () => {
    assert.equal(issuePath(['phases', 1, 'tasks', 0, 'dependsOn', 2]), 'phases[1].tasks[0].dependsOn[2]');
    assert.equal(issuePath([]), '(the plan)');
  });

  it('reads a valid plan with its defaults', () => {
    const read = readPlan('\uFEFF{"title":"T","phases":[{"id":"p","title":"P","tasks":[{"id":"a","title":"A"}]}]}', 'plan.json');
    assert.deepEqual(read, PlanInput.parse({ title: 'T', phases: [{ id: 'p', title: 'P', tasks: [{ id: 'a', title: 'A' }] }] }));
  });

  it('refuses a file that is not JSON, or not a plan, listing every issue by its path', () => {
    const refused = (text: string) => {
      try {
        readPlan(text, 'plan.json');
      } catch (e) {
        assert.ok(BrokerError.is(e, 'invalidInput'), String(e));
        return e;
      }
      assert.fail('it was read');
    };
    assert.match(refused('{"title":').message, /^plan\.json is not JSON: /);
    const e = refused(JSON.stringify({
      title: 'T',
      phases: [{ id: 'p', title: 'P', tasks: [{ id: 'a', title: 'A', dependsOn: ['ghost'] }, { id: 'a', title: '' }] }],
    }));
    assert.equal(e.message, 'plan.json is not a valid plan (3 issues); nothing was stored');
    assert.deepEqual((e.data?.issues as Array<{ path: string }>).map((i) => i.path).sort(), [
      'phases[0].tasks[0].dependsOn[0]', 'phases[0].tasks[1].id', 'phases[0].tasks[1].title',
    ]);
  });

  it('reads statuses as the protocol spells them or with dashes, and refuses others naming the choices', () => {
    assert.deepEqual(parseStatuses('todo, in-progress,BLOCKED'), ['todo', 'in_progress', 'blocked']);
    assert.throws(() => parseStatuses('todo,doing'), /^BrokerError: --status takes todo, in_progress, review, blocked, done \(several with commas\), not "doing"$/);
    assert.throws(() => parseStatuses(' , ,'), /^BrokerError: --status takes todo, in_progress, review, blocked, done \(several with commas\), not " , ,"$/, 'no status is not "none of them"');
  });
});
