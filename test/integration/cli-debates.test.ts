/**
 * Debates on the command line, for the person: the real `peermesh` binary (four runs) against
 * a real broker in this process, where two agents argued through their own connections. The
 * listing shows what waits on the person, `debate show` reads one round by round, `decide`
 * rules (a blocking decision to both agents, recorded on the contract), and a second ruling
 * is refused in the person's words.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Broker } from '../../src/broker/broker';
import { PeerClient } from '../../src/client/peer';
import { terminalPeerName } from '../../src/core/terminal-identity';
import { startBroker } from '../start-broker';
import { cliPath, tempHome } from './harness';
import { runProcess } from './run-process';

describe('peermesh debates, debate show, decide', function () {
  this.timeout(120_000);
  let t: ReturnType<typeof tempHome>;
  let broker: Broker;
  let project: string;
  let alice: PeerClient;
  let bob: PeerClient;
  const run = (...args: string[]) => runProcess(process.execPath, [cliPath, ...args], { cwd: project, env: t.env });
  const agent = (name: string) => PeerClient.connect({ home: t.home, canHost: false, subscribeEvents: false, connectTimeoutMs: 5000, intro: { name, kind: 'claude-code', cwd: project } });

  before(async () => {
    t = tempHome();
    broker = await startBroker({ home: t.home, debate: { maxRounds: 1 } });
    project = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pm-debates-')));
    execFileSync('git', ['init', '-q', project]);
    [alice, bob] = [await agent('alice'), await agent('bob')];
    await alice.request('plan/submit', {
      source: 'agent',
      plan: { title: 'API', phases: [{ id: 'p', title: 'P', tasks: [{ id: 'route', title: 'Route', contracts: ['api'] }] }], contracts: [{ id: 'api', kind: 'api', name: 'GET /x', spec: 'x' }] },
    });
    // #1 escalates after its one round; #2 resolves; #3 is open, awaiting bob.
    const { debate: first } = await alice.request('debate/start', { topic: 'REST or RPC', with: ['bob'], contract: 'api', turn: { position: 'REST is simpler', proposal: 'REST' } });
    await bob.request('debate/respond', { id: first.id, turn: { position: 'RPC is typed', constraints: ['keep the client small'], proposal: 'RPC' } });
    const { debate: second } = await alice.request('debate/start', { topic: 'tabs', with: ['bob'], turn: { position: 'tabs', proposal: 'tabs' } });
    await bob.request('debate/respond', { id: second.id, turn: { position: 'fine', accept: 1 } });
    await alice.request('debate/start', { topic: 'naming', with: ['bob'], turn: { position: 'camelCase' } });
  });

  after(async () => {
    for (const c of [alice, bob]) await c?.close();
    await broker?.close();
    t.cleanup();
    rmSync(project, { recursive: true, force: true });
  });

  it('lists what is open or waits for a ruling, shows one round by round, rules, and refuses a second ruling', async () => {
    const listed = await run('debates');
    assert.equal(listed.code, 0, listed.stderr);
    const rows = listed.stdout.trim().split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
    assert.deepEqual(rows, [
      'ID STATE WHO TOPIC',
      '#3 open, round 1 of 1, awaiting bob alice, bob naming',
      '#1 escalated (no agreement after 1 round) alice, bob REST or RPC',
    ]);

    const shown = await run('debate', 'show', '1');
    assert.equal(shown.code, 0, shown.stderr);
    assert.deepEqual(shown.stdout.trim().split('\n'), [
      '#1 "REST or RPC": escalated (no agreement after 1 round)',
      'participants: alice, bob',
      'concerns: contract api',
      'round 1',
      '  alice: REST is simpler',
      '    proposes 1: REST',
      '  bob: RPC is typed',
      '    must: keep the client small',
      '    proposes 2: RPC',
      'rule with: peermesh decide 1 --pick N, or peermesh decide 1 "your ruling"',
    ]);

    const ruled = await run('decide', '1', '--pick', '2');
    assert.equal(ruled.code, 0, ruled.stderr);
    assert.match(ruled.stdout, /^ruled on #1: RPC\nsent to alice, bob as blocking decision #(\d+)\n$/);
    const { debate } = await alice.request('debate/get', { id: 1 });
    assert.deepEqual([debate.status, debate.ruling?.proposal, debate.ruling?.peerName], ['decided', 2, terminalPeerName(os.userInfo().username)], 'the terminal is the person');
    const { plan } = await bob.request('plan/get', {});
    assert.deepEqual(plan?.contracts[0].decisions?.map((d) => [d.debate, d.text]), [[1, 'RPC']]);
    const { changed } = await bob.request('debate/mine', { seen: true });
    assert.deepEqual(changed.map((d) => [d.id, d.status]), [[1, 'decided']]);

    const again = await run('decide', '#1', 'REST', 'after', 'all');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /debate #1 is decided: there is nothing to rule on/);
  });
});
