/**
 * Every mesh tool through a real MCP `Client`, in one process: a real broker on a temporary
 * mesh home, two peers, and an MCP server for each (see in-memory-agent.ts). The process-level
 * tests of `peermesh mcp` are in test/integration/mcp.test.ts.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Broker } from '../../../src/broker/broker';
import { noNews, type News } from '../../../src/core/news';
import { meshTools } from '../../../src/mcp/tools';
import { twoAgents, until, type Agent, type TwoAgents } from './in-memory-agent';

describe('mcp tools over the in-memory transport', function () {
  let dir: string;
  let broker: Broker;
  let port: number;
  let alice: Agent;
  let bob: Agent;

  let mesh: TwoAgents | undefined;

  before(async () => {
    mesh = await twoAgents('pm-mcp-');
    ({ dir, broker, alice, bob } = mesh);
    port = broker.info.port;
  });

  after(async () => {
    await mesh?.close();
  });

  it('lists every tool of the catalogue, each with an output schema that has the pending line', async () => {
    const { tools } = await alice.client.listTools();
    assert.deepEqual(tools.map((t) => t.name), meshTools.map((t) => t.name));
    for (const t of tools) {
      assert.ok(t.outputSchema?.properties?.pending, `${t.name} has no pending field in its outputSchema`);
      assert.ok(t.outputSchema.required?.includes('pending'), t.name);
    }
  });

  it('initialize advertises only what the server does: fixed tool and resource lists, resource subscriptions, logging', () => {
    assert.deepEqual(alice.client.getServerCapabilities(), {
      tools: { listChanged: false }, resources: { subscribe: true, listChanged: false }, logging: {},
    });
  });

  it('mesh_lock says that release and renew with neither path nor lockId act on every lock you hold', async () => {
    const lock = (await alice.client.listTools()).tools.find((t) => t.name === 'mesh_lock')!;
    const fields = lock.inputSchema.properties as Record<string, { description?: string }>;
    for (const text of [lock.description, fields.path.description, fields.lockId.description]) {
      assert.match(text ?? '', /neither path nor lockId.*every lock you hold|neither given: every lock you hold/, text);
    }
  });

  it('an agent is idle until it calls a tool: its session joining and its client reading resources do not count', async () => {
    const seen = async () => (await broker.mesh.peers.get(alice.peer.peer.id))!;
    // The session reads the mesh (status, peers) as soon as it has joined.
    await until(async () => ((await seen()).lastSeen > alice.peer.peer.connectedAt ? true : undefined), 'the session reading the mesh after joining');
    for (const uri of ['mesh://inbox', 'mesh://peers', 'mesh://locks']) await alice.client.readResource({ uri });
    const before = await seen();
    assert.deepEqual([before.status, before.lastActive], ['idle', null]);
    await alice.ok('mesh_peers');
    const after = await seen();
    assert.equal(after.status, 'working');
    assert.ok(after.lastActive !== null && after.lastActive >= before.lastSeen);
    assert.equal((await alice.ok('mesh_whoami')).data.status, 'working', 'and it sees itself so');
  });

  it('mesh_whoami, mesh_summary and mesh_peers: each sees the other with what it works on', async () => {
    const me = await alice.ok('mesh_whoami');
    assert.equal(me.data.name, 'alice');
    assert.equal(me.data.kind, 'claude-code');
    assert.equal(me.data.cwd, dir);
    assert.equal(me.data.id, alice.peer.peer.id);
    assert.deepEqual(me.data.pending, noNews);
    assert.match(me.text, /\npending: none$/);

    const set = await alice.ok('mesh_summary', { summary: 'writing tests' });
    assert.deepEqual(set.data, { name: 'alice', summary: 'writing tests', status: 'working', pending: noNews });

    const { data } = await bob.ok('mesh_peers');
    const peers = data.peers as Array<{ name: string; kind: string; summary?: string; me?: boolean }>;
    assert.deepEqual(peers.map((p) => [p.name, p.kind, p.summary, p.me === true]).sort(), [
      ['alice', 'claude-code', 'writing tests', false], ['bob', 'cursor', undefined, true],
    ]);
  });

  it('mesh_send reaches the other agent: its next result of any tool carries the body once, the sender sees it delivered, ack answers it', async () => {
    const sent = await alice.ok('mesh_send', { to: 'bob', body: 'please review the parser', kind: 'request' });
    assert.deepEqual(sent.data.to, ['bob']);
    assert.equal(sent.data.sent, 1);
    const [id] = sent.data.ids as number[];
    const stateSeenByAlice = async () => ((await alice.ok('mesh_inbox', { action: 'sent' })).data.messages as Array<{ id: number; state: string }>).find((m) => m.id === id)?.state;
    assert.equal(await stateSeenByAlice(), 'queued');

    // The push alone brings the news into bob's next result, body and all: no inbox call.
    const result = await until(async () => {
      const r = await bob.ok('mesh_whoami');
      return (r.data.pending as News).messages.length > 0 ? r : undefined;
    }, 'the message to reach bob');
    assert.deepEqual(result.data.pending, {
      messages: [{ id, from: 'alice', kind: 'request', body: 'please review the parser', truncated: false, replyTo: null }],
      more: 0, unread: 1,
    });
    assert.ok(result.text.includes(`pending: 1 new message for you:\n  #${id} request from alice: "please review the parser" → claim it`), result.text);
    assert.equal(await stateSeenByAlice(), 'delivered', 'the sender sees that bob\'s model has seen it');
    const again = await bob.ok('mesh_peers');
    assert.deepEqual(again.data.pending, { messages: [], more: 0, unread: 1 }, 'never shown twice');
    assert.match(again.text, /\npending: nothing new \(1 unread → mesh_inbox\)$/);

    const read = await bob.ok('mesh_inbox');
    assert.deepEqual((read.data.messages as Array<{ id: number; from: string; kind: string; body: string }>).map((m) => [m.id, m.from, m.kind, m.body]),
      [[id, 'alice', 'request', 'please review the parser']]);
    assert.equal(read.data.unread, 0);
    assert.deepEqual(read.data.pending, noNews);
    assert.equal((await bob.ok('mesh_inbox')).text, 'No unread messages.\npending: none');

    const acked = await bob.ok('mesh_inbox', { action: 'ack', ids: [id], reply: 'done, looks good' });
    assert.equal(acked.data.updated, 1);
    const reply = await until(async () => {
      const r = await alice.ok('mesh_inbox');
      return (r.data.messages as unknown[]).length ? r : undefined;
    }, 'the reply to reach alice');
    assert.deepEqual((reply.data.messages as Array<{ from: string; kind: string; replyTo?: number; body: string }>).map((m) => [m.from, m.kind, m.replyTo, m.body]),
      [['bob', 'reply', id, 'done, looks good']]);
  });

  it('mesh_state: set, get by the other, and a stale compare-and-set fails with what to do', async () => {
    const v1 = await alice.ok('mesh_state', { action: 'set', key: 'api/port', value: 3000, ifVersion: 0 });
    assert.deepEqual(v1.data.entry, { key: 'api/port', value: 3000, version: 1, author: 'you' });
    const got = await bob.ok('mesh_state', { action: 'get', key: 'api/port' });
    assert.deepEqual(got.data.entry, { key: 'api/port', value: 3000, version: 1, author: 'alice' });
    await bob.ok('mesh_state', { action: 'set', key: 'api/port', value: 3001, ifVersion: 1 });

    const stale = await alice.call('mesh_state', { action: 'set', key: 'api/port', value: 3002, ifVersion: 1 });
    assert.equal(stale.isError, true);
    assert.match(stale.text, /read it again \(mesh_state get\), then retry with its version as ifVersion/);
    assert.match(stale.text, /\npending: none$/, 'errors carry the pending line too');
    assert.deepEqual(stale.data, {}, 'no structuredContent on an error');

    const listed = await alice.ok('mesh_state', { action: 'list', key: 'api/' });
    assert.deepEqual((listed.data.entries as Array<{ value: unknown; version: number; author: string }>).map((e) => [e.value, e.version, e.author]), [[3001, 2, 'bob']]);
    assert.deepEqual((await bob.ok('mesh_state', { action: 'get', key: 'nothing/here' })).data.entry, null);
  });

  it('mesh_state delete with ifVersion 0 ("only if it is not set") leaves an existing key alone', async () => {
    await alice.ok('mesh_state', { action: 'set', key: 'cas/zero', value: 'keep me' });
    const refused = await bob.call('mesh_state', { action: 'delete', key: 'cas/zero', ifVersion: 0 });
    assert.equal(refused.isError, true, refused.text);
    assert.match(refused.text, /^shared\/cas\/zero: expected it not to exist, but it is at version 1/, 'the version answer, not a schema error');
    assert.equal((await bob.ok('mesh_state', { action: 'get', key: 'cas/zero' })).data.entry !== null, true, 'still set');
    assert.equal((await bob.ok('mesh_state', { action: 'delete', key: 'cas/zero', ifVersion: 1 })).data.deleted, true);
    assert.equal((await bob.ok('mesh_state', { action: 'delete', key: 'cas/zero', ifVersion: 0 })).data.deleted, false, 'not set: nothing to delete');
  });

  it('the peermesh.* namespaces are PeerMesh\'s own: a peer cannot write or delete there, while claiming a request still records its claim', async () => {
    const { ids: [id] } = (await alice.ok('mesh_send', { to: 'bob', body: 'who takes this?', kind: 'request' })).data as { ids: number[] };
    const key = `thread-${id}`;
    const forged = await alice.call('mesh_state', { action: 'set', namespace: 'peermesh.claims', key, value: { by: 'nobody' } });
    assert.equal(forged.isError, true, forged.text);
    assert.match(forged.text, /reserved for PeerMesh itself/);
    assert.equal((await bob.ok('mesh_inbox', { action: 'claim', ids: [id] })).data.updated, 1);
    const claim = (await alice.ok('mesh_state', { action: 'get', namespace: 'peermesh.claims', key })).data.entry as { value: { by: string } };
    assert.equal(claim.value.by, bob.peer.peer.id);
    const deleted = await alice.call('mesh_state', { action: 'delete', namespace: 'peermesh.claims', key });
    assert.match(deleted.text, /reserved for PeerMesh itself/);
    assert.ok((await alice.ok('mesh_state', { action: 'get', namespace: 'peermesh.claims', key })).data.entry, 'the claim stands');
    await bob.ok('mesh_inbox', { action: 'ack', ids: [id] });
    // Bob's claim told alice: read it, so the tests after start with nothing pending.
    await until(async () => ((await alice.ok('mesh_inbox')).data.messages as unknown[]).length > 0 || undefined, 'the claim to be told to alice');
  });

  it('mesh_lock: a conflict names the holder and the reason; after release the other gets it', async () => {
    const got = await alice.ok('mesh_lock', { action: 'acquire', path: 'src/parser.ts', startLine: 10, endLine: 40, reason: 'refactoring' });
    assert.equal((got.data.lock as { target: string }).target, 'src/parser.ts:10-40', 'relative to the agent\'s cwd');
    assert.equal((got.data.lock as { mine?: boolean }).mine, true);

    const conflict = await bob.call('mesh_lock', { action: 'acquire', path: path.join(dir, 'src/parser.ts'), reason: 'rename' });
    assert.equal(conflict.isError, true);
    assert.match(conflict.text, /locked by alice \("refactoring"\) for another/);
    assert.match(conflict.text, /Do not edit it\. .*ask alice with mesh_send/);

    const check = await bob.ok('mesh_lock', { action: 'check', path: 'src/parser.ts' });
    assert.equal(check.data.free, false);
    assert.deepEqual((check.data.locks as Array<{ holder: string; reason?: string }>).map((l) => [l.holder, l.reason]), [['alice', 'refactoring']]);
    assert.equal((await bob.ok('mesh_lock', { action: 'check', path: 'src/parser.ts', startLine: 41 })).data.free, true);

    const released = await alice.ok('mesh_lock', { action: 'release' });
    assert.equal(released.data.released, 1);
    const now = await bob.ok('mesh_lock', { action: 'acquire', path: 'src/parser.ts', reason: 'rename' });
    assert.equal((now.data.lock as { holder: string }).holder, 'bob');
    const listed = await alice.ok('mesh_lock', { action: 'list' });
    assert.deepEqual((listed.data.locks as Array<{ target: string; holder: string; mine?: boolean }>).map((l) => [l.target, l.holder, l.mine]), [['src/parser.ts', 'bob', undefined]]);
    assert.equal((await bob.ok('mesh_lock', { action: 'release', path: 'src/parser.ts' })).data.released, 1);
  });

  it('mesh_events: the log from the start, filtered by type, and going on from the cursor', async () => {
    const joined = await alice.ok('mesh_events', { since: 0, types: ['peer_joined'] });
    assert.deepEqual((joined.data.events as Array<{ type: string; peer?: string }>).map((e) => [e.type, e.peer]), [['peer_joined', 'alice'], ['peer_joined', 'bob']]);

    const first = await bob.ok('mesh_events', { since: 0 });
    const cursor = first.data.cursor as number;
    assert.ok(cursor > 0);
    await alice.ok('mesh_state', { action: 'set', key: 'events/probe', value: true });
    const next = await bob.ok('mesh_events', { types: ['state_changed'] });
    const events = next.data.events as Array<{ seq: number; type: string; peer?: string; data: Record<string, unknown> }>;
    assert.deepEqual(events.map((e) => [e.type, e.peer, e.data.key]), [['state_changed', 'alice', 'events/probe']], 'only what came after the last call');
    assert.ok(events[0].seq > cursor);
    assert.equal((await bob.ok('mesh_events')).text, `No new events (cursor ${next.data.cursor as number}).\npending: none`);
  });

  it('mesh_status: this broker, seen from a peer that does not host it', async () => {
    const { data } = await bob.ok('mesh_status');
    assert.equal(data.pid, process.pid);
    assert.equal(data.port, port);
    assert.equal(data.hostedHere, false);
    assert.equal(data.connection, 'connected');
    assert.equal((data.counts as Record<string, number>).livePeers, 2);
  });

  it('bad calls come back as tool errors that say what to do', async () => {
    const noKey = await alice.call('mesh_state', { action: 'set', value: 1 });
    assert.equal(noKey.isError, true);
    assert.match(noKey.text, /^set needs a key\npending: none$/);
    const noRecipient = await alice.call('mesh_send', { body: 'to whom?' });
    assert.equal(noRecipient.isError, true);
    assert.match(noRecipient.text, /say whom to send to \("to"\), or give replyTo/);
    const unknown = await bob.call('mesh_inbox', { action: 'claim', ids: [999_999] });
    assert.equal(unknown.isError, true);
    assert.match(unknown.text, /#999999 .*\(mesh_inbox with all=true lists yours\)/);
    const badInput = await alice.call('mesh_lock', { action: 'steal', path: 'x' });
    assert.equal(badInput.isError, true, 'input that fails the schema is a tool error, not a protocol error');
    assert.match(badInput.text, /action/);
  });
});
