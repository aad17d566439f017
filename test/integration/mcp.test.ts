/**
 * `peermesh mcp` through real MCP clients: several agents on one broker, push without polling,
 * the pending note, lock conflicts, compare-and-set, claims, leaving, fail-over.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { kindFromText, identifyAgent } from '../../src/mcp/detect';
import { Agent, alive, waitForExit } from './mcp-agent';
import { cliPath, observer, repo, runCli, sleep, spawnCli, tempHome, type Proc } from './harness';

describe('peermesh mcp: agents meet through real MCP clients', function () {
  this.timeout(120_000);
  let t: ReturnType<typeof tempHome>;
  let broker: Proc;
  const agents: Agent[] = [];
  const start = async (name: string, cwd?: string) => {
    const a = await Agent.start(name, t.env, cwd);
    agents.push(a);
    return a;
  };

  beforeEach(async () => {
    t = tempHome();
    broker = spawnCli(['serve', '--json'], t.env);
    await broker.waitFor((o) => o.running === false, 20_000, 'broker start');
  });

  afterEach(async () => {
    for (const a of agents.splice(0)) {
      assert.deepEqual(a.errors.map((e) => e.message), [], 'the client saw only MCP JSON on stdout');
      await a.close().catch(() => undefined);
    }
    broker.kill('SIGKILL');
    await broker.exited;
    t.cleanup();
  });

  it('agents find each other with their names and kinds, and mesh_whoami is right', async () => {
    const [claude, cursor, vscode] = await Promise.all([start('claude-code'), start('cursor-vscode'), start('Visual Studio Code')]);
    const me = await claude.ok('mesh_whoami');
    assert.equal(me.data.name, 'claude-code');
    assert.equal(me.data.kind, 'claude-code');
    assert.equal(me.data.cwd, repo);
    assert.equal(me.data.gitRoot, repo);
    const { data } = await cursor.ok('mesh_peers');
    const peers = data.peers as Array<{ name: string; kind: string; me?: boolean }>;
    assert.deepEqual(peers.map((p) => [p.name, p.kind, p.me === true]).sort(), [
      ['claude-code', 'claude-code', false], ['copilot', 'copilot', false], ['cursor', 'cursor', true],
    ]);
    // A second agent of the same kind gets a distinct name.
    const claude2 = await start('claude-code');
    assert.equal((await claude2.ok('mesh_whoami')).data.name, 'claude-code-2');
    await vscode.ok('mesh_summary', { summary: 'writing the docs' });
    const listed = (await claude.ok('mesh_peers')).data.peers as Array<{ name: string; summary?: string }>;
    assert.equal(listed.find((p) => p.name === 'copilot')?.summary, 'writing the docs');
  });

  it('an agent is working by its tool calls only: joining and its client reading resources leave it idle', async () => {
    const person = await observer(t.home, 'person-view');
    try {
      const peer = async (name: string) => (await person.request('peers/list', {})).peers.find((p) => p.name === name);
      const quiet = await Agent.connect('cursor-vscode', t.env);
      agents.push(quiet);
      for (const deadline = Date.now() + 10_000; !(await peer('cursor')); await sleep(50)) {
        if (Date.now() > deadline) assert.fail('the bridge did not join the mesh');
      }
      await quiet.client.subscribeResource({ uri: 'mesh://peers' });
      // Another agent joins: the quiet one's client is told, and reads the resource again.
      await start('claude-code');
      await quiet.waitFor('updates', (u) => u === 'mesh://peers');
      await quiet.client.readResource({ uri: 'mesh://peers' });
      const before = await peer('cursor');
      assert.deepEqual([before?.status, before?.lastActive], ['idle', null], 'joining and reading resources are not tool calls');
      assert.equal((await peer('claude-code'))?.status, 'working', 'it called mesh_whoami');
      await quiet.ok('mesh_peers');
      assert.equal((await peer('cursor'))?.status, 'working');
    } finally {
      await person.close();
    }
  });

  it('an agent hears at once when the person takes its lock away', async () => {
    const claude = await start('claude-code');
    const locked = await claude.ok('mesh_lock', { action: 'acquire', path: 'src/held-by-claude.ts', reason: 'refactor' });
    const forced = await runCli(['unlock', '--force', String((locked.data.lock as { id: number }).id), '--reason', 'needed for a hotfix'], t.env);
    assert.equal(forced.code, 0, forced.stderr);
    await claude.waitFor('logs', (l) => l.includes('force-released your lock on src/held-by-claude.ts: needed for a hotfix'));
    const next = await claude.ok('mesh_lock', { action: 'list', holder: 'me' });
    // The alert itself, in the agent's next result: from the person's terminal, naming it.
    assert.match(next.text, /^No locks\.\npending: 1 new message for you:\n {2}#\d+ alert from (\S+): "\1 force-released your lock on src\/held-by-claude\.ts: needed for a hotfix"$/);
  });

  it('a message arrives as resources/updated on mesh://inbox and a log notification without polling, then whole in the next result', async () => {
    const [claude, cursor] = await Promise.all([start('claude-code'), start('cursor-vscode')]);
    await cursor.client.subscribeResource({ uri: 'mesh://inbox' });
    const sent = await claude.ok('mesh_send', { to: 'cursor', body: 'can you review src/mcp?', kind: 'request' });
    assert.deepEqual(sent.data.to, ['cursor']);
    // No call from cursor in between: the push alone must get there.
    await cursor.waitFor('updates', (u) => u === 'mesh://inbox');
    await cursor.waitFor('logs', (l) => l.includes('can you review src/mcp?') && l.includes('claude-code'));
    const [content] = (await cursor.client.readResource({ uri: 'mesh://inbox' })).contents as Array<{ text: string }>;
    assert.equal((JSON.parse(content.text) as { unread: number }).unread, 1);

    // The client's program read the resource; its model has not seen the message yet: the next
    // result of any tool carries it whole, once.
    const id = (sent.data.ids as number[])[0];
    const next = await cursor.ok('mesh_whoami');
    assert.match(next.text, new RegExp(`\npending: 1 new message for you:\n  #${id} request from claude-code: "can you review src/mcp\\?" → claim it`));
    assert.deepEqual(next.data.pending, {
      messages: [{ id, from: 'claude-code', kind: 'request', body: 'can you review src/mcp?', truncated: false, replyTo: null }], more: 0, unread: 1,
    });
    assert.deepEqual((await cursor.ok('mesh_peers')).data.pending, { messages: [], more: 0, unread: 1 });
    const read = await cursor.ok('mesh_inbox');
    const messages = read.data.messages as Array<{ id: number; from: string; body: string; kind: string }>;
    assert.deepEqual(messages.map((m) => [m.from, m.kind, m.body]), [['claude-code', 'request', 'can you review src/mcp?']]);
    assert.deepEqual(read.data.pending, { messages: [], more: 0, unread: 0 });

    // Claiming tells the sender, whose next call carries the answer.
    await cursor.ok('mesh_inbox', { action: 'claim', ids: [messages[0].id] });
    // The reply is pushed to the sender: wait for its log notification, then look.
    await claude.waitFor('logs', (l) => l.includes('cursor'));
    const claudeNext = await claude.ok('mesh_peers');
    assert.match(claudeNext.text, new RegExp(`pending: 1 new message for you:\n  #\\d+ reply from cursor \\(re #${messages[0].id}\\): "cursor claimed this and is on it\\."$`));
    const reply = (await claude.ok('mesh_inbox')).data.messages as Array<{ kind: string; replyTo?: number; from: string }>;
    assert.deepEqual(reply.map((m) => [m.from, m.kind, m.replyTo]), [['cursor', 'reply', messages[0].id]]);
  });

  it('of two agents claiming one broadcast request, exactly one wins', async () => {
    const [lead, a, b] = await Promise.all([start('claude-code'), start('cursor-vscode'), start('codex-mcp-client')]);
    await lead.ok('mesh_send', { to: 'all', body: 'someone please update the changelog', kind: 'request' });
    await sleep(300);
    const idsA = ((await a.ok('mesh_inbox')).data.messages as Array<{ id: number }>).map((m) => m.id);
    const idsB = ((await b.ok('mesh_inbox')).data.messages as Array<{ id: number }>).map((m) => m.id);
    const [ra, rb] = await Promise.all([a.call('mesh_inbox', { action: 'claim', ids: idsA }), b.call('mesh_inbox', { action: 'claim', ids: idsB })]);
    assert.equal([ra, rb].filter((r) => r.isError).length, 1, `exactly one claim fails: ${ra.text} / ${rb.text}`);
    const loser = ra.isError ? ra : rb;
    assert.match(loser.text, /already claimed by (cursor|codex)/);
    const seen = (await (ra.isError ? a : b).ok('mesh_inbox', { all: true })).data.messages as Array<{ claimedBy?: string }>;
    assert.match(seen[0].claimedBy ?? '', /cursor|codex/);
  });

  it('a claim of several requests is all or nothing: one taken by another agent, none claimed', async () => {
    const [lead, a, b] = await Promise.all([start('claude-code'), start('cursor-vscode'), start('codex-mcp-client')]);
    await lead.ok('mesh_send', { to: 'all', body: 'someone please update the changelog', kind: 'request' });
    await lead.ok('mesh_send', { to: 'cursor', body: 'and bump the version', kind: 'request' });
    await sleep(300);
    const [shared, own] = ((await a.ok('mesh_inbox')).data.messages as Array<{ id: number }>).map((m) => m.id);
    const [sharedB] = ((await b.ok('mesh_inbox')).data.messages as Array<{ id: number }>).map((m) => m.id);
    await b.ok('mesh_inbox', { action: 'claim', ids: [sharedB] });
    const lost = await a.call('mesh_inbox', { action: 'claim', ids: [own, shared] });
    assert.equal(lost.isError, true);
    assert.match(lost.text, new RegExp(`#${shared} is already claimed by codex.*Nothing was claimed`));
    const seen = (await a.ok('mesh_inbox', { all: true })).data.messages as Array<{ id: number; claimedBy?: string }>;
    assert.equal(seen.find((m) => m.id === own)?.claimedBy, undefined, 'the free request was not claimed either');
    await a.ok('mesh_inbox', { action: 'claim', ids: [own] });
  });

  it('an agent that cancels a waiting mesh_inbox read stops waiting: a later message stays unread for it', async () => {
    const [claude, cursor] = await Promise.all([start('claude-code'), start('cursor-vscode')]);
    const abort = new AbortController();
    const waiting = cursor.client.callTool({ name: 'mesh_inbox', arguments: { waitSeconds: 60 } }, undefined, { signal: abort.signal });
    await sleep(300);
    abort.abort();
    await assert.rejects(waiting, /abort|cancel/i);
    await claude.ok('mesh_send', { to: 'cursor', body: 'after you gave up' });
    await sleep(500);
    const read = (await cursor.ok('mesh_inbox')).data.messages as Array<{ body: string }>;
    assert.deepEqual(read.map((m) => m.body), ['after you gave up'], 'the abandoned wait did not read it away');
  });

  it('a lock conflict names the holder, the reason and the time left; relative paths mean the agent\'s cwd', async () => {
    const sub = path.join(repo, 'src');
    const [claude, cursor] = await Promise.all([start('claude-code', repo), start('cursor-vscode', sub)]);
    await cursor.client.subscribeResource({ uri: 'mesh://locks' });
    const got = await claude.ok('mesh_lock', { action: 'acquire', path: 'src/mcp/server.ts', startLine: 10, endLine: 40, reason: 'adding tools' });
    assert.equal((got.data.lock as { target: string }).target, 'src/mcp/server.ts:10-40');
    await cursor.waitFor('updates', (u) => u === 'mesh://locks');
    const [content] = (await cursor.client.readResource({ uri: 'mesh://locks' })).contents as Array<{ text: string }>;
    assert.deepEqual((JSON.parse(content.text) as { locks: Array<{ target: string }> }).locks.map((l) => l.target), ['mcp/server.ts:10-40'], 'shown relative to the reader\'s cwd');
    const conflict = await cursor.call('mesh_lock', { action: 'acquire', path: 'mcp/server.ts', reason: 'rename' });
    assert.equal(conflict.isError, true);
    assert.match(conflict.text, /locked by claude-code \("adding tools"\) for another (9m|10m) \d+s/);
    assert.match(conflict.text, /mesh_send/);
    const check = await cursor.ok('mesh_lock', { action: 'check', path: path.join(repo, 'src/mcp/server.ts'), startLine: 41, endLine: 50 });
    assert.equal(check.data.free, true);
    await cursor.ok('mesh_lock', { action: 'acquire', path: 'mcp/server.ts', startLine: 41, endLine: 50 });
    const mine = (await claude.ok('mesh_lock', { action: 'list', holder: 'me' })).data.locks as Array<{ target: string; mine?: boolean }>;
    assert.deepEqual(mine.map((l) => [l.target, l.mine]), [['src/mcp/server.ts:10-40', true]]);
    const released = await claude.ok('mesh_lock', { action: 'release' });
    assert.equal(released.data.released, 1);
    await cursor.ok('mesh_lock', { action: 'acquire', path: 'mcp/server.ts', startLine: 1, endLine: 40, reason: 'now free' });
  });

  it('an agent that cancels a waiting lock call is never granted that lock', async () => {
    const [claude, cursor] = await Promise.all([start('claude-code'), start('cursor-vscode')]);
    await claude.ok('mesh_lock', { action: 'acquire', path: 'README.md', reason: 'docs' });
    const abort = new AbortController();
    const waiting = cursor.client.callTool(
      { name: 'mesh_lock', arguments: { action: 'acquire', path: 'README.md', waitSeconds: 60 } },
      undefined, { signal: abort.signal },
    );
    await new Promise((r) => setTimeout(r, 300));
    abort.abort();
    await assert.rejects(waiting, /abort|cancel/i);
    await claude.ok('mesh_lock', { action: 'release' });
    await new Promise((r) => setTimeout(r, 300));
    const held = (await cursor.ok('mesh_lock', { action: 'list', holder: 'me' })).data.locks as unknown[];
    assert.deepEqual(held, [], 'the cancelled wait did not turn into a lock');
    await cursor.ok('mesh_lock', { action: 'acquire', path: 'README.md', reason: 'free now' });
  });

  it('state compare-and-set rejects a stale version', async () => {
    const [claude, cursor] = await Promise.all([start('claude-code'), start('cursor-vscode')]);
    const v1 = await claude.ok('mesh_state', { action: 'set', key: 'api/port', value: 3000, ifVersion: 0 });
    assert.equal((v1.data.entry as { version: number }).version, 1);
    await cursor.ok('mesh_state', { action: 'set', key: 'api/port', value: 3001, ifVersion: 1 });
    const stale = await claude.call('mesh_state', { action: 'set', key: 'api/port', value: 3002, ifVersion: 1 });
    assert.equal(stale.isError, true);
    assert.match(stale.text, /version 2/);
    assert.match(stale.text, /mesh_state get/);
    const now = await claude.ok('mesh_state', { action: 'get', key: 'api/port' });
    assert.deepEqual(now.data.entry, { key: 'api/port', value: 3001, version: 2, author: 'cursor' });
    const missing = await claude.call('mesh_state', { action: 'set', key: 'api/host', value: 'x', ifVersion: 3 });
    assert.equal(missing.isError, true);
    assert.match(missing.text, /does not exist/);
    assert.match(missing.text, /ifVersion 0/);
  });

  it('when the agent closes the pipe, the bridge exits at once and its peer is gone', async () => {
    const [claude, cursor] = await Promise.all([start('claude-code'), start('cursor-vscode')]);
    await cursor.ok('mesh_lock', { action: 'acquire', path: 'README.md', reason: 'docs' });
    const pid = cursor.pid;
    const closing = Date.now();
    void cursor.close(); // ends the bridge's stdin (the SDK waits 2 s before it would signal)
    const took = await waitForExit(pid);
    assert.ok(took < 1900, `the bridge exited on stdin close (${Date.now() - closing} ms), not on a signal`);
    const peers = (await claude.ok('mesh_peers')).data.peers as Array<{ name: string }>;
    assert.deepEqual(peers.map((p) => p.name), ['claude-code']);
    const gone = (await claude.ok('mesh_peers', { includeGone: true })).data.peers as Array<{ name: string; status: string }>;
    assert.equal(gone.find((p) => p.name === 'cursor')?.status, 'gone');
    assert.deepEqual((await claude.ok('mesh_lock', { action: 'list' })).data.locks, [], 'its locks went with it');
  });

  it('when the agent process is killed, its bridge leaves the mesh and exits', async () => {
    // A stand-in agent: starts the bridge on pipes, does the MCP handshake, then is killed -9.
    const script = `
      const { spawn } = require('child_process');
      const b = spawn(process.execPath, [${JSON.stringify(cliPath)}, 'mcp'], { stdio: ['pipe', 'pipe', 'inherit'] });
      const send = (m) => b.stdin.write(JSON.stringify(m) + '\\n');
      send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'aider', version: '1' } } });
      b.stdout.once('data', () => { send({ jsonrpc: '2.0', method: 'notifications/initialized' }); console.log(b.pid); });
      setInterval(() => {}, 1000);`;
    const agentProc = spawn(process.execPath, ['-e', script], { env: t.env, stdio: ['ignore', 'pipe', 'inherit'] });
    const bridgePid = await new Promise<number>((resolve, reject) => {
      agentProc.stdout.once('data', (d) => resolve(Number(String(d).trim())));
      agentProc.once('exit', () => reject(new Error('the stand-in agent exited early')));
    });
    const obs = await observer(t.home);
    try {
      for (let i = 0; i < 100 && !(await obs.request('peers/list', { scope: 'machine' })).peers.some((p) => p.kind === 'aider'); i++) await sleep(50);
      assert.ok((await obs.request('peers/list', { scope: 'machine' })).peers.some((p) => p.name === 'aider'), 'the aider peer joined');
      agentProc.kill('SIGKILL');
      await waitForExit(bridgePid, 5000);
      const { peers } = await obs.request('peers/list', { scope: 'machine', includeGone: true });
      assert.equal(peers.find((p) => p.name === 'aider')?.status, 'gone');
    } finally {
      await obs.close();
      agentProc.kill('SIGKILL');
      if (alive(bridgePid)) process.kill(bridgePid, 'SIGKILL');
    }
  });

  it('fail-over: kill -9 the broker; the agents\' next calls succeed and see the same locks', async () => {
    const [claude, cursor] = await Promise.all([start('claude-code'), start('cursor-vscode')]);
    await claude.ok('mesh_lock', { action: 'acquire', path: 'src/cli/mcp.ts', reason: 'bridge work' });
    await cursor.ok('mesh_state', { action: 'set', key: 'phase', value: 'testing' });
    const before = (await claude.ok('mesh_status')).data;
    broker.kill('SIGKILL');
    await broker.exited;
    const killedAt = Date.now();
    const [locksA, locksB] = await Promise.all([
      claude.ok('mesh_lock', { action: 'list' }),
      cursor.ok('mesh_lock', { action: 'list' }),
    ]);
    console.log(`      both agents answered ${Date.now() - killedAt} ms after kill -9`);
    for (const r of [locksA, locksB]) {
      assert.deepEqual((r.data.locks as Array<{ target: string; holder: string }>).map((l) => [l.target, l.holder]), [['src/cli/mcp.ts', 'claude-code']]);
    }
    assert.equal(((await claude.ok('mesh_state', { action: 'get', key: 'phase' })).data.entry as { value: string }).value, 'testing');
    const [sa, sb] = [(await claude.ok('mesh_status')).data, (await cursor.ok('mesh_status')).data];
    assert.notEqual(sa.pid, before.pid);
    assert.equal(sa.pid, sb.pid, 'one broker serves both');
    assert.equal([sa.hostedHere, sb.hostedHere].filter(Boolean).length, 1, 'one bridge took over the broker');
    assert.equal((await claude.ok('mesh_whoami')).data.name, 'claude-code', 'identity kept');
    // Pushes still flow after the switch.
    await cursor.client.subscribeResource({ uri: 'mesh://inbox' });
    await claude.ok('mesh_send', { to: 'cursor', body: 'still there?' });
    await cursor.waitFor('updates', (u) => u === 'mesh://inbox');
  });
});

describe('peermesh mcp: sizes (agents pay per token)', function () {
  this.timeout(60_000);

  it('keeps tools/list and typical results small', async () => {
    const t = tempHome();
    const broker = spawnCli(['serve', '--json'], t.env);
    const agents: Agent[] = [];
    try {
      await broker.waitFor((o) => o.running === false, 20_000, 'broker start');
      const [a, b, c] = await Promise.all(['claude-code', 'cursor-vscode', 'codex-mcp-client'].map((n) => Agent.start(n, t.env)));
      agents.push(a, b, c);
      const list = JSON.stringify(await a.client.listTools());
      const visible = JSON.stringify((await a.client.listTools()).tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema })));
      const instructions = a.client.getInstructions() ?? '';
      const rows: Array<[string, number, number]> = [];
      const measure = async (agent: Agent, tool: string, args: Record<string, unknown> = {}) => {
        const r = await agent.ok(tool, args);
        rows.push([`${tool} ${JSON.stringify(args)}`.slice(0, 70), r.bytes, r.text.length]);
      };
      await b.ok('mesh_summary', { summary: 'reviewing the CLI' });
      await measure(a, 'mesh_whoami');
      await measure(a, 'mesh_summary', { summary: 'writing the MCP bridge in src/mcp' });
      await measure(a, 'mesh_peers');
      await measure(a, 'mesh_send', { to: 'cursor', body: 'I am changing src/mcp/server.ts; please keep out until I release it', kind: 'alert' });
      await measure(b, 'mesh_inbox');
      await measure(a, 'mesh_state', { action: 'set', key: 'api/port', value: 3000 });
      await measure(b, 'mesh_state', { action: 'get', key: 'api/port' });
      await measure(a, 'mesh_lock', { action: 'acquire', path: 'src/mcp/server.ts', startLine: 10, endLine: 40, reason: 'adding tools' });
      const conflict = await b.call('mesh_lock', { action: 'acquire', path: 'src/mcp/server.ts', reason: 'rename' });
      rows.push(['mesh_lock acquire → conflict (isError)', conflict.bytes, conflict.text.length]);
      await measure(b, 'mesh_lock', { action: 'list' });
      await measure(a, 'mesh_events', { limit: 10 });
      await measure(a, 'mesh_status');
      const plan = { title: 'Search', phases: [{ id: 'api', title: 'API', tasks: [{ id: 'index', title: 'Build the index', files: ['src/search/**'] }, { id: 'query', title: 'Query endpoint', files: ['src/api/search.ts'], dependsOn: ['index'] }] }] };
      await measure(a, 'mesh_plan', { action: 'submit', plan });
      await measure(b, 'mesh_task', { action: 'claim', task: 'index' });
      await measure(a, 'mesh_plan');
      await measure(a, 'mesh_task');
      console.log(`      tools/list: ${list.length} bytes (≈${Math.round(list.length / 4)} tokens); name+description+inputSchema only: ${visible.length} bytes (≈${Math.round(visible.length / 4)} tokens); instructions ${instructions.length} bytes`);
      console.log('      result bytes (whole JSON-RPC result / text content):');
      for (const [what, bytes, text] of rows) console.log(`        ${what.padEnd(72)} ${String(bytes).padStart(5)} / ${text}`);
      // What the model reads on every turn (the budget of test/unit/mcp/tools-budget.test.ts), and
      // the whole list with titles and output schemas, which clients read once per session.
      assert.ok(visible.length < 12 * 1024, `the tools as the model reads them are ${visible.length} bytes`);
      // Fourteen tools with their output schemas; read once per session, not every turn.
      assert.ok(list.length < 20 * 1024, `tools/list is ${list.length} bytes`);
      for (const [what, bytes] of rows) assert.ok(bytes < 1500, `${what}: ${bytes} bytes`);
    } finally {
      for (const a of agents) await a.close().catch(() => undefined);
      broker.kill('SIGKILL');
      await broker.exited;
      t.cleanup();
    }
  });
});

describe('peermesh mcp: starting without a broker', function () {
  this.timeout(60_000);

  it('starts a detached broker that outlives the agent', async () => {
    const t = tempHome();
    let brokerPid: number | undefined;
    try {
      mkdirSync(path.join(t.dir, 'work'));
      const agent = await Agent.start('windsurf', t.env, path.join(t.dir, 'work'));
      const status = (await agent.ok('mesh_status')).data;
      brokerPid = status.pid as number;
      assert.equal(status.hostedHere, false);
      assert.notEqual(brokerPid, agent.pid);
      assert.equal((await agent.ok('mesh_whoami')).data.kind, 'windsurf');
      await agent.close();
      await sleep(300);
      assert.ok(alive(brokerPid), 'the detached broker keeps running (until its idle exit)');
    } finally {
      if (brokerPid && alive(brokerPid)) process.kill(brokerPid, 'SIGKILL');
      t.cleanup();
    }
  });
});

describe('peermesh mcp: agent detection', () => {
  it('maps MCP client names to peer kinds', () => {
    const cases: Array<[string, string | undefined]> = [
      ['claude-code', 'claude-code'], ['cursor-vscode', 'cursor'], ['Visual Studio Code', 'copilot'],
      ['visual-studio-code-insiders', 'copilot'], ['codex-mcp-client', 'codex'], ['Cline', 'cline'],
      ['windsurf-client', 'windsurf'], ['aider', 'aider'], ['mcp-inspector', undefined],
    ];
    for (const [name, kind] of cases) assert.equal(kindFromText(name), kind, name);
  });

  it('names the peer after its kind, or after an unknown client', () => {
    const noSuchPid = 2 ** 22 + 12345; // no process tree to look at: only the client name counts
    assert.deepEqual(identifyAgent('cursor-vscode', noSuchPid), { kind: 'cursor', name: 'cursor', client: 'cursor-vscode' });
    assert.deepEqual(identifyAgent('My Agent 2', noSuchPid), { kind: 'unknown', name: 'my-agent-2', client: 'My Agent 2' });
    assert.deepEqual(identifyAgent('claude-code', noSuchPid, 'reviewer'), { kind: 'claude-code', name: 'reviewer', client: 'claude-code' });
  });
});
