/**
 * `peermesh mcp` on the wire: raw lines on its stdin get JSON-RPC 2.0 answers (parse errors,
 * invalid requests, invalid params, batches, oversized lines), stdout carries only JSON-RPC
 * lines, and the same process goes on serving a well-formed session afterwards.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { McpError, ReadResourceResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { limits } from '../../src/protocol/limits';
import { Agent } from './mcp-agent';
import { cliPath, Proc, repo, spawnCli, tempHome } from './harness';

type Reply = { jsonrpc?: string; id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string } };

/** A raw `peermesh mcp`: writes lines to its stdin, reads its answers in order. */
class Wire {
  readonly proc: Proc;
  /** How many answers (responses or batch arrays) the tests have taken. */
  private taken = 0;

  constructor(env: NodeJS.ProcessEnv) {
    this.proc = new Proc(spawn(process.execPath, [cliPath, 'mcp'], { env, cwd: repo, stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  write(text: string): void {
    this.proc.child.stdin!.write(text);
  }

  /** Writes one line and returns the next answer: a response, or an array for a batch. */
  async ask(line: string): Promise<Reply | Reply[]> {
    this.write(line + '\n');
    return this.next();
  }

  /** Like `ask`, for a line that must get one response (not an array). */
  async one(line: string): Promise<Reply> {
    const reply = await this.ask(line);
    assert.ok(!Array.isArray(reply), `expected one response, got ${JSON.stringify(reply)}`);
    return reply;
  }

  /**
   * The next answer on stdout, skipping the server's own notifications and requests. Answers are
   * taken in order, so a line that must get no answer is checked by asking something after it.
   */
  async next(): Promise<Reply | Reply[]> {
    const answers = () => this.proc.lines.map((l) => JSON.parse(l) as Reply | Reply[]).filter((o) => Array.isArray(o) || !('method' in o));
    await this.proc.waitFor(() => answers().length > this.taken, 10_000, `answer #${this.taken + 1}`);
    return answers()[this.taken++];
  }

  /** Asserts that `line` gets no answer: a ping sent after it is answered first. */
  async silent(line: string, pingId: number): Promise<void> {
    this.write(line + '\n');
    assert.deepEqual(await this.one(ping(pingId)), { jsonrpc: '2.0', id: pingId, result: {} }, `no answer to ${line.slice(0, 80)}`);
  }
}

const ping = (id: unknown) => JSON.stringify({ jsonrpc: '2.0', id, method: 'ping' });
const request = (id: unknown, method: string, params?: unknown) => JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
const initialize = (id: number, protocolVersion: string) =>
  request(id, 'initialize', { protocolVersion, capabilities: {}, clientInfo: { name: 'claude-code', version: '1.0.0' } });

function assertError(reply: Reply, id: unknown, code: number, message?: RegExp): void {
  assert.equal(reply.jsonrpc, '2.0', JSON.stringify(reply));
  assert.deepEqual([reply.id, reply.error?.code], [id, code], JSON.stringify(reply));
  assert.equal(reply.result, undefined);
  if (message) assert.match(reply.error!.message, message);
  assert.ok(reply.error!.message.length < 300 && !reply.error!.message.includes('\n'), `a short one-line message: ${reply.error!.message}`);
}

/** A broker in a temporary home for one `describe`, and one raw `peermesh mcp` on it, started when first asked for. */
function meshForWire(): { wire(): Wire; env(): NodeJS.ProcessEnv } {
  let t: ReturnType<typeof tempHome>;
  let broker: Proc;
  let w: Wire | undefined;
  before(async () => {
    t = tempHome();
    broker = spawnCli(['serve', '--json'], t.env);
    await broker.waitFor((o) => o.running === false, 20_000, 'broker start');
  });
  after(async () => {
    if (w) {
      w.proc.child.stdin!.end();
      w.proc.kill('SIGTERM');
      await w.proc.exited;
      w = undefined;
    }
    broker.kill('SIGKILL');
    await broker.exited;
    t.cleanup();
  });
  return { wire: () => (w ??= new Wire(t.env)), env: () => t.env };
}

describe('peermesh mcp: JSON-RPC 2.0 on the wire', function () {
  this.timeout(120_000);
  const mesh = meshForWire();

  afterEach(() => {
    const notJson = mesh.wire().proc.lines.filter((l) => {
      try {
        JSON.parse(l);
        return false;
      } catch {
        return true;
      }
    });
    assert.deepEqual(notJson, [], 'stdout carries only JSON lines');
  });

  it('a line that is not JSON gets -32700 for id null, and the next line is served', async () => {
    const w = mesh.wire();
    assertError(await w.one('{"jsonrpc":"2.0","id":1,"method":'), null, -32700, /^Parse error: /);
    assertError(await w.one('not json at all'), null, -32700, /^Parse error: /);
    assert.deepEqual(await w.one(ping(2)), { jsonrpc: '2.0', id: 2, result: {} });
  });

  it('JSON that is not a request object gets -32600, with its id when it has a usable one', async () => {
    const w = mesh.wire();
    for (const raw of ['42', '"ping"', 'null', 'true', '{}', '{"jsonrpc":"2.0"}']) assertError(await w.one(raw), null, -32600, /^Invalid Request/);
    assertError(await w.one('{"jsonrpc":"1.0","id":7,"method":"ping"}'), 7, -32600, /jsonrpc/);
    assertError(await w.one('{"id":8,"method":"ping"}'), 8, -32600, /jsonrpc/);
    assertError(await w.one('{"jsonrpc":"2.0","id":"s-9","method":5}'), 's-9', -32600, /method/);
    assertError(await w.one('{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}'), null, -32600, /\bid\b/);
    assertError(await w.one('{"jsonrpc":"2.0","id":[1],"method":"ping"}'), null, -32600, /\bid\b/);
    assertError(await w.one('{"jsonrpc":"2.0","id":10,"method":"ping","extra":1}'), 10, -32600, /extra/);
  });

  it('notifications get no answer, even malformed ones, and break nothing', async () => {
    const w = mesh.wire();
    await w.silent('{"jsonrpc":"2.0","method":"notifications/cancelled","params":5}', 12);
    await w.silent('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":{}}}', 13);
    await w.silent('{"jsonrpc":"2.0","method":"notifications/no-such-thing"}', 14);
    await w.silent('   ', 15);
  });

  it('initialize with params that do not fit gets -32602 naming the field, then a good one works', async () => {
    const w = mesh.wire();
    assertError(await w.one(request(20, 'initialize', 'garbage')), 20, -32602, /^Invalid params for initialize: params: /);
    assertError(await w.one(request(21, 'initialize', { capabilities: {}, clientInfo: { name: 'x', version: '1' } })), 21, -32602, /protocolVersion/);
    const init = await w.one(initialize(22, '2025-06-18'));
    assert.equal(init.result?.protocolVersion, '2025-06-18', JSON.stringify(init));
    w.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
  });

  it('requests whose params do not fit their method get -32602 naming the field, not -32603', async () => {
    const w = mesh.wire();
    assertError(await w.one(request(23, 'tools/call', 5)), 23, -32602, /^Invalid params for tools\/call: params: /);
    assertError(await w.one(request(24, 'tools/call', {})), 24, -32602, /^Invalid params for tools\/call: name: /);
    assertError(await w.one(request(25, 'tools/call', { name: 'mesh_whoami', arguments: 5 })), 25, -32602, /arguments/);
    assertError(await w.one(request(26, 'resources/read', {})), 26, -32602, /^Invalid params for resources\/read: uri: /);
    assertError(await w.one(request(27, 'resources/subscribe', [])), 27, -32602, /params/);
    assertError(await w.one(request(28, 'logging/setLevel', { level: 'loud' })), 28, -32602, /level/);
    assertError(await w.one(request(29, 'tools/list', 'x')), 29, -32602, /params/);
  });

  it('unknown methods, and methods this server does not offer, get -32601 whatever their params', async () => {
    const w = mesh.wire();
    assertError(await w.one(request(30, 'no/such/method', {})), 30, -32601);
    assertError(await w.one(request(31, 'prompts/get', 5)), 31, -32601);
    assertError(await w.one(request(32, 'completion/complete', {})), 32, -32601);
  });

  it('a batch gets one -32600 that names the negotiated 2025-06-18 (batching left MCP there); an empty one is invalid', async () => {
    const w = mesh.wire();
    assertError(await w.one(`[${ping(33)},${ping(34)}]`), null, -32600, /batch.*2025-06-18/);
    assertError(await w.one('[]'), null, -32600, /empty batch/);
  });

  it('a line longer than the limit is refused and skipped to its newline, buffering nothing', async () => {
    const w = mesh.wire();
    const huge = `{"jsonrpc":"2.0","id":40,"method":"ping","params":{"pad":"${'x'.repeat(limits.mcpLineBytes + 1024)}"}}`;
    assertError(await w.one(huge), null, -32600, /longer than/);
    assert.deepEqual(await w.one(ping(41)), { jsonrpc: '2.0', id: 41, result: {} });
    // Ten megabytes with no newline at all: refused once; the newline that ends it starts afresh.
    w.write('y'.repeat(10 * 1024 * 1024));
    assertError((await w.next()) as Reply, null, -32600, /longer than/);
    w.write('yyy\n');
    assert.deepEqual(await w.one(ping(42)), { jsonrpc: '2.0', id: 42, result: {} }, 'the rest of the long line is skipped');
  });

  it('afterwards the same process still serves the session: tools/list and a tool call', async () => {
    const w = mesh.wire();
    const tools = await w.one(request(50, 'tools/list'));
    assert.ok((tools.result?.tools as Array<{ name: string }> | undefined)?.some((tool) => tool.name === 'mesh_whoami'), JSON.stringify(tools).slice(0, 300));
    const whoami = await w.one(request(51, 'tools/call', { name: 'mesh_whoami', arguments: {} }));
    assert.equal((whoami.result?.structuredContent as { name?: string } | undefined)?.name, 'claude-code', JSON.stringify(whoami).slice(0, 300));
    assert.doesNotMatch(w.proc.stderr, /\n\s+at .*:\d+:\d+/, 'no stack trace on stderr');
  });
});

describe('peermesh mcp: batches in a 2025-03-26 session', function () {
  this.timeout(120_000);
  const mesh = meshForWire();

  it('initialize must not come in a batch', async () => {
    const w = mesh.wire();
    assertError(await w.one(`[${initialize(1, '2025-03-26')}]`), null, -32600, /batch/);
    assert.equal((await w.one(initialize(2, '2025-03-26'))).result?.protocolVersion, '2025-03-26');
  });

  it('a batch gets one array with an answer for each request and each invalid element', async () => {
    const w = mesh.wire();
    const answer = await w.ask(`[${[
      ping(3),
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      '{"foo":"boo"}',
      request('four', 'resources/read', {}),
      request(5, 'no/such/method'),
      request(6, 'tools/list'),
      '7',
    ].join(',')}]`);
    assert.ok(Array.isArray(answer), JSON.stringify(answer));
    const keys = answer.map((r) => JSON.stringify(r.id) + (r.error ? ` ${r.error.code}` : ''));
    assert.deepEqual(keys.sort(), ['"four" -32602', '3', '5 -32601', '6', 'null -32600', 'null -32600'].sort(), JSON.stringify(answer).slice(0, 500));
    assert.ok(Array.isArray(answer.find((r) => r.id === 6)?.result?.tools));
  });

  it('a batch of notifications only gets no answer; an empty batch is still invalid', async () => {
    const w = mesh.wire();
    await w.silent(`[${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' })}]`, 8);
    assertError(await w.one('[]'), null, -32600, /empty batch/);
  });

  it('the same id twice in one batch: the second is refused, the first answered', async () => {
    const w = mesh.wire();
    const twice = await w.ask(`[${ping(9)},${ping(9)}]`);
    assert.ok(Array.isArray(twice), JSON.stringify(twice));
    assert.deepEqual(twice.map((r) => r.error?.code ?? 'ok').sort(), [-32600, 'ok'].sort());
  });
});

describe('peermesh mcp: a real MCP client and bad params', function () {
  this.timeout(120_000);
  const mesh = meshForWire();

  it('gets -32602 naming the missing field, and the session goes on', async () => {
    const agent = await Agent.connect('claude-code', mesh.env());
    try {
      const failed = await agent.client.request({ method: 'resources/read', params: {} as never }, ReadResourceResultSchema).catch((e: unknown) => e);
      assert.ok(failed instanceof McpError, String(failed));
      assert.equal(failed.code, -32602);
      assert.match(failed.message, /Invalid params for resources\/read: uri: /);
      assert.deepEqual(agent.errors.map((e) => e.message), []);
      assert.ok((await agent.ok('mesh_whoami')).data.name);
    } finally {
      await agent.close();
    }
  });
});
