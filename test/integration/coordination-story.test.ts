/**
 * The whole coordination story as three agents and the person live it: real MCP clients on
 * `peermesh mcp` (alice, bob, carol) in one git repository, one `peermesh serve` broker, and
 * the real `peermesh decide` for the person's ruling (the one CLI run). A plan with a contract;
 * alice changes the contract with a blocking delta; bob sees it in his next result and acks;
 * carol disputes it in a debate that runs its five rounds and escalates; the person rules, and
 * both debaters get the ruling as a blocking decision; then the landing queue hands one token
 * of `main` from alice to carol while bob lands on `release` at once.
 *
 * Each step is asserted on what the agents' tool results say (text and structuredContent,
 * above all the `pending` news each carries), as a model would read them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CoordinationNews } from '../../src/core/coordination-news';
import { terminalPeerName } from '../../src/core/terminal-identity';
import { cliPath } from './harness';
import { Agent, type ToolResult } from './mcp-agent';
import { runProcess } from './run-process';
import { withBroker } from './with-broker';

const plan = {
  title: 'Users',
  phases: [{
    id: 'api', title: 'API',
    tasks: [
      { id: 'handlers', title: 'Users handlers', files: ['src/api/users.ts'], contracts: ['users-api'] },
      { id: 'client', title: 'Users client', files: ['web/users.ts'], contracts: ['users-api'] },
    ],
  }],
  contracts: [{ id: 'users-api', kind: 'api', name: 'GET /users', spec: 'GET /users → [{id, name}]', file: 'src/api/users.ts' }],
};

/** The deltas', debates' and landing queue's part of a result's pending news. */
function coordination(r: ToolResult): CoordinationNews | undefined {
  return (r.data.pending as { coordination?: CoordinationNews }).coordination;
}

/** A result's text by lines: the tool's own, then blocking deltas, `pending:`, tasks, other news. */
function lines(r: ToolResult): string[] {
  return r.text.split('\n');
}

const blockingLine = (id: number, kind: string, from: string, summary: string) =>
  `BLOCKING delta #${id} ${kind} from ${from}: ${JSON.stringify(summary)} → take it into account, then mesh_delta action="ack" ids=[${id}]`;

describe('the coordination story: a contract change, a debate the person rules on, the landing queue', function () {
  this.timeout(120_000);

  it('three agents and the person, through MCP tools and peermesh decide', () => withBroker(async (m) => {
    const project = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pm-story-')));
    m.defer(() => rmSync(project, { recursive: true, force: true }));
    execFileSync('git', ['init', '-q', '-b', 'main', project]);
    const join = async (name: string) => {
      const agent = await Agent.start('claude-code', { ...m.env, PEERMESH_NAME: name }, project);
      m.defer(() => agent.close());
      return agent;
    };
    const [alice, bob, carol] = await Promise.all([join('alice'), join('bob'), join('carol')]);
    for (const [agent, name] of [[alice, 'alice'], [bob, 'bob'], [carol, 'carol']] as const) {
      assert.equal((await agent.ok('mesh_whoami')).data.name, name);
    }

    // 1. The plan, and two tasks coding against its contract.
    assert.match((await alice.ok('mesh_plan', { action: 'submit', plan })).text, /^Plan stored as v1 .* 2 tasks, 1 contract\./);
    const bobClaim = await bob.ok('mesh_task', { action: 'claim', task: 'handlers' });
    assert.match(bobClaim.text, /^contract users-api \(api, v1, proposed\) "GET \/users"/m);
    await carol.ok('mesh_task', { action: 'claim', task: 'client' });

    // 2. alice changes the contract: blocking, routed to both tasks' assignees.
    const summary = 'GET /users pages: {items, next}';
    const pushed = await alice.ok('mesh_delta', {
      action: 'push', kind: 'contract_change', contracts: ['users-api'], summary, spec: 'GET /users?cursor= → {items: [{id, name}], next}', blocking: true,
    });
    assert.equal(lines(pushed)[0], 'Pushed delta #1. Sent to bob (task handlers), carol (task client); each must ack it.');
    assert.equal(lines(pushed)[1], 'Contract users-api is v2 now (proposed again).');
    assert.equal(coordination(pushed), undefined, 'the author is not sent its own delta');

    // 3. bob's next result, whatever the tool, leads with it; his task and the contract show the change.
    const blocking1 = blockingLine(1, 'contract change', 'alice', summary);
    const whoami = await bob.ok('mesh_whoami');
    assert.equal(lines(whoami)[1], blocking1, 'right after the tool\'s own text, before the messages');
    assert.deepEqual(coordination(whoami)?.blocking?.map((d) => [d.id, d.kind, d.severity, d.from]), [[1, 'contract_change', 'blocking', 'alice']]);
    const tasks = await bob.ok('mesh_task');
    assert.match(tasks.text, /^handlers \[in_progress, you\] "Users handlers" files: src\/api\/users\.ts contracts changed: users-api v2 \(delta #1\)$/m);
    assert.deepEqual((tasks.data.tasks as Array<{ id: string; changed?: string[] }>).map((t) => [t.id, t.changed]), [
      ['handlers', ['users-api v2 (delta #1)']], ['client', ['users-api v2 (delta #1)']],
    ]);
    assert.ok(lines(tasks).includes(blocking1), 'still there on the next result: it stays until acked');
    const contract = await bob.ok('mesh_plan', { action: 'show', id: 'users-api' });
    assert.match(contract.text, /^Contract users-api \(api, v2, proposed\) "GET \/users" at src\/api\/users\.ts\nspec: GET \/users\?cursor= → \{items/);

    const ack = await bob.ok('mesh_delta', { action: 'ack', ids: [1] });
    assert.equal(lines(ack)[0], 'Acked #1.');
    assert.equal(coordination(ack), undefined, 'the ack\'s own result no longer carries it');
    const afterAck = await bob.ok('mesh_task');
    assert.ok(!afterAck.text.includes('BLOCKING'), afterAck.text);
    assert.deepEqual((afterAck.data.tasks as Array<{ id: string; changed?: string[] }>).map((t) => [t.id, t.changed]), [
      ['handlers', undefined], ['client', ['users-api v2 (delta #1)']],
    ], 'carol has not acked yet');
    const listed = await alice.ok('mesh_delta', { action: 'list' });
    assert.equal(lines(listed)[1], `#1 blocking contract_change by you ${JSON.stringify(summary)} contracts: users-api v2; acked: bob; waiting: carol`);

    // 4. carol disputes the change; five rounds, each keeping its own proposal, then escalation.
    const started = await carol.ok('mesh_debate', {
      action: 'start', topic: 'Paging users', with: ['alice'], origin: 1, position: 'The client needs the whole list', proposal: 'Keep GET /users a plain array',
    });
    assert.equal(lines(started)[0], '#1 "Paging users" [open, round 1 of 5, awaiting alice] you, alice');
    assert.ok(lines(started).includes(blocking1), 'carol has not acked the change: it stays in her news');
    const yourTurn = (round: number) => `debate #1 "Paging users": your turn (round ${round} of 5) → mesh_debate action="get" id=1, then action="respond"`;
    for (let round = 1; round <= 5; round++) {
      if (round > 1) {
        if (round === 2) {
          const turn = await carol.ok('mesh_whoami');
          assert.ok(lines(turn).includes(yourTurn(2)), turn.text);
        }
        const kept = await carol.ok('mesh_debate', { action: 'respond', id: 1, position: 'Still the whole list', accept: 1 });
        assert.equal(lines(kept)[0], `#1 "Paging users" [open, round ${round} of 5, awaiting alice] you, alice`);
      }
      if (round === 1) {
        const turn = await alice.ok('mesh_whoami');
        assert.ok(lines(turn).includes(yourTurn(1)), turn.text);
        assert.deepEqual(coordination(turn)?.debates?.map((d) => [d.id, d.yourTurn, d.round]), [[1, true, 1]]);
      }
      const answered = await alice.ok('mesh_debate', {
        action: 'respond', id: 1, position: 'Lists grow: page them', ...(round === 1 ? { proposal: 'Page GET /users with a cursor' } : { accept: 2 }),
      });
      assert.deepEqual((answered.data.debate as { accepts: unknown }).accepts, { carol: 1, you: 2 });
      assert.equal(lines(answered)[0], round < 5 ? `#1 "Paging users" [open, round ${round + 1} of 5, awaiting carol, you] carol, you` : '#1 "Paging users" [escalated] carol, you');
      if (round === 5) assert.ok(lines(answered).includes('Escalated (rounds): the person will rule; work on something else meanwhile.'), answered.text);
    }
    const escalated = await carol.ok('mesh_whoami');
    assert.ok(lines(escalated).includes('debate #1 "Paging users": escalated; the person will rule'), escalated.text);
    assert.deepEqual(coordination(escalated)?.debates?.map((d) => [d.id, d.status, d.yourTurn]), [[1, 'escalated', false]]);

    // 5. The person rules from the terminal, picking alice's proposal.
    const ruled = await runProcess(process.execPath, [cliPath, 'decide', '1', '--pick', '2'], { cwd: project, env: m.env });
    assert.equal(ruled.code, 0, ruled.stderr);
    assert.equal(ruled.stdout, 'ruled on #1: Page GET /users with a cursor\nsent to carol, alice as blocking decision #2\n');

    // 6. Both debaters get the ruling as a blocking decision, and the debate reads decided.
    const person = terminalPeerName(os.userInfo().username);
    const decision = blockingLine(2, 'decision', person, 'Ruling on Paging users: Page GET /users with a cursor');
    for (const agent of [alice, carol]) {
      const next = await agent.ok('mesh_whoami');
      assert.ok(lines(next).includes(decision), next.text);
      assert.ok(!lines(next).some((l) => l.startsWith('debate #1 ')), `the ruling is said once, by its decision: ${next.text}`);
      assert.deepEqual(coordination(next)?.blocking?.filter((d) => d.id === 2).map((d) => [d.kind, d.severity]), [['decision', 'blocking']]);
    }
    const got = await carol.ok('mesh_debate', { action: 'get', id: 1 });
    assert.equal(lines(got)[0], '#1 "Paging users" [decided] you, alice');
    assert.ok(lines(got).includes(`The person (${person}) ruled: Page GET /users with a cursor. Work to it.`), got.text);
    assert.equal((got.data.debate as { status: string }).status, 'decided');

    // 7. One token per branch: alice holds main, carol waits behind her, bob takes release at once.
    const aliceMain = await alice.ok('mesh_sync', { action: 'acquire', branch: 'main' });
    assert.deepEqual([aliceMain.data.acquired, aliceMain.data.position], [true, 0]);
    const carolMain = await carol.ok('mesh_sync', { action: 'acquire', branch: 'main' });
    assert.deepEqual([carolMain.data.acquired, carolMain.data.position], [false, 1]);
    assert.match(lines(carolMain)[0], /^2nd in line for main behind alice \(holding \d+s\)\./);
    assert.ok(lines(carolMain).includes('landing queue for "main": you are 2nd in line, alice holds the token'), carolMain.text);
    const bobRelease = await bob.ok('mesh_sync', { action: 'acquire', branch: 'release' });
    assert.deepEqual([bobRelease.data.acquired, bobRelease.data.position], [true, 0], 'another branch: no wait behind main');
    assert.match(bobRelease.text, /^you hold the landing token for "release" \(10 minutes left\)/m);
    const status = await alice.ok('mesh_sync');
    assert.match(status.text, /^main: you hold it \(\d+s, until \d\d:\d\d\), 1 waiting: carol\nrelease: bob holds it/);

    // carol waits for her turn (a wait that reaches the broker after the release finds the token hers all the same).
    const waiting = carol.ok('mesh_sync', { action: 'acquire', branch: 'main', wait: 30 });
    waiting.catch(() => undefined); // awaited below; not an unhandled rejection if a step before fails
    const released = await alice.ok('mesh_sync', { action: 'release', branch: 'main' });
    assert.equal(lines(released)[0], 'Done with main: carol holds it now.');
    assert.equal(coordination(released)?.landing, undefined, 'alice holds no token now');
    const waited = await waiting;
    assert.deepEqual([waited.data.acquired, waited.data.position], [true, 0]);
    assert.match(lines(waited)[0], /^You hold the landing token for main until \d\d:\d\d; push, then release\.$/);
    const carolNext = await carol.ok('mesh_whoami');
    assert.match(carolNext.text, /^you hold the landing token for "main" \(10 minutes left\) → rebase, push, then mesh_sync action="release" branch="main"$/m);
    assert.deepEqual(coordination(carolNext)?.landing?.map((l) => [l.branch, l.position]), [['main', 0]]);
  }));
});
