/**
 * The landing queue on the command line: the real `peermesh` binary in a git repo on `main`,
 * against a broker in the test process, with an agent (a client here) landing on the same
 * branch. Four runs: take the token (the branch checked out by default), see the line, hand
 * the token on, and wait for it until the agent releases.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Broker } from '../../src/broker/broker';
import type { PeerClient } from '../../src/client/peer';
import { terminalPeerName } from '../../src/core/terminal-identity';
import type { SyncQueue } from '../../src/protocol/coordination';
import { startBroker } from '../start-broker';
import { cliPath, observer, tempHome } from './harness';
import { runProcess } from './run-process';

describe('peermesh sync', function () {
  this.timeout(120_000);
  let t: ReturnType<typeof tempHome>;
  let broker: Broker;
  let agent: PeerClient;
  let repo: string;
  const me = terminalPeerName(os.userInfo().username);
  const run = (...args: string[]) => runProcess(process.execPath, [cliPath, 'sync', ...args], { cwd: repo, env: t.env });
  const main = async (): Promise<SyncQueue | undefined> => (await agent.request('sync/status', { project: repo, branch: 'main' })).queues[0];

  before(async () => {
    t = tempHome();
    broker = await startBroker({ home: t.home });
    repo = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'pm-sync-')));
    mkdirSync(path.join(repo, '.git'));
    writeFileSync(path.join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    agent = await observer(t.home, 'agent');
  });

  after(async () => {
    await agent?.close();
    await broker?.close();
    t.cleanup();
    rmSync(repo, { recursive: true, force: true });
  });

  it('takes the token of the branch checked out, shows the line, hands it on, and waits for its turn', async () => {
    const taken = await run('acquire', '--ttl', '300');
    assert.equal(taken.code, 0, taken.stderr);
    assert.match(taken.stdout, /^you hold the landing token for main for 5m; push, then: peermesh sync release\n$/);

    assert.equal((await agent.request('sync/acquire', { project: repo, branch: 'main' })).position, 1);
    const status = await run('status', '--json');
    assert.equal(status.code, 0, status.stderr);
    const [queue] = JSON.parse(status.stdout) as SyncQueue[];
    assert.deepEqual([queue.branch, queue.holder?.peerName, queue.waiting.map((w) => w.peerName)], ['main', me, ['agent']]);

    const released = await run('release');
    assert.equal(released.code, 0, released.stderr);
    assert.equal(released.stdout, 'done with main: agent holds it now\n');

    const waiting = run('acquire', '--wait', '2m');
    // The agent lets go once the terminal is in line (it keeps its place whether it waits yet or not).
    for (let i = 0; !(await main())?.waiting.some((w) => w.peerName === me); i++) {
      assert.ok(i < 500, 'the terminal never joined the line');
      await new Promise((r) => setTimeout(r, 20));
    }
    await agent.request('sync/release', { project: repo, branch: 'main' });
    const got = await waiting;
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, /^you hold the landing token for main for 10m; push, then: peermesh sync release\n$/);
    assert.equal((await main())?.holder?.peerName, me);
  });
});
