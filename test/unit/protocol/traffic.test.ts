/**
 * `messages/traffic` over the wire: a real broker on a temporary mesh home and real peer
 * clients, so the schema's defaults and bounds, the handler and the rule that only the
 * person's peers read the traffic are tested as a client meets them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Broker } from '../../../src/broker/broker';
import { PeerClient } from '../../../src/client/peer';
import { resolveHome, type MeshHome } from '../../../src/home/home';
import type { PeerKind } from '../../../src/protocol/entities';
import { BrokerError } from '../../../src/protocol/errors';
import { limits } from '../../../src/protocol/limits';
import { requests } from '../../../src/protocol/methods';
import { startBroker } from '../../start-broker';

describe('protocol: messages/traffic', () => {
  let dir: string;
  let home: MeshHome;
  let broker: Broker;
  const clients: PeerClient[] = [];

  const join = async (name: string, kind: PeerKind): Promise<PeerClient> => {
    const client = await PeerClient.connect({ home, canHost: false, connectTimeoutMs: 5000, intro: { name, kind, cwd: dir } });
    clients.push(client);
    return client;
  };

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pm-traffic-'));
    home = resolveHome({ PEERMESH_HOME: dir });
    broker = await startBroker({ home });
  });

  after(async () => {
    for (const client of clients) await client.close().catch(() => undefined);
    await broker?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('takes a limit of 1 to a page (100 by default), an optional peer and before, and is safe to retry', () => {
    const spec = requests['messages/traffic'];
    assert.deepEqual(spec.params.parse({}), { limit: 100 });
    assert.deepEqual(spec.params.parse({ limit: 5, peer: 'alice', before: 9 }), { limit: 5, peer: 'alice', before: 9 });
    for (const bad of [{ limit: 0 }, { limit: limits.page + 1 }, { peer: '' }, { peer: 'x'.repeat(limits.name + 1) }, { before: 1.5 }]) {
      assert.equal(spec.params.safeParse(bad).success, false, JSON.stringify(bad));
    }
    assert.equal(spec.retry, 'safe');
  });

  it('lets the person\'s window and terminal read what agents say to each other, newest last', async () => {
    const alice = await join('alice', 'claude-code');
    const bob = await join('bob', 'cursor');
    const window = await join('vscode:repo', 'vscode-window');
    const terminal = await join('cli', 'cli');
    const [question] = (await alice.request('messages/send', { to: { peer: 'bob' }, kind: 'request', body: 'who owns the parser?' })).messages;
    const [answer] = (await bob.request('messages/send', { to: { peer: 'alice' }, kind: 'reply', body: 'I do', replyTo: question.id })).messages;

    const { messages } = await window.request('messages/traffic', {});
    assert.deepEqual(messages.map((m) => [m.fromName, m.to, m.body]), [['alice', bob.peer.id, 'who owns the parser?'], ['bob', alice.peer.id, 'I do']]);
    assert.equal(messages[1].replyTo, question.id);
    const byName = await terminal.request('messages/traffic', { peer: 'bob', before: answer.id });
    assert.deepEqual(byName.messages.map((m) => m.id), [question.id]);
    const { messages: [asked] } = await alice.request('messages/get', { ids: [question.id] });
    assert.equal(asked.state, 'queued', 'the person reading it delivered nothing to bob');
  });

  it('refuses agents (unauthorized) and unknown peers (notFound)', async () => {
    const carol = await join('carol', 'codex');
    const window = clients.find((c) => c.peer.kind === 'vscode-window')!;
    await assert.rejects(carol.request('messages/traffic', {}), (e) => BrokerError.is(e, 'unauthorized'));
    await assert.rejects(window.request('messages/traffic', { peer: 'nobody' }), (e) => BrokerError.is(e, 'notFound'));
  });
});
