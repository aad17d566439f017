/**
 * The stdio transport of `peermesh mcp` under the real PeerMesh MCP server, over in-process
 * streams: what needs a request that never ends (a tool call waiting for a mesh that never
 * answers) to show. The process-level tests are in test/integration/mcp-wire.test.ts.
 */
import assert from 'node:assert/strict';
import readline from 'node:readline';
import { PassThrough } from 'node:stream';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createMcpServer, serverCapabilities } from '../../../src/mcp/server';
import { JsonRpcStdioTransport } from '../../../src/mcp/stdio-transport';
import { answeredRequests } from '../../../src/mcp/wire';

type Reply = { id?: unknown; result?: unknown; error?: { code: number; message: string } };

/** The server on a pair of streams; `next()` is the next line it writes, parsed. */
class Pipe {
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();
  private readonly lines: string[] = [];
  private wake: (() => void) | undefined;
  private taken = 0;
  readonly server: McpServer;

  constructor() {
    // A mesh that never answers: every tool call waits until it is cancelled.
    this.server = createMcpServer(() => new Promise(() => undefined), { cwd: process.cwd() });
    readline.createInterface({ input: this.stdout }).on('line', (l) => {
      this.lines.push(l);
      this.wake?.();
    });
  }

  async start(protocolVersion: string): Promise<void> {
    await this.server.connect(new JsonRpcStdioTransport({ answered: answeredRequests(serverCapabilities), stdin: this.stdin, stdout: this.stdout }));
    this.send({ jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 'test', version: '1' } } });
    assert.equal(((await this.next()) as { result: { protocolVersion: string } }).result.protocolVersion, protocolVersion);
  }

  send(message: unknown): void {
    this.stdin.write(JSON.stringify(message) + '\n');
  }

  async next(): Promise<Reply | Reply[]> {
    while (this.lines.length <= this.taken) await new Promise<void>((resolve) => (this.wake = resolve));
    return JSON.parse(this.lines[this.taken++]) as Reply | Reply[];
  }
}

const whoami = (id: unknown) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'mesh_whoami', arguments: {} } });
const ping = (id: unknown) => ({ jsonrpc: '2.0', id, method: 'ping' });
const cancel = (requestId: unknown) => ({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId } });

describe('JsonRpcStdioTransport', () => {
  let pipe: Pipe;
  beforeEach(() => (pipe = new Pipe()));
  afterEach(() => pipe.server.close());

  it('refuses an id already used by a request in progress, and frees it when that request is cancelled', async () => {
    await pipe.start('2025-06-18');
    pipe.send(whoami(7));
    pipe.send(ping(7));
    const refused = (await pipe.next()) as Reply;
    assert.deepEqual([refused.id, refused.error?.code], [7, -32600]);
    assert.match(refused.error!.message, /id 7 is already used by a request in progress/);
    pipe.send(ping('7'));
    assert.deepEqual(await pipe.next(), { jsonrpc: '2.0', id: '7', result: {} }, '"7" is not 7');
    // Reused in the same breath as the cancel, the id is still taken: refused, not left unanswered.
    pipe.stdin.write([cancel(7), ping(7)].map((m) => JSON.stringify(m) + '\n').join(''));
    assert.deepEqual(((await pipe.next()) as Reply).error?.code, -32600);
    pipe.send(ping(7));
    assert.deepEqual(await pipe.next(), { jsonrpc: '2.0', id: 7, result: {} });
  });

  it('answers a batch once its last request is answered or cancelled, and other lines meanwhile', async () => {
    await pipe.start('2025-03-26');
    pipe.stdin.write(JSON.stringify([whoami(1), ping(2)]) + '\n');
    pipe.send(ping(3));
    assert.deepEqual(await pipe.next(), { jsonrpc: '2.0', id: 3, result: {} }, 'the batch waits for its tool call');
    pipe.send(cancel(1));
    assert.deepEqual(await pipe.next(), [{ jsonrpc: '2.0', id: 2, result: {} }], 'a cancelled request has no answer');
  });

  it('answers a batch of invalid elements at once, and says nothing for one of notifications', async () => {
    await pipe.start('2025-03-26');
    pipe.stdin.write('[{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","method":"notifications/cancelled","params":5}]\n');
    pipe.stdin.write('[1,{"jsonrpc":"2.0","id":4,"method":"initialize","params":{}}]\n');
    const answer = (await pipe.next()) as Reply[];
    assert.deepEqual(answer.map((r) => [r.id, r.error?.code]), [[null, -32600], [4, -32602]]);
  });
});
