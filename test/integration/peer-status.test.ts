/**
 * Peer status and the person's word over claims, over real sockets: what a request says about
 * itself (`_meta.background`) reaches the broker, a working peer turns idle when its window
 * runs out, a dropped connection shows as disconnected, and `locks/forceRelease` and
 * `locks/saveGuarded` reach the holders as pushes.
 */
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { PeerClient } from '../../src/client/peer';
import type { MeshEvent, Message, PeerKind } from '../../src/protocol/entities';
import { BrokerError } from '../../src/protocol/errors';
import { sleep } from './harness';
import { withInProcessBroker, type MeshFixture } from './with-broker';

/** A peer in the test process that never hosts the broker, of any kind, receiving every event. */
async function peer(m: MeshFixture, name: string, kind: PeerKind): Promise<PeerClient> {
  const client = await PeerClient.connect({ home: m.home, canHost: false, subscribeEvents: true, connectTimeoutMs: 10_000, intro: { name, kind, cwd: m.dir } });
  m.defer(() => client.close());
  return client;
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = await probe();
    if (hit !== undefined) return hit;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('peer status and the person\'s word, over the wire', function () {
  this.timeout(60_000);

  it('background requests and long-polls leave a peer idle; its own calls make it working until the window runs out', () => withInProcessBroker(async (m) => {
    const agent = await peer(m, 'agent', 'claude-code');
    const looker = await peer(m, 'looker', 'unknown');
    const status = async () => (await looker.request('peers/list', {}, { background: true })).peers.find((p) => p.id === agent.peer.id);
    await agent.request('peers/list', {}, { background: true });
    await agent.request('status/get', {}, { background: true });
    const { lastEventSeq } = await agent.request('status/get', {}, { background: true });
    const poll = agent.request('events/read', { since: lastEventSeq + 1000, waitMs: 300 });
    await poll;
    assert.deepEqual([(await status())?.status, (await status())?.lastActive], ['idle', null]);
    const before = Date.now();
    await agent.request('locks/list', {});
    const working = await status();
    assert.equal(working?.status, 'working');
    assert.ok(working!.lastActive! >= before);
    await until('the working window to run out', async () => ((await status())?.status === 'idle' ? true : undefined));
    assert.ok(Date.now() - before >= 1000, 'not before the window is over');
    // The looker's own background reads never counted for it either.
    const self = (await looker.request('peers/whoami', {}, { background: true })).peer;
    assert.deepEqual([self.status, self.lastActive], ['idle', null]);
    await assert.rejects(
      looker.request('peers/list', { _meta: { background: 'yes' } } as never),
      (e) => BrokerError.is(e, 'invalidInput') && /_meta/.test(e.message),
    );
  }, { workingWindowMs: 1000 }));

  it('a dropped connection shows as disconnected to the others, with a peer_status push, until it comes back', () => withInProcessBroker(async (m) => {
    const looker = await peer(m, 'looker', 'unknown');
    const events: MeshEvent[] = [];
    looker.onEvent((e) => events.push(e));
    const agent = await peer(m, 'agent', 'cursor');
    const id = agent.peer.id;
    const identity = agent.identity;
    await agent.request('locks/acquire', { target: { path: path.join(m.dir, 'kept.ts') }, reason: 'kept' });
    await agent.close(false);
    const dropped = await until('peer_status disconnected', () => events.find((e) => e.type === 'peer_status' && e.peer === id && e.data.connected === false));
    assert.equal(dropped.type === 'peer_status' && dropped.data.status, 'disconnected');
    assert.equal((await looker.request('peers/list', {})).peers.find((p) => p.id === id)?.status, 'disconnected');
    assert.equal((await looker.request('locks/list', {})).locks.length, 1, 'it keeps its claims');
    const back = await PeerClient.connect({ home: m.home, canHost: false, identity, connectTimeoutMs: 10_000, intro: { name: 'agent', kind: 'cursor' } });
    m.defer(() => back.close());
    const resumed = await until('peer_status connected', () => events.find((e) => e.type === 'peer_status' && e.peer === id && e.data.connected === true));
    assert.equal(resumed.type === 'peer_status' && resumed.data.status, 'working', 'its last call was a moment ago');
  }, { graceMs: 30_000 }));

  it('the editor window force-releases an agent\'s lock: the agent gets the alert and the event; an agent may not', () => withInProcessBroker(async (m) => {
    const agent = await peer(m, 'agent', 'claude-code');
    const rival = await peer(m, 'rival', 'cursor');
    const window = await peer(m, 'vscode:proj', 'vscode-window');
    const messages: Message[] = [];
    const events: MeshEvent[] = [];
    agent.onMessage((msg) => messages.push(msg));
    agent.onEvent((e) => events.push(e));
    const { lock } = await agent.request('locks/acquire', { target: { path: path.join(realpathSync(m.dir), 'a.ts'), startLine: 1, endLine: 9 }, reason: 'mine' });

    await assert.rejects(rival.request('locks/forceRelease', { lockId: lock.id }), (e) => BrokerError.is(e, 'unauthorized') && /only the person/.test(e.message));

    const result = await window.request('locks/forceRelease', { lockId: lock.id, reason: 'the person edits it now' });
    assert.equal(result.alerted, true);
    assert.equal(result.released.id, lock.id);
    const alert = await until('the alert', () => messages.find((msg) => msg.kind === 'alert'));
    assert.deepEqual([alert.from, alert.body], [window.peer.id, 'vscode:proj force-released your lock on a.ts:1-9: the person edits it now']);
    const released = await until('lock_released', () => events.find((e) => e.type === 'lock_released'));
    assert.ok(released.type === 'lock_released');
    assert.deepEqual([released.peer, released.data.reason, released.data.by, released.data.holder], [window.peer.id, 'forced', 'vscode:proj', agent.peer.id]);
    await assert.rejects(window.request('locks/forceRelease', { lockId: lock.id }), (e) => BrokerError.is(e, 'notFound'));
  }));

  it('the editor window records a guarded save: the holders see save_guarded with the claims still held', () => withInProcessBroker(async (m) => {
    const agent = await peer(m, 'agent', 'claude-code');
    const window = await peer(m, 'vscode:proj', 'vscode-window');
    const events: MeshEvent[] = [];
    agent.onEvent((e) => events.push(e));
    const file = path.join(realpathSync(m.dir), 'a.ts');
    const { lock } = await agent.request('locks/acquire', { target: { path: file, startLine: 1, endLine: 9 }, reason: 'mine' });
    assert.deepEqual(await window.request('locks/saveGuarded', { path: file, lockIds: [lock.id, lock.id + 100], choice: 'messaged' }), { ok: true });
    const guarded = await until('save_guarded', () => events.find((e) => e.type === 'save_guarded'));
    assert.equal(guarded.peer, window.peer.id);
    assert.deepEqual(guarded.data, { path: file, relPath: 'a.ts', lockIds: [lock.id], holders: ['agent'], choice: 'messaged' });
  }));
});
