import assert from 'node:assert/strict';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { PeerClient } from '../../src/client/peer';
import { createMcpServer } from '../../src/mcp/server';
import { BrokerError } from '../../src/protocol/errors';
import { limits } from '../../src/protocol/limits';
import { withBroker, withInProcessBroker } from './with-broker';

describe('bad input through the real broker', function () {
  this.timeout(120_000);

  it('a lone surrogate comes back as one U+FFFD, as a UTF-8 round trip gives, in bodies, state, summaries and reasons', () => withInProcessBroker(async (mesh) => {
    const lone = 'a\uD800b';
    const once = 'a\uFFFDb';
    const sender = await mesh.observer('sender');
    const reader = await mesh.observer('reader');
    const [sent] = (await sender.request('messages/send', { to: { peer: 'reader' }, kind: 'text', body: lone })).messages;
    assert.equal(sent.body, once, 'the sender is told what was stored');
    const { messages } = await reader.request('messages/inbox', { unreadOnly: true, limit: 10 });
    assert.deepEqual(messages.map((m) => m.body), [once]);

    const { entry } = await sender.request('state/set', { namespace: 'ns', key: `k${lone}`, value: { text: lone, [lone]: 1 } });
    assert.deepEqual(entry.value, { text: once, [once]: 1 });
    const read = (await reader.request('state/get', { namespace: 'ns', key: `k${once}` })).entry;
    assert.deepEqual(read?.value, { text: once, [once]: 1 }, 'the key and the value are stored as they were answered');

    await sender.request('peers/update', { summary: lone });
    const { peers } = await reader.request('peers/list', { scope: 'machine' });
    assert.equal(peers.find((p) => p.id === sender.peer.id)?.summary, once);

    const { lock } = await sender.request('locks/acquire', { target: { path: path.join(mesh.dir, 'a.ts') }, reason: lone });
    assert.equal(lock.reason, once);
    assert.deepEqual((await reader.request('locks/list', {})).locks.map((l) => l.reason), [once]);
  }));

  it('paths thousands of folders deep are refused with a clear error, and other peers are answered meanwhile', () => withBroker(async (mesh) => {
    const hostile = await mesh.observer('deep');
    const other = await mesh.observer('other');
    // Each one new, so no answer the broker remembers for a path saves it the file-system walk.
    const deep = (i: number) => path.join(mesh.dir, 'a/'.repeat(1900), `x${i}.ts`);
    const outcomes = Array.from({ length: 20 }, (_, i) => hostile.request('locks/acquire', { target: { path: deep(i) }, reason: '' }).then(
      (r) => `granted ${r.lock.relPath.length} characters`,
      (e: unknown) => (BrokerError.is(e, 'invalidInput') ? e.message : String(e)),
    ));
    const pings = Array.from({ length: 20 }, () => other.request('peers/whoami', {}));
    assert.deepEqual(new Set((await Promise.all(pings)).map((r) => r.peer.id)), new Set([other.peer.id]));
    for (const outcome of await Promise.all(outcomes)) {
      assert.match(outcome, new RegExp(`^path ".*…" is 1903 folders deep; a path may be at most ${limits.pathDepth} deep$`));
    }
    assert.deepEqual((await other.request('locks/list', {})).locks, []);
  }));

  it('mesh_lock answers an empty path, a NUL and a path thousands of folders deep with an error that says so, and claims nothing', () => withInProcessBroker(async (mesh) => {
    const peer = await PeerClient.connect({ home: mesh.home, canHost: false, connectTimeoutMs: 10_000, intro: { name: 'agent', kind: 'claude-code', cwd: mesh.dir } });
    mesh.defer(() => peer.close());
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'agent', version: '1.0.0' });
    await createMcpServer(peer, { cwd: mesh.dir }).connect(serverSide);
    await client.connect(clientSide);
    mesh.defer(() => client.close());
    const lock = async (p: string) => {
      const r = (await client.callTool({ name: 'mesh_lock', arguments: { action: 'acquire', path: p } })) as CallToolResult;
      return { isError: r.isError === true, text: r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n') };
    };
    const empty = await lock('');
    assert.ok(empty.isError && /path/.test(empty.text), empty.text);
    // The tool resolves the path against the agent's cwd before the broker sees it.
    const nul = await lock('src/a\0.ts');
    assert.ok(nul.isError, nul.text);
    assert.match(nul.text, /^path ".*\/src\/a\u2400\.ts" holds a NUL character \(\\0\) at position \d+: no file name can contain one\n/);
    const deep = await lock('a/'.repeat(1000) + 'x.ts');
    assert.ok(deep.isError, deep.text);
    assert.match(deep.text, new RegExp(`is \\d+ folders deep; a path may be at most ${limits.pathDepth} deep\n`));
    assert.deepEqual((await peer.request('locks/list', {})).locks, []);
  }));
});
