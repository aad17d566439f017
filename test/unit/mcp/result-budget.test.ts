/**
 * Every tool result fits one byte budget (24 KiB for text and structuredContent together; the
 * in-memory agent checks every call, here and in the other MCP tests), whatever the mesh holds: lists stop at the budget and
 * say, in the tool's own arguments, how to get the next page; values too big for a list are
 * elided with their size and the call that reads them; a long value or message body is read
 * in parts. Paging is followed to the end here, through a real MCP client, and must return
 * every item exactly once.
 */
import assert from 'node:assert/strict';
import { PeerClient } from '../../../src/client/peer';
import type { MeshHome } from '../../../src/home/home';
import { twoAgents, type Agent, type ToolResult, type TwoAgents } from './in-memory-agent';

const budget = 24 * 1024;

/** `mesh_state action="list" cursor="k1"` → the tool and its arguments (each value is JSON). */
function parseCall(call: string): { tool: string; args: Record<string, unknown> } {
  const m = /^(mesh_\w+)((?: \w+=(?:"(?:[^"\\]|\\.)*"|[^ "]+))*)$/.exec(call);
  assert.ok(m, `not a tool call: ${call}`);
  const args: Record<string, unknown> = {};
  for (const [, k, v] of m[2].matchAll(/ (\w+)=("(?:[^"\\]|\\.)*"|[^ "]+)/g)) args[k] = JSON.parse(v);
  return { tool: m[1], args };
}

/** The result's own lines: its text without the pending part. */
const ownLines = (r: ToolResult) => r.text.slice(0, r.text.lastIndexOf('\npending:')).split('\n');

/**
 * Calls `first`, then each page's `more`, until a page has none: every page under the budget,
 * saying it was cut in its text too. Returns the pages.
 */
async function pages(agent: Agent, tool: string, args: Record<string, unknown>, max = 50): Promise<ToolResult[]> {
  const out: ToolResult[] = [];
  let call: { tool: string; args: Record<string, unknown> } | undefined = { tool, args };
  while (call) {
    assert.ok(out.length < max, `${tool}: more than ${max} pages`);
    const r = await agent.ok(call.tool, call.args);
    assert.ok(r.bytes <= budget, `${tool} page ${out.length + 1}: ${r.bytes} bytes`);
    out.push(r);
    const more = r.data.more as string | undefined;
    if (more !== undefined) assert.ok(r.text.includes(more), `${tool}: the text says how to go on too:\n${r.text.slice(-300)}`);
    call = more === undefined ? undefined : parseCall(more);
  }
  return out;
}

const once = <T>(items: T[], what: string) => assert.equal(new Set(items).size, items.length, `${what} returned twice`);

describe('mcp tool results: a byte budget, and paging', function () {
  this.timeout(60_000);
  let dir: string;
  let home: MeshHome;
  let alice: Agent;
  let bob: Agent;
  const extra: PeerClient[] = [];

  let mesh: TwoAgents | undefined;

  before(async () => {
    mesh = await twoAgents('pm-budget-');
    ({ dir, home, alice, bob } = mesh);
  });

  after(async () => {
    for (const p of extra) await p.close().catch(() => undefined);
    await mesh?.close();
  });

  it('mesh_state list of 100 values of 262 KB: pages under the budget, each value elided with its size and its get, every key once', async () => {
    const big = 'v'.repeat(256 * 1024 - 2); // 262,144 bytes as JSON: the largest value a key may hold
    const keys = Array.from({ length: 100 }, (_, i) => `big/k${String(i).padStart(3, '0')}`);
    // Written by bob's peer directly, all at once: what is tested is reading them.
    await Promise.all(keys.map((key) => bob.peer.request('state/set', { namespace: 'budget', key, value: big })));
    await bob.ok('mesh_state', { action: 'set', namespace: 'budget', key: 'small', value: { port: 3000 } });

    const all = await pages(alice, 'mesh_state', { action: 'list', namespace: 'budget', key: 'big/' });
    assert.ok(all.length > 1, 'cut into pages');
    const first = all[0];
    assert.match(first.data.more as string, /^mesh_state action="list" namespace="budget" key="big\/" cursor="big\/k\d{3}"$/);
    const listed: string[] = [];
    for (const page of all) {
      const entries = page.data.entries as Array<{ key: string; value: unknown; version: number }>;
      for (const e of entries) {
        assert.deepEqual(e.value, { elided: true, bytes: 262_144, get: `mesh_state action="get" namespace="budget" key="${e.key}"` });
      }
      // The text shows exactly the same entries, elided the same way.
      const lines = ownLines(page).filter((l) => l.startsWith('big/'));
      assert.deepEqual(lines.map((l) => l.split(' ')[0]), entries.map((e) => e.key));
      for (const l of lines) assert.match(l, /262144 bytes.*mesh_state action="get"/);
      listed.push(...entries.map((e) => e.key));
    }
    once(listed, 'a key');
    assert.deepEqual(listed, keys, 'every key, in order');

    const small = await alice.ok('mesh_state', { action: 'list', namespace: 'budget', key: 'small' });
    assert.deepEqual((small.data.entries as Array<{ value: unknown }>).map((e) => e.value), [{ port: 3000 }], 'a small value is shown whole');
    assert.equal(small.data.more, undefined, 'nothing cut, nothing more');
  });

  it('mesh_state get of a 262 KB value: read in parts under the budget, which put together are the value', async () => {
    const value = { text: 'é'.repeat(100_000), list: Array.from({ length: 3000 }, (_, i) => i) };
    const set = await bob.ok('mesh_state', { action: 'set', key: 'doc', value });
    assert.deepEqual((set.data.entry as { value: unknown }).value, {
      elided: true, bytes: Buffer.byteLength(JSON.stringify(value)), get: 'mesh_state action="get" key="doc"',
    }, 'what the agent just sent is not sent back');
    const parts = await pages(alice, 'mesh_state', { action: 'get', key: 'doc' });
    assert.ok(parts.length > 1);
    type Part = { entry: { value: { elided: boolean; bytes: number; part: string }; version: number } };
    const part = (p: ToolResult) => (p.data as Part).entry.value;
    assert.equal(part(parts[0]).elided, true);
    assert.equal(part(parts[0]).bytes, Buffer.byteLength(JSON.stringify(value)));
    assert.deepEqual(JSON.parse(parts.map((p) => part(p).part).join('')), value);
    for (const p of parts) assert.ok(p.text.includes(part(p).part), 'the text carries the same part');

    // A part asked for after the value changed does not mix two versions.
    await bob.ok('mesh_state', { action: 'set', key: 'doc', value: { text: 'new' } });
    const stale = await alice.call(parseCall(parts[0].data.more as string).tool, parseCall(parts[0].data.more as string).args);
    assert.equal(stale.isError, true);
    assert.match(stale.text, /doc changed .*version 2.*mesh_state action="get" key="doc"/);
  });

  it('mesh_state get of a value of C1 characters: under the budget as rendered (each shows as an escape, 2.5 times its size)', async () => {
    const value = '\u0085'.repeat(3800); // 7,602 bytes as JSON, whose text shows 3,800 escapes "\\x85"
    await bob.ok('mesh_state', { action: 'set', key: 'c1', value });
    const parts = await pages(alice, 'mesh_state', { action: 'get', key: 'c1' });
    type Entry = { entry: { value: unknown } };
    const whole = (parts[0].data as Entry).entry.value;
    const read = typeof whole === 'string' ? whole : JSON.parse(parts.map((p) => ((p.data as Entry).entry.value as { part: string }).part).join(''));
    assert.equal(read, value, 'whole or in parts, the value as it was set');
    for (const p of parts) assert.ok(!ownLines(p).join('\n').includes('\u0085'), 'the text shows C1 characters escaped');
  });

  it('mesh_state get in parts of a value with bidi and C1 characters: each part escaped in the text, raw in structuredContent, and they put together to the value', async () => {
    const value = { name: 'report\u202etxt.exe', notes: Array.from({ length: 2000 }, (_, i) => `${i}\u202e\u2066\u0085\u{e0041}`) };
    await bob.ok('mesh_state', { action: 'set', key: 'bidi', value });
    // A small value is shown whole: as escaped, whether a string or inside an object.
    await bob.ok('mesh_state', { action: 'set', key: 'bidi/small', value: { name: value.name } });
    const small = await alice.ok('mesh_state', { action: 'get', key: 'bidi/small' });
    assert.deepEqual((small.data.entry as { value: unknown }).value, { name: value.name }, 'structuredContent keeps the value');
    assert.ok(!ownLines(small).join('\n').includes('\u202e') && small.text.includes('report\\u202etxt.exe'), `get shows it escaped: ${small.text}`);
    const listed = await alice.ok('mesh_state', { action: 'list', key: 'bidi/' });
    assert.ok(!ownLines(listed).join('\n').includes('\u202e') && listed.text.includes('report\\u202etxt.exe'), `list shows it escaped: ${listed.text}`);
    const parts = await pages(alice, 'mesh_state', { action: 'get', key: 'bidi' });
    assert.ok(parts.length > 1, 'read in parts');
    type Part = { entry: { value: { part: string } } };
    const part = (p: ToolResult) => (p.data as Part).entry.value.part;
    assert.deepEqual(JSON.parse(parts.map(part).join('')), value, 'the raw parts put together are the value');
    for (const p of parts) {
      const text = ownLines(p).join('\n');
      assert.ok(!/[\u202e\u2066\u0085\u{e0041}]/u.test(text), `the text shows no bidi or C1 character unescaped: ${JSON.stringify(text.slice(0, 120))}`);
      assert.ok(text.includes('\\u202e'), 'it shows them as escapes');
    }
  });

  it('mesh_inbox: a long body of C1 and bidi characters is read in parts under the budget as rendered', async () => {
    await alice.ok('mesh_inbox'); // start from an empty inbox
    const body = '\u0085\u202e'.repeat(20_000);
    const [id] = (await bob.ok('mesh_send', { to: 'alice', body })).data.ids as number[];
    const listed = await alice.ok('mesh_inbox');
    const cut = (listed.data.messages as Array<{ id: number; body: string; more?: string }>).find((m) => m.id === id)!;
    assert.ok(cut.more, 'the long body says how to read the rest');
    const rest = await pages(alice, parseCall(cut.more).tool, parseCall(cut.more).args);
    assert.equal(cut.body + rest.map((p) => (p.data.messages as Array<{ body: string }>)[0].body).join(''), body);
    for (const p of rest) assert.ok(!/[\u202e\u0085]/u.test(ownLines(p).join('\n')), 'the text shows them escaped');
  });

  it('mesh_peers: many peers with long summaries come in pages, every peer once', async () => {
    for (let i = 0; i < 40; i++) {
      const p = await PeerClient.connect({ home, canHost: false, connectTimeoutMs: 5000, intro: { name: `worker-${i}`, kind: 'codex', cwd: dir } });
      await p.request('peers/update', { summary: `task ${i}: ${'s'.repeat(990)}` });
      extra.push(p);
    }
    const all = await pages(alice, 'mesh_peers', {});
    assert.ok(all.length > 1, 'cut into pages');
    const ids = all.flatMap((p) => (p.data.peers as Array<{ id: string }>).map((v) => v.id));
    once(ids, 'a peer');
    assert.deepEqual([...ids].sort(), [alice.peer.peer.id, bob.peer.peer.id, ...extra.map((p) => p.peer.id)].sort());
    for (const page of all) {
      const names = (page.data.peers as Array<{ name: string }>).map((v) => v.name);
      assert.deepEqual(ownLines(page).filter((l) => !l.startsWith('More')).map((l) => l.split(' ')[0]), names, 'the text lists the same peers');
    }
  });

  it('mesh_lock list: many locks with long reasons come in pages, every lock once', async () => {
    const long = 'd'.repeat(200);
    for (let i = 0; i < 60; i++) {
      await bob.ok('mesh_lock', { action: 'acquire', path: `src/${long}/file-${i}.ts`, reason: `reason ${i} ${'r'.repeat(480)}` });
    }
    const all = await pages(alice, 'mesh_lock', { action: 'list' });
    assert.ok(all.length > 1, 'cut into pages');
    const ids = all.flatMap((p) => (p.data.locks as Array<{ id: number }>).map((l) => l.id));
    once(ids, 'a lock');
    const { locks } = await alice.peer.request('locks/list', {});
    assert.deepEqual([...ids].sort((a, b) => a - b), locks.map((l) => l.id).sort((a, b) => a - b));

    const check = await alice.ok('mesh_lock', { action: 'check', path: `src/${long}` });
    assert.equal(check.data.free, true, 'a folder is not a file');
    const released = await bob.ok('mesh_lock', { action: 'release' });
    assert.equal(released.data.released, 60);
    assert.match(released.text, /^Released 60 locks: .* and \d+ more\./);
  });

  it('mesh_events: a long log comes in pages, every event once', async () => {
    const { lastEventSeq } = await alice.peer.request('status/get', {});
    const all = await pages(alice, 'mesh_events', { since: 0, limit: 200 });
    assert.ok(all.length > 1, 'cut into pages');
    assert.match(all[0].data.more as string, /^mesh_events since=\d+ limit=200$/);
    const seqs = all.flatMap((p) => (p.data.events as Array<{ seq: number }>).map((e) => e.seq));
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in order');
    once(seqs, 'an event');
    const { events } = await alice.peer.request('events/read', { since: 0, limit: 1000 });
    const before = events.filter((e) => e.seq <= lastEventSeq).map((e) => e.seq);
    assert.deepEqual(seqs.slice(0, before.length), before, 'every event there was, none skipped');
  });

  it('mesh_inbox: long messages page through unread, history and sent, and a long body is read in parts', async () => {
    await alice.ok('mesh_inbox'); // start from an empty inbox
    const bodies = Array.from({ length: 12 }, (_, i) => `message ${i}: ${String(i % 10).repeat(6000)}`);
    const longest = `the long one: ${'é'.repeat(30_000)}`;
    const sent: number[] = [];
    for (const body of [...bodies, longest]) sent.push(...((await bob.ok('mesh_send', { to: 'alice', body })).data.ids as number[]));

    // Unread: each read shows what fits and marks only that read; read again for the rest.
    const seen: number[] = [];
    for (let i = 0; ; i++) {
      assert.ok(i < 20, 'too many reads');
      const r = await alice.ok('mesh_inbox');
      const messages = r.data.messages as Array<{ id: number; body: string; more?: string }>;
      if (messages.length === 0) break;
      seen.push(...messages.map((m) => m.id));
      if ((r.data.unread as number) > 0) assert.equal(r.data.more, 'mesh_inbox');
      for (const m of messages) assert.ok(r.text.includes(m.body), 'the text shows the same body');
    }
    once(seen, 'an unread message');
    assert.deepEqual(seen, sent);

    // The longest body, cut in the listing, is read whole in parts.
    const history = await pages(alice, 'mesh_inbox', { all: true, limit: 100 });
    const ids = history.flatMap((p) => (p.data.messages as Array<{ id: number }>).map((m) => m.id));
    once(ids, 'a message in the history');
    for (const id of sent) assert.ok(ids.includes(id), `#${id} is in the history`);
    const cut = history.flatMap((p) => p.data.messages as Array<{ id: number; body: string; more?: string }>).find((m) => m.id === sent[12])!;
    assert.ok(cut.more, 'the long body says how to read the rest');
    const rest = await pages(alice, parseCall(cut.more).tool, parseCall(cut.more).args);
    const parts = rest.map((p) => (p.data.messages as Array<{ body: string }>)[0].body);
    assert.equal(cut.body + parts.join(''), longest);

    const mine = await pages(bob, 'mesh_inbox', { action: 'sent', limit: 100 });
    const sentIds = mine.flatMap((p) => (p.data.messages as Array<{ id: number }>).map((m) => m.id));
    once(sentIds, 'a sent message');
    for (const id of sent) assert.ok(sentIds.includes(id), `#${id} is among bob's sent`);
  });
  it('resource mesh://inbox keeps to the budget as it goes out, when bodies are quotes (escaped twice: JSON text inside JSON)', async () => {
    await alice.ok('mesh_inbox'); // start from an empty inbox
    for (let i = 0; i < 30; i++) await bob.ok('mesh_send', { to: 'alice', body: '"'.repeat(3000) });
    try {
      const r = await alice.client.readResource({ uri: 'mesh://inbox' });
      const bytes = Buffer.byteLength(JSON.stringify(r));
      assert.ok(bytes <= budget, `mesh://inbox: ${bytes} bytes`);
      const [content] = r.contents;
      assert.ok('text' in content);
      const inbox = JSON.parse(content.text) as { messages: unknown[]; more?: string };
      assert.ok(inbox.messages.length > 0 && inbox.more === 'mesh_inbox', 'some messages, and the call that reads on');
    } finally {
      // Read by alice's peer itself, not her model: what is tested here is the resource alone.
      const { messages } = await alice.peer.request('messages/inbox', { unreadOnly: true, limit: 100 });
      await alice.peer.request('messages/markRead', { ids: messages.map((m) => m.id) });
    }
  });

  it('resources mesh://inbox, mesh://peers and mesh://locks keep to the budget too, and say which call reads the rest', async () => {
    await alice.ok('mesh_inbox'); // start from an empty inbox
    for (let i = 0; i < 30; i++) await bob.ok('mesh_send', { to: 'alice', body: `note ${i}: ${'n'.repeat(20_000)}` });
    const long = 'e'.repeat(200);
    for (let i = 0; i < 60; i++) await bob.ok('mesh_lock', { action: 'acquire', path: `src/${long}/held-${i}.ts`, reason: `reason ${i} ${'r'.repeat(480)}` });
    // Peers enough to pass the budget, whatever the tests before this one left.
    for (let i = 0; i < 40; i++) {
      const p = await PeerClient.connect({ home, canHost: false, connectTimeoutMs: 5000, intro: { name: `reader-${i}`, kind: 'codex', cwd: dir } });
      await p.request('peers/update', { summary: `reading ${i}: ${'s'.repeat(980)}` });
      extra.push(p);
    }
    try {
      const read = async (uri: string) => {
        const r = await alice.client.readResource({ uri });
        const [content] = r.contents;
        assert.ok('text' in content, `${uri} is text`);
        const text = content.text;
        assert.ok(Buffer.byteLength(JSON.stringify(r)) <= budget, `${uri}: ${Buffer.byteLength(JSON.stringify(r))} bytes`);
        return JSON.parse(text) as Record<string, unknown>;
      };
      const inbox = await read('mesh://inbox');
      assert.equal(inbox.unread, 30, 'the count is of every unread message');
      const notes = inbox.messages as Array<{ body: string; more?: string }>;
      assert.ok(notes.length > 0 && notes.length < 30, `some messages, not all: ${notes.length}`);
      assert.ok(notes.every((m) => m.body.length < 20_000 && m.more?.startsWith('mesh_inbox cursor=')), 'long bodies are cut, with the call that reads the rest');
      assert.equal(inbox.more, 'mesh_inbox');

      const peers = await read('mesh://peers');
      const shown = peers.peers as Array<{ id: string }>;
      assert.ok(shown.length > 0 && shown.length < extra.length + 2, `some peers, not all: ${shown.length}`);
      assert.equal(peers.more, `mesh_peers scope="machine" cursor="${shown[shown.length - 1].id}"`);

      const locks = await read('mesh://locks');
      const held = locks.locks as Array<{ id: number }>;
      assert.ok(held.length > 0 && held.length < 60, `some locks, not all: ${held.length}`);
      assert.equal(locks.more, `mesh_lock action="list" cursor="${held[held.length - 1].id}"`);
      const next = await alice.ok('mesh_lock', { action: 'list', cursor: String(held[held.length - 1].id) });
      assert.ok((next.data.locks as Array<{ id: number }>).every((l) => l.id > held[held.length - 1].id), 'the call goes on where the resource stopped');
    } finally {
      await bob.ok('mesh_lock', { action: 'release' });
      await alice.ok('mesh_inbox');
    }
  });
});
