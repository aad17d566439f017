/**
 * Names as the person and the agents see them, through the real CLI and a real MCP client on a
 * real broker: a look-alike of another live peer's name is flagged, an MCP client of no known
 * kind shows its own name beside `unknown`, and peers that left under one name show once.
 */
import assert from 'node:assert/strict';
import { Agent } from './mcp-agent';
import { observer } from './harness';
import { withBroker } from './with-broker';

/** The data rows of a `peermesh peers` table (the header left out). */
function rows(stdout: string): string[] {
  return stdout.split('\n').slice(1);
}

describe('peer names on display: look-alikes, client names, peers that left', function () {
  this.timeout(120_000);

  it('peermesh peers and mesh_peers flag a live name that looks like another live peer\'s', () => withBroker(async (m) => {
    const alice = await m.observer('alice');
    // "аlice" with a Cyrillic а: to the eye, alice.
    const impostor = await m.observer('\u0430lice');
    await m.observer('bob');

    const listed = await m.cli('peers');
    assert.equal(listed.code, 0, listed.stderr);
    const row = (id: string) => rows(listed.stdout).find((r) => r.startsWith(id)) ?? assert.fail(`no row for ${id}:\n${listed.stdout}`);
    assert.match(row(impostor.peer.id), new RegExp(`\u0430lice ⚠ looks like alice \\(${alice.peer.id}\\)`));
    assert.match(row(alice.peer.id), new RegExp(`alice ⚠ looks like \u0430lice \\(${impostor.peer.id}\\)`));
    assert.doesNotMatch(rows(listed.stdout).filter((r) => r.includes('bob')).join('\n'), /looks like/);

    const agent = await Agent.start('claude-code', m.env);
    m.defer(() => agent.close());
    const { data, text } = await agent.ok('mesh_peers');
    const peers = data.peers as Array<{ id: string; name: string; lookalikeOf?: string }>;
    assert.equal(peers.find((p) => p.id === impostor.peer.id)?.lookalikeOf, `alice (${alice.peer.id})`);
    assert.equal(peers.find((p) => p.name === 'bob')?.lookalikeOf, undefined);
    assert.match(text, new RegExp(`\u0430lice \\[unknown, idle\\] ⚠ looks like alice \\(${alice.peer.id}\\)`));
  }));

  it('an MCP client of no known kind stays unknown, and shows its own name beside it in peermesh peers, mesh_peers and mesh_whoami', () => withBroker(async (m) => {
    // The MCP Inspector registers as kind unknown; the name here comes from PEERMESH_NAME, so only clientInfo says what it is.
    const inspector = await Agent.start('mcp-inspector', { ...m.env, PEERMESH_NAME: 'inspector-tab' });
    m.defer(() => inspector.close());

    const listed = await m.cli('peers');
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(rows(listed.stdout).find((r) => r.includes('inspector-tab')) ?? '', /inspector-tab +unknown \(mcp-inspector\) /, listed.stdout);
    const [record] = (JSON.parse((await m.cli('peers', '--json')).stdout) as Array<{ name: string; kind: string; client: string | null }>)
      .filter((p) => p.name === 'inspector-tab');
    assert.deepEqual([record.kind, record.client], ['unknown', 'mcp-inspector']);

    const { data, text } = await inspector.ok('mesh_peers');
    const peers = data.peers as Array<{ name: string; kind: string; client?: string }>;
    assert.deepEqual(peers.filter((p) => p.name === 'inspector-tab').map((p) => [p.kind, p.client]), [['unknown', 'mcp-inspector']]);
    assert.match(text, /inspector-tab \(you\) \[unknown \(mcp-inspector\), working\]/);
    const whoami = await inspector.ok('mesh_whoami');
    assert.match(whoami.text, /^You are inspector-tab \(p-[0-9a-f]+, unknown \(mcp-inspector\)\)/);
  }));

  it('peermesh peers --all and mesh_peers includeGone show the peers that left under one name once, saying how many more', () => withBroker(async (m) => {
    const gone: string[] = [];
    for (let i = 0; i < 3; i++) {
      const earlier = await observer(m.home, 'claude-code');
      gone.push(earlier.peer.id);
      await earlier.close(); // leaves: gone, under the name claude-code
    }
    const live = await m.observer('claude-code');
    assert.equal(live.peer.name, 'claude-code', 'a name frees when its peer leaves');

    const listed = await m.cli('peers', '--all');
    assert.equal(listed.code, 0, listed.stderr);
    const named = rows(listed.stdout).filter((r) => / claude-code /.test(r));
    assert.equal(named.length, 2, `the live claude-code and one row for the three that left:\n${listed.stdout}`);
    assert.ok(named.some((r) => r.startsWith(live.peer.id) && / idle /.test(r)), listed.stdout);
    // The row kept is the last to leave; the two before it are counted.
    assert.ok(named.some((r) => r.startsWith(gone[2]) && /gone \(and 2 earlier\)/.test(r)), listed.stdout);

    const agent = await Agent.start('claude-code', m.env);
    m.defer(() => agent.close());
    const { data, text } = await agent.ok('mesh_peers', { includeGone: true });
    const peers = data.peers as Array<{ id: string; name: string; status: string; earlier?: number }>;
    const byStatus = peers.filter((p) => p.name === 'claude-code').sort((a, b) => a.status.localeCompare(b.status));
    assert.deepEqual(byStatus.map((p) => [p.id, p.status, p.earlier]), [[gone[2], 'gone', 2], [live.peer.id, 'idle', undefined]]);
    assert.match(text, /claude-code \[unknown, gone, and 2 earlier\]/);
    // The full records stay a --json away: every peer that ever was, by id.
    const json = JSON.parse((await m.cli('peers', '--all', '--json')).stdout) as Array<{ id: string }>;
    for (const id of gone) assert.ok(json.some((p) => p.id === id), id);
  }));
});
