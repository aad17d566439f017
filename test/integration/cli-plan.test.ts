/**
 * The shared plan on the command line: the real `peermesh` binary against one real broker
 * (`peermesh serve`) for the whole file. Importing plans (invalid ones refused with every issue,
 * nothing stored; a second import is a proposal to accept or reject), listing tasks, claiming
 * (dependencies, --force, another terminal identity's lock on the task's file), moving tasks,
 * and the audit trail exported as JSON lines and as CSV, read back with csv-parse.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { terminalPeerName } from '../../src/core/terminal-identity';
import type * as z from 'zod';
import type { PlanInput, PlanView } from '../../src/protocol/plan';
import { cliPath, spawnCli, tempHome, type Proc } from './harness';
import { runProcess } from './run-process';

/** A plan file as a person writes it: defaults left out. */
const plan: z.input<typeof PlanInput> = {
  title: 'Sign-in with e-mail links',
  description: 'Passwordless sign-in.',
  contracts: [{ id: 'login-api', kind: 'api', name: 'POST /api/login', file: 'src/api/login.ts', spec: 'Body {"email": string}.' }],
  phases: [
    { id: 'server', title: 'Server', tasks: [
      { id: 'login-route', title: 'Login route sends the link', files: ['src/api/**'], contracts: ['login-api'] },
      { id: 'mail', title: 'Mail template', files: ['src/mail/**'] },
    ] },
    { id: 'web', title: 'Web', tasks: [
      { id: 'login-form', title: 'Login form', files: ['web/login.ts'], dependsOn: ['login-route'], contracts: ['login-api'] },
    ] },
  ],
};

describe('peermesh plan, tasks, task, audit export', function () {
  this.timeout(120_000);
  let t: ReturnType<typeof tempHome>;
  let broker: Proc;
  let project: string;
  const me = terminalPeerName(os.userInfo().username);
  const other = terminalPeerName(os.userInfo().username, 'other');
  /** Runs `peermesh` in `cwd` (default: the project), with `input` on stdin. */
  const run = (args: string[], opts: { cwd?: string; input?: string } = {}) =>
    runProcess(process.execPath, [cliPath, ...args], { cwd: opts.cwd ?? project, env: t.env, input: opts.input });
  /** Runs `peermesh` in the project and expects it to succeed. */
  const ok = async (...args: string[]) => {
    const r = await run(args);
    assert.equal(r.code, 0, `peermesh ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const planNow = async (): Promise<PlanView | null> => JSON.parse((await ok('plan', '--json')).stdout).plan;
  const file = (name: string, content: unknown) => {
    const where = path.join(t.dir, name);
    writeFileSync(where, typeof content === 'string' ? content : JSON.stringify(content));
    return where;
  };

  before(async () => {
    t = tempHome();
    broker = spawnCli(['serve', '--json'], t.env);
    await broker.waitFor((o) => o.running === false);
    project = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pm-plan-')));
    execFileSync('git', ['init', '-q', project]);
    mkdirSync(path.join(project, 'src', 'api'), { recursive: true });
  });
  after(async () => {
    broker.kill('SIGTERM');
    await broker.exited;
    t.cleanup();
    rmSync(project, { recursive: true, force: true });
  });

  it('every plan command has --help with its own options', async () => {
    const shared = ['--port', '--as', '--help'];
    const own: Record<string, string[]> = {
      'plan show': ['--project', '--json'],
      'plan import': ['--project', '--json'],
      'plan show-proposal': ['--json'],
      'plan accept': ['--json'],
      'plan reject': ['--reason', '--json'],
      tasks: ['--mine', '--status', '--project', '--json'],
      'task claim': ['--force', '--project', '--json'],
      'task set': ['--status', '--note', '--assignee', '--unassign', '--force', '--project', '--json'],
      'task done': ['--note', '--force', '--project', '--json'],
      'audit export': ['--since', '--format', '--out', '--type'],
    };
    const helps = await Promise.all(Object.keys(own).map((name) => run([...name.split(' '), '--help'])));
    Object.entries(own).forEach(([name, options], i) => {
      assert.equal(helps[i].code, 0, `${name} --help: ${helps[i].stderr}`);
      const listed = helps[i].stdout.split(/\n\n/).find((x) => x.startsWith('Options:'))?.match(/--[a-z-]+/g) ?? [];
      assert.deepEqual(listed.sort(), [...options, ...shared].sort(), name);
    });
  });

  it('refuses a file that is not JSON, or not a valid plan, listing every issue by its path; nothing is stored', async () => {
    // The shape first: every field that is wrong, at once.
    const bad = structuredClone(plan) as typeof plan;
    (bad.contracts![0] as { kind: string }).kind = 'rest';
    bad.phases[0].tasks[1].id = 'Mail Template!';
    bad.phases[1].title = ' ';
    // Then how its parts fit together: every id once, every dependency a task of the plan.
    const unfit = structuredClone(plan) as typeof plan;
    unfit.phases[1].tasks[0].dependsOn = ['nowhere'];
    unfit.phases[0].tasks[1].id = 'login-route';
    const [notJson, invalid, refused] = await Promise.all([
      run(['plan', 'import', file('broken.json', '{"title": "x",')]),
      run(['plan', 'import', file('invalid.json', bad)]),
      run(['plan', 'import', file('unfit.json', unfit)]),
    ]);
    assert.equal(notJson.code, 2);
    assert.match(notJson.stderr, /^peermesh: \S*broken\.json is not JSON: /);
    assert.equal(invalid.code, 2, invalid.stderr);
    const lines = invalid.stderr.trimEnd().split('\n');
    assert.match(lines[0], /^peermesh: \S*invalid\.json is not a valid plan \(3 issues\); nothing was stored$/);
    assert.deepEqual(lines.slice(1).map((l) => l.replace(/: .*/, '')), ['  phases[0].tasks[1].id', '  phases[1].title', '  contracts[0].kind']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.deepEqual(refused.stderr.trimEnd().split('\n').slice(1), [
      '  phases[0].tasks[1].id: task id "login-route" is used twice',
      '  phases[1].tasks[0].dependsOn[0]: task "login-form" depends on "nowhere", which is not a task of this plan',
    ]);
    assert.equal(await planNow(), null);
    assert.match((await ok('plan')).stdout, /^no plan yet for the project of /);
  });

  it('imports a plan from stdin into the current folder\'s project and shows it as a tree', async () => {
    const empty = await run(['plan', 'import', '-']);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /^peermesh: stdin is not JSON: /);
    const r = await run(['plan', 'import', '-'], { cwd: path.join(project, 'src'), input: JSON.stringify(plan) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `stored plan "Sign-in with e-mail links" (version 1) for ${project}: 2 phases, 3 tasks, 1 contract; peermesh plan shows it\n`);
    const tree = (await ok('plan')).stdout;
    assert.match(tree, /^Sign-in with e-mail links \(version 1\)\nproject /);
    assert.match(tree, /\nserver {2}Server\n {2}○ todo {2}login-route {2}Login route sends the link {2}-\n/);
    assert.match(tree, /\n\nweb {2}Web\n {2}○ todo {2}login-form {3}Login form {18}- {2}needs login-route\n/);
    assert.match(tree, /\ncontracts\n {2}login-api {2}api {2}v1 {2}proposed {2}POST \/api\/login {2}src\/api\/login\.ts\n/);
    // --project names the same project from elsewhere.
    assert.equal((await run(['plan', '--json', '--project', path.join(project, 'src', 'api')], { cwd: os.tmpdir() })).stdout, (await ok('plan', '--json')).stdout);
  });

  it('lists tasks: all, by status, and the caller\'s own', async () => {
    const ids = async (...args: string[]) => (JSON.parse((await ok('tasks', '--json', ...args)).stdout) as Array<{ id: string }>).map((x) => x.id);
    // Only looking: all at once.
    const [all, todo, moving, mine, none, listing] = await Promise.all([
      ids(), ids('--status', 'todo'), ids('--status', 'in-progress,done'), ids('--mine'), ok('tasks', '--status', 'done'), ok('tasks'),
    ]);
    assert.deepEqual([all, todo, moving, mine], [['login-route', 'mail', 'login-form'], ['login-route', 'mail', 'login-form'], [], []]);
    assert.equal(none.stdout, 'no tasks\n');
    const table = listing.stdout.split('\n');
    assert.deepEqual(table[0].split(/ {2,}/), ['ID', 'STATUS', 'ASSIGNEE', 'PHASE', 'TITLE']);
    assert.deepEqual(table.slice(1, 4).map((row) => row.split(/ {2,}/)), [
      ['login-route', '○ todo', '-', 'server', 'Login route sends the link (ready)'],
      ['mail', '○ todo', '-', 'server', 'Mail template (ready)'],
      ['login-form', '○ todo', '-', 'web', 'Login form (needs login-route)'],
    ]);
    const refused = await run(['tasks', '--status', 'doing']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^peermesh: --status takes todo, in_progress, review, blocked, done/);
  });

  it('claims: a task whose dependency is not done is refused naming it (done too), unless --force says why', async () => {
    const early = await run(['task', 'claim', 'login-form']);
    assert.equal(early.code, 1);
    assert.equal(early.stderr, 'peermesh: task login-form is not ready: it needs login-route (todo) done first (peermesh plan shows them); to start it anyway, say why: --force REASON\n');
    const doneEarly = await run(['task', 'done', 'login-form']);
    assert.equal(doneEarly.code, 1);
    assert.equal(doneEarly.stderr, early.stderr, 'done straight from todo waits for the same tasks');
    const forced = await ok('task', 'claim', 'login-form', '--force', 'the API is stubbed');
    assert.equal(forced.stdout, `claimed login-form "Login form": ◐ in progress, ${me} (the API is stubbed)\n`);
    assert.deepEqual((JSON.parse((await ok('tasks', '--mine', '--json')).stdout) as Array<{ id: string; status: string }>).map((x) => [x.id, x.status]),
      [['login-form', 'in_progress']]);
    const unknown = await run(['task', 'claim', 'nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^peermesh: no task "nope" in the plan of .*; its tasks: login-route, mail, login-form$/m);
  });

  it('warns of another terminal identity\'s lock on the task\'s files; that identity cannot take the task then', async () => {
    const lock = await ok('--as', 'other', 'lock', path.join(project, 'src', 'api', 'login.ts'), '--reason', 'fixing the route');
    const lockId = /\(#(\d+)\)/.exec(lock.stdout)?.[1];
    const claimed = await ok('task', 'claim', 'login-route');
    assert.match(claimed.stdout, new RegExp(`^claimed login-route "Login route sends the link": ◐ in progress, ${me}\n$`));
    assert.equal(claimed.stderr, `warning: ${other} holds a lock on src/api/login.ts (#${lockId})\n`);
    const json = JSON.parse((await ok('task', 'claim', 'login-route', '--json')).stdout);
    assert.deepEqual(json.warnings.map((w: { kind: string; peerName: string; path: string }) => [w.kind, w.peerName, w.path]), [['lock', other, 'src/api/login.ts']]);
    const taken = await run(['--as', 'other', 'task', 'claim', 'login-route']);
    assert.equal(taken.code, 1);
    assert.equal(taken.stderr, `peermesh: task login-route is taken: ${me} has it (in progress); ask them (peermesh send ${me} TEXT), or free it for anyone: peermesh task set login-route --unassign\n`);
    await ok('--as', 'other', 'unlock', path.join(project, 'src', 'api', 'login.ts'));
  });

  it('moves tasks: a blocked one needs a note, done, handed to another peer, unassigned', async () => {
    const noNote = await run(['task', 'set', 'mail', '--status', 'blocked']);
    assert.equal(noNote.code, 2);
    assert.match(noNote.stderr, /^peermesh: say why task mail is blocked: --note TEXT\n/);
    assert.equal((await ok('task', 'set', 'mail', '--status', 'blocked', '--note', 'waits for the mail server')).stdout,
      `mail "Mail template": ✗ blocked, ${me} (waits for the mail server)\n`);
    assert.equal((await ok('task', 'done', 'login-route')).stdout, `login-route "Login route sends the link": ✓ done, ${me}\n`);
    assert.equal((await ok('task', 'set', 'mail', '--assignee', other)).stdout, `mail "Mail template": ✗ blocked, ${other} (waits for the mail server)\n`);
    assert.match((await ok('task', 'set', 'mail', '--unassign', '--status', 'todo')).stdout, /^mail "Mail template": ○ todo, unassigned\n$/);
    const mistakes = [
      [['task', 'set', 'mail'], /say what to change/],
      [['task', 'set', 'mail', '--assignee', 'x', '--unassign'], /do not go together/],
      [['task', 'set', 'mail', '--status', 'todo,done'], /one status/],
      [['task', 'done', 'no way'], /is not a task id/],
      [['tasks', '--project', path.join(project, 'missing')], /there is no folder/],
    ] as const;
    const refusals = await Promise.all(mistakes.map(([args]) => run([...args])));
    mistakes.forEach(([args, words], i) => {
      assert.equal(refusals[i].code, 2, `${args.join(' ')}: ${refusals[i].stderr}`);
      assert.match(refusals[i].stderr, words);
    });
    const tree = (await ok('plan')).stdout;
    assert.match(tree, /3 tasks: 1 done, 1 in progress, 1 todo/);
    assert.ok(tree.split('\n').includes('  ○ todo         mail         Mail template               -'), tree);
  });

  it('a second import is a proposal: its changes, how to accept; accept makes it the plan, reject turns one down', async () => {
    const next = structuredClone(plan);
    next.phases[0].tasks.push({ id: 'rate-limit', title: 'Rate limit the login route', files: ['src/api/limit.ts'] });
    next.phases[0].tasks[1].title = 'Mail template, HTML and text';
    const proposed = await ok('plan', 'import', file('next.json', next));
    assert.equal(proposed.stdout, [
      'the project has a plan already: this one is proposal #1, waiting (against version 1); accepting it changes:',
      '  ~ task mail: title',
      '  + task rate-limit',
      'accept it: peermesh plan accept 1',
      'reject it: peermesh plan reject 1 [--reason TEXT]',
      '',
    ].join('\n'));
    assert.equal((await planNow())?.version, 1, 'nothing changes until it is accepted');
    assert.match((await ok('plan')).stdout, /\n1 proposal waiting\n {2}#1 {2}by .* \(file\) {2}2 changes {2}against version 1\n/);
    assert.match((await ok('plan', 'show-proposal', '#1')).stdout, /^proposal #1 by .* against plan version 1: pending, 2 changes\nwhat accepting it changes, against the plan now:\n {2}~ task mail: title\n/);
    assert.equal((await ok('plan', 'accept', '1')).stdout, 'accepted proposal #1: "Sign-in with e-mail links" is now version 2; peermesh plan shows it\n');
    const now = await planNow();
    assert.deepEqual(now?.phases[0].tasks.map((x) => [x.id, x.status]), [['login-route', 'done'], ['mail', 'todo'], ['rate-limit', 'todo']]);
    assert.equal(now?.phases[1].tasks[0].status, 'in_progress', 'tasks that stay keep their status');

    next.title = 'Sign-in, simpler';
    assert.match((await ok('--as', 'other', 'plan', 'import', file('third.json', next))).stdout, /proposal #2/);
    assert.equal((await ok('plan', 'reject', '2', '--reason', 'keep the title')).stdout, `rejected proposal #2 (made by ${other}); the plan is unchanged\n`);
    const again = await run(['plan', 'accept', '2']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /^peermesh: proposal 2 is rejected, no longer pending/);
    assert.equal((await planNow())?.title, 'Sign-in with e-mail links');
  });

  it('exports the audit trail as JSON lines: every plan change, claim and move with its author', async () => {
    const lines = (await ok('audit', 'export', '--type', 'plan_*,task_*')).stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    const trail = lines.map((e) => [e.type, e.peerName, e.data.task ?? e.data.proposal ?? null]);
    assert.deepEqual(trail, [
      ['plan_changed', me, null],
      ['task_claimed', me, 'login-form'],
      ['task_claimed', me, 'login-route'],
      ['task_updated', me, 'mail'],
      ['task_updated', me, 'login-route'],
      ['task_updated', me, 'mail'],
      ['task_updated', me, 'mail'],
      ['plan_proposed', me, 1],
      ['plan_changed', me, 1],
      ['plan_proposed', other, 2],
      ['plan_rejected', me, 2],
    ]);
    assert.deepEqual(Object.keys(lines[0]), ['seq', 'time', 'type', 'peer', 'peerName', 'data']);
    assert.ok(lines.every((e, i) => i === 0 || e.seq > lines[i - 1].seq), 'oldest first');
    assert.equal(lines[1].data.forced, 'the API is stubbed');
    assert.equal(lines[7].data.source, 'file', 'an imported plan says it came from a file');
    const [future, recent] = await Promise.all([ok('audit', 'export', '--since', '2099-01-01'), ok('audit', 'export', '--since', '1h', '--type', 'plan_rejected')]);
    assert.equal(future.stdout, '');
    assert.equal(recent.stdout.trimEnd().split('\n').length, 1);
  });

  it('exports it as CSV to a file: fixed columns, one per data field, read back whole', async () => {
    const out = path.join(t.dir, 'audit.csv');
    const r = await ok('audit', 'export', '--format', 'csv', '--out', out, '--type', 'task_claimed,task_updated,plan_rejected');
    assert.equal(r.stdout, `exported 7 events to ${out}\n`);
    const rows: Array<Record<string, string>> = parse(readFileSync(out, 'utf8'), { columns: true });
    // The fixed columns, then the fields of the types asked for, in the protocol's order of types.
    assert.deepEqual(Object.keys(rows[0]), [
      'seq', 'time', 'type', 'peer', 'peer_name', 'project', 'proposal', 'reason', 'superseded', 'byName',
      'task', 'title', 'forced', 'overlaps', 'status', 'previous', 'assignee', 'assigneeName', 'note',
    ]);
    assert.deepEqual(rows.map((x) => [x.type, x.peer_name, x.task, x.status]), [
      ['task_claimed', me, 'login-form', ''],
      ['task_claimed', me, 'login-route', ''],
      ['task_updated', me, 'mail', 'blocked'],
      ['task_updated', me, 'login-route', 'done'],
      ['task_updated', me, 'mail', 'blocked'],
      ['task_updated', me, 'mail', 'todo'],
      ['plan_rejected', me, '', ''],
    ]);
    assert.equal(rows[2].note, 'waits for the mail server');
    assert.equal(rows[4].assigneeName, other);
    assert.equal(rows[6].reason, 'keep the title');
    assert.ok(rows.every((x) => x.project === project && !Number.isNaN(Date.parse(x.time))));
    const refused = await run(['audit', 'export', '--out', path.join(t.dir, 'no', 'such', 'audit.csv')]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^peermesh: --out: cannot write .*: there is no such folder\n$/);
  });
});
