/**
 * A hook's session at a real broker (in this process) through the hook's own link: it joins
 * only the peer of the process it names, may ask only what a hook needs, and a hook that
 * matches no peer, or a wrong secret, gets no further than it should.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Broker } from '../../../src/broker/broker';
import { PeerClient } from '../../../src/client/peer';
import { resolveHome, type MeshHome } from '../../../src/home/home';
import { LinkError, openLink, type HookLink } from '../../../src/hook/link';
import { startBroker } from '../../start-broker';

const rejects = (p: Promise<unknown>, reason: string) => assert.rejects(p, (e: unknown) => e instanceof LinkError && e.reason === reason);

describe('hook: mesh/attach', () => {
  let dir: string;
  let home: MeshHome;
  let broker: Broker;
  let agent: PeerClient;
  const links: HookLink[] = [];
  const link = async (pids: number[], at = dir) => {
    const l = await openLink(at, pids, 5000);
    if (l) links.push(l);
    return l;
  };

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pm-attach-'));
    home = resolveHome({ PEERMESH_HOME: dir });
    broker = await startBroker({ home });
    agent = await PeerClient.connect({ home, canHost: false, connectTimeoutMs: 5000, intro: { name: 'agent', kind: 'claude-code', pid: 424242, cwd: dir } });
  });

  after(async () => {
    for (const l of links) l.close();
    await agent.close();
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('joins the peer of the process it names, for the calls a hook makes and no others', async () => {
    const l = await link([424242]);
    assert.equal(l?.peer?.id, agent.peer.id);
    await l!.request('messages/deliver', {});
    await l!.request('peers/update', { status: 'idle' });
    await rejects(l!.request('peers/update', { name: 'someone-else' }), 'unauthorized');
    await rejects(l!.request('mesh/leave', {}), 'unauthorized');
    await rejects(l!.request('locks/releaseAll', {}), 'unauthorized');
    await rejects(l!.request('mesh/register', { proof: 'x', intro: { name: 'x', kind: 'cli' } }), 'unauthorized');
    const { peers } = await agent.request('peers/list', { scope: 'machine', includeGone: false });
    assert.deepEqual(peers.map((p) => [p.name, p.status]), [['agent', 'idle']], 'still one peer, connected; the hook said idle');
    l!.close();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await agent.request('peers/whoami', {})).peer.status, 'idle', 'the hook leaving does not disconnect the agent');
  });

  it('a hook whose process has no peer may only check claims', async () => {
    const l = await link([1234567]);
    assert.equal(l?.peer, null);
    const { conflicts } = await l!.request<{ conflicts: unknown[] }>('locks/guardEdit', { path: path.join(dir, 'a.ts'), ranges: [] });
    assert.deepEqual(conflicts, []);
    await rejects(l!.request('locks/guardEdit', { path: path.join(dir, 'a.ts'), ranges: [], claim: { ttlSeconds: 60, reason: 'x' } }), 'invalidInput');
    await rejects(l!.request('messages/deliver', {}), 'unauthorized');
  });

  it('when two peers name one process, it speaks for neither', async () => {
    const twin = await PeerClient.connect({ home, canHost: false, connectTimeoutMs: 5000, intro: { name: 'window', kind: 'vscode-window', pid: 424242, cwd: dir } });
    try {
      assert.equal((await link([424242]))?.peer, null);
    } finally {
      await twin.close();
    }
  });

  it('a home with another secret gets no link at all', async () => {
    const other = mkdtempSync(path.join(os.tmpdir(), 'pm-attach-other-'));
    try {
      copyFileSync(path.join(dir, 'broker.json'), path.join(other, 'broker.json'));
      writeFileSync(path.join(other, 'secret'), 'f'.repeat(64));
      assert.equal(await link([424242], other), undefined);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
