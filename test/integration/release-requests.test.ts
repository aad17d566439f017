/**
 * Asking a holder to let go, as agents live it: real MCP clients on `peermesh mcp` (alice and
 * bob) and the `peermesh` command, one `peermesh serve` broker whose release requests escalate
 * after 2 s (`--request-escalate`). Bob asks for the tail of alice's claim and waits; alice
 * reads the request in her results and narrows; bob's wait is granted the freed lines. A request
 * nobody answers escalates to the person. A check counts the requests already queued.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { agentsInRepo, newsWith, type AgentsInRepo } from './agents-in-repo';
import { sleep } from './harness';
import type { ToolResult } from './mcp-agent';
import { withBroker, type ProcessBrokerFixture } from './with-broker';

const source = Array.from({ length: 40 }, (_, i) => `export function step${i + 1}(): number { return ${i + 1}; }`);

/** Alice and bob in a repository holding steps.ts. */
function twoAgents(m: ProcessBrokerFixture): Promise<AgentsInRepo> {
  return agentsInRepo(m, { 'steps.ts': `${source.join('\n')}\n` });
}

describe('asking a holder to let go', function () {
  this.timeout(120_000);

  it('bob asks for the tail of alice\'s claim and waits; alice narrows; bob is granted the freed lines', () => withBroker(async (m) => {
    const { alice, bob } = await twoAgents(m);
    const held = await alice.ok('mesh_lock', { action: 'acquire', path: 'steps.ts', startLine: 1, endLine: 20, reason: 'rework steps' });
    const lockId = (held.data.lock as { id: number }).id;
    const waiting = bob.ok('mesh_lock', { action: 'request', path: 'steps.ts', startLine: 15, endLine: 18, reason: 'hotfix in step16', waitSeconds: 60 });
    const asked = await newsWith(alice, `from bob for your claim #${lockId} on steps.ts:15-18: "hotfix in step16"`);
    const requestId = Number(/release request #(\d+)/.exec(asked.text)![1]);
    assert.ok(asked.text.includes(`→ mesh_lock action="answer" requestId=${requestId} answer="release"`), asked.text);
    const narrowed = await alice.ok('mesh_lock', { action: 'answer', requestId, answer: 'narrow', startLine: 1, endLine: 10 });
    assert.match(narrowed.text, /^Narrowed #\d+ to steps\.ts:1-10; the rest is free and bob was told\./);
    const granted = await waiting;
    assert.match(granted.text, /^Locked steps\.ts:15-18 \(#\d+\) for .*: its holder let it go\./);
    // The answer comes with the result it was waited in, and only there.
    const answer = `your release request #${requestId}: alice narrowed claim #${lockId} to lines 1-10 of steps.ts; the rest is free`;
    assert.ok(granted.text.includes(answer), granted.text);
    assert.ok(!(await bob.ok('mesh_whoami')).text.includes(answer));
    const locks = (await (await m.observer()).request('locks/list', {})).locks.map((l) => [l.holderName, l.startLine, l.endLine]);
    assert.deepEqual(locks, [['alice', 1, 10], ['bob', 15, 18]]);
  }));

  it('a request nobody answers escalates to the person; the command line asks too', () => withBroker({ serveArgs: ['--request-escalate', '2s'] }, async (m) => {
    const { project, alice, bob } = await twoAgents(m);
    await alice.ok('mesh_lock', { action: 'acquire', path: 'steps.ts', startLine: 1, endLine: 20, reason: 'rework steps' });
    const obs = await m.observer();
    const since = (await obs.request('status/get', {})).lastEventSeq;
    const asked = await bob.ok('mesh_lock', { action: 'request', path: 'steps.ts', startLine: 5, endLine: 6, reason: 'need step5' });
    const [requestId] = asked.data.requests as number[];
    let escalated;
    for (;;) {
      const { events } = await obs.request('events/read', { since, types: ['lock_request_escalated'], waitMs: 5000 });
      escalated = events.find((e) => e.type === 'lock_request_escalated' && e.data.id === requestId);
      if (escalated) break;
    }
    assert.ok(escalated?.type === 'lock_request_escalated');
    assert.deepEqual([escalated.data.holderName, escalated.data.requesterName, escalated.data.status], ['alice', 'bob', 'escalated']);
    await newsWith(alice, `release request #${requestId} from bob for your claim`);
    assert.ok((await alice.ok('mesh_whoami')).text.includes('(unanswered too long: the person was asked)'));

    const cli = await m.cli('lock', '--request', `${path.join(project, 'steps.ts')}:7-8`, '--reason', 'the build is red');
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /^asked alice to release lock #\d+ \(request #\d+\)\nto wait for it, ask with --wait <seconds>/);
    const noReason = await m.cli('lock', '--request', `${path.join(project, 'steps.ts')}:7-8`);
    assert.notEqual(noReason.code, 0);
    assert.match(noReason.stderr, /--request needs --reason/);
  }));

  it('check is free only when an acquire would succeed now: it reports the queue', () => withBroker(async (m) => {
    const { project, alice, bob } = await twoAgents(m);
    await alice.ok('mesh_lock', { action: 'acquire', path: 'steps.ts', startLine: 1, endLine: 10, reason: 'top' });
    const waiting = bob.ok('mesh_lock', { action: 'acquire', path: 'steps.ts', startLine: 5, endLine: 25, reason: 'wide', waitSeconds: 60 });
    let check: ToolResult;
    for (;;) {
      check = await alice.ok('mesh_lock', { action: 'check', path: 'steps.ts', startLine: 22, endLine: 24 });
      if (check.data.free === false) break;
      await sleep(50);
    }
    assert.equal(check.text.split('\n')[0], 'steps.ts is not held, but queued: 1 ahead (bob first); acquire with waitSeconds to wait your turn.');
    const cli = await m.cli('check', `${path.join(project, 'steps.ts')}:22-24`);
    assert.equal(cli.code, 1);
    assert.match(cli.stdout, /is not held, but queued: 1 ahead \(bob first\)/);
    await alice.ok('mesh_lock', { action: 'release' });
    assert.match((await waiting).text, /^Locked steps\.ts:5-25/);
  }));
});
