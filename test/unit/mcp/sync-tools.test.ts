/**
 * mesh_sync through real MCP clients over a real broker, in a git repo on `main`: the branch
 * checked out by default, the token or the place in line in words, a wait answered when the
 * holder releases, a release by one that neither holds nor waits refused in the tool's words.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Broker } from '../../../src/broker/broker';
import { resolveHome } from '../../../src/home/home';
import type { SyncQueues } from '../../../src/core/sync';
import { clockTime } from '../../../src/mcp/tools/sync';
import { startBroker } from '../../start-broker';
import { Agent } from './in-memory-agent';

describe('mcp: mesh_sync', function () {
  this.timeout(30_000);
  let dir: string;
  let broker: Broker;
  let alice: Agent;
  let bob: Agent;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pm-sync-'));
    const repo = path.join(dir, 'repo');
    mkdirSync(path.join(repo, '.git'), { recursive: true });
    writeFileSync(path.join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    const home = resolveHome({ PEERMESH_HOME: dir });
    broker = await startBroker({ home });
    alice = await Agent.join(home, repo, 'alice', 'claude-code');
    bob = await Agent.join(home, repo, 'bob', 'cursor');
  });

  after(async () => {
    for (const a of [alice, bob]) await a?.close().catch(() => undefined);
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says when no one holds or waits', async () => {
    const r = await alice.ok('mesh_sync');
    assert.equal(r.text.split('\n')[0], 'No one holds or waits for a branch of this repository. Before pushing: mesh_sync action="acquire".');
    assert.deepEqual(r.data.queues, []);
  });

  it('acquire takes the current branch\'s token, or a place in line behind the holder', async () => {
    const a = await alice.ok('mesh_sync', { action: 'acquire' });
    const expiresAt = Date.now() + 600_000;
    assert.match(a.text.split('\n')[0], /^You hold the landing token for main until \d\d:\d\d; push, then release\.$/);
    assert.ok([clockTime(expiresAt - 5_000), clockTime(expiresAt)].some((t) => a.text.includes(`until ${t};`)), a.text);
    assert.deepEqual([a.data.acquired, a.data.position, (a.data.queue as { holder: string }).holder], [true, 0, 'you']);
    const b = await bob.ok('mesh_sync', { action: 'acquire' });
    assert.equal(b.text.split('\n')[0], '2nd in line for main behind alice (holding 0s). Your place is kept; acquire again with wait to wait for it, release to leave the line.');
    assert.deepEqual([b.data.acquired, b.data.position, (b.data.queue as { waiting: string[] }).waiting], [false, 1, ['you']]);
    const s = await bob.ok('mesh_sync', { action: 'status' });
    assert.match(s.text.split('\n')[0], /^main: alice holds it \(\d+s, until \d\d:\d\d\), 1 waiting: you$/);
  });

  it('a wait is answered when the holder releases', async () => {
    const waiting = bob.ok('mesh_sync', { action: 'acquire', wait: 60 });
    // Released once bob's wait is in (the queue says so whether or not it waits yet; the answer comes either way).
    const released = await alice.ok('mesh_sync', { action: 'release' });
    assert.equal(released.text.split('\n')[0], 'Done with main: bob holds it now.');
    const r = await waiting;
    assert.match(r.text.split('\n')[0], /^You hold the landing token for main until \d\d:\d\d; push, then release\.$/);
  });

  it('a cancelled call stops the broker\'s wait and keeps the place in line', async () => {
    const abort = new AbortController();
    const call = alice.client.callTool({ name: 'mesh_sync', arguments: { action: 'acquire', wait: 60 } }, undefined, { signal: abort.signal });
    const sync = broker.mesh.sync as SyncQueues;
    for (let i = 0; sync.waiting() === 0; i++) {
      assert.ok(i < 200, 'the broker never waited');
      await new Promise((r) => setTimeout(r, 10));
    }
    abort.abort();
    await assert.rejects(call);
    for (let i = 0; sync.waiting() > 0; i++) {
      assert.ok(i < 200, 'the broker kept waiting after the cancel');
      await new Promise((r) => setTimeout(r, 10));
    }
    const s = await bob.ok('mesh_sync', { action: 'status' });
    assert.match(s.text.split('\n')[0], /^main: you hold it .*, 1 waiting: alice$/);
    await alice.ok('mesh_sync', { action: 'release' });
  });

  it('refuses a release by one that neither holds nor waits, in the tool\'s words', async () => {
    const r = await alice.call('mesh_sync', { action: 'release', branch: 'main' });
    assert.equal(r.isError, true);
    assert.match(r.text, /^alice neither holds nor waits for the landing token of main in .+\. Only the holder can release or renew it\./);
  });

  it('refuses a bad branch name naming the argument', async () => {
    const r = await alice.call('mesh_sync', { action: 'acquire', branch: 'my branch' });
    assert.equal(r.isError, true);
    assert.match(r.text, /branch/);
  });
});
