/**
 * The JSON-RPC 2.0 judge of one line from the agent (wire.ts), and its list of the requests
 * the PeerMesh MCP server answers, checked against the real server.
 */
import assert from 'node:assert/strict';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ClientRequestSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createMcpServer, serverCapabilities } from '../../../src/mcp/server';
import { answeredRequests, classify, parseLine, type Verdict } from '../../../src/mcp/wire';

const answered = answeredRequests(serverCapabilities);
const judge = (value: unknown): Verdict => classify(value, answered);

/** `[code, id]` of an error answer, `'message'` or `'drop'` otherwise. */
function outcome(v: Verdict): [number, unknown] | 'message' | 'drop' {
  return v.kind === 'reply' ? [v.reply.error.code, v.reply.id] : v.kind;
}

describe('wire: one line of JSON-RPC 2.0', () => {
  it('a line that is not JSON is a parse error for id null', () => {
    const parsed = parseLine('{"jsonrpc":"2.0","id":1,');
    assert.ok('reply' in parsed);
    assert.deepEqual([parsed.reply.id, parsed.reply.error.code], [null, -32700]);
    assert.match(parsed.reply.error.message, /^Parse error: /);
    assert.deepEqual(parseLine('[1, {"a": null}]'), { value: [1, { a: null }] });
  });

  it('values that are not request objects are invalid requests, with their id when it can be echoed', () => {
    const cases: Array<[unknown, [number, unknown]]> = [
      [42, [-32600, null]], ['ping', [-32600, null]], [null, [-32600, null]], [[1], [-32600, null]], [{}, [-32600, null]],
      [{ jsonrpc: '2.0', id: 3 }, [-32600, 3]],
      [{ jsonrpc: '1.0', id: 4, method: 'ping' }, [-32600, 4]],
      [{ id: 'five', method: 'ping' }, [-32600, 'five']],
      [{ jsonrpc: '2.0', id: 6, method: 6 }, [-32600, 6]],
      [{ jsonrpc: '2.0', id: { x: 1 }, method: 'ping' }, [-32600, null]],
      [{ jsonrpc: '2.0', id: null, method: 'ping' }, [-32600, null]],
      [{ jsonrpc: '2.0', id: 1.5, method: 'ping' }, [-32600, 1.5]],
      [{ jsonrpc: '2.0', id: 7, method: 'ping', extra: true }, [-32600, 7]],
      // Without an id but not a notification either: answered for id null.
      [{ jsonrpc: '1.0', method: 'notifications/initialized' }, [-32600, null]],
      [{ jsonrpc: '2.0', method: 8 }, [-32600, null]],
    ];
    for (const [value, expected] of cases) assert.deepEqual(outcome(judge(value)), expected, JSON.stringify(value));
    const v = judge({ jsonrpc: '2.0', id: 7, method: 'ping', extra: true });
    assert.ok(v.kind === 'reply' && v.reply.error.message === 'Invalid Request: unexpected member "extra"', JSON.stringify(v));
  });

  it('params that do not fit an answered method are -32602 naming the field; others are -32601 whatever their params', () => {
    const cases: Array<[string, unknown, [number, unknown] | 'message', RegExp?]> = [
      ['tools/call', 5, [-32602, 1], /^Invalid params for tools\/call: params: .*expected object, received number$/],
      ['tools/call', {}, [-32602, 1], /^Invalid params for tools\/call: name: .*expected string/],
      ['resources/read', { uri: 7 }, [-32602, 1], /^Invalid params for resources\/read: uri: /],
      ['initialize', 'garbage', [-32602, 1], /^Invalid params for initialize: params: /],
      ['logging/setLevel', { level: 'loud' }, [-32602, 1], /level: /],
      ['ping', { _meta: 5 }, [-32602, 1], /_meta: /],
      ['tools/call', { name: 'mesh_whoami' }, 'message'],
      ['ping', undefined, 'message'],
      ['prompts/get', 5, [-32601, 1]],
      ['no/such', { a: 1 }, 'message'], // the server answers -32601 itself
    ];
    for (const [method, params, expected, message] of cases) {
      const v = judge({ jsonrpc: '2.0', id: 1, method, ...(params === undefined ? {} : { params }) });
      assert.deepEqual(outcome(v), expected, `${method} ${JSON.stringify(params)}: ${JSON.stringify(v)}`);
      if (message && v.kind === 'reply') assert.match(v.reply.error.message, message);
    }
  });

  it('notifications and responses are never answered: malformed ones are dropped with a reason', () => {
    const cases: Array<[unknown, 'message' | 'drop']> = [
      [{ jsonrpc: '2.0', method: 'notifications/initialized' }, 'message'],
      [{ jsonrpc: '2.0', method: 'notifications/cancelled', params: 5 }, 'drop'],
      [{ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: {} } }, 'drop'],
      [{ jsonrpc: '2.0', method: 'notifications/initialized', extra: 1 }, 'drop'],
      [{ jsonrpc: '2.0', method: 'notifications/anything', params: { a: 1 } }, 'message'],
      [{ jsonrpc: '2.0', id: 1, result: {} }, 'message'],
      [{ jsonrpc: '2.0', id: 1, error: { code: -1, message: 'no' } }, 'message'],
      [{ jsonrpc: '2.0', id: 1, result: 5 }, 'drop'],
    ];
    for (const [value, expected] of cases) assert.equal(judge(value).kind, expected, JSON.stringify(value));
  });
});

describe('answeredRequests', () => {
  it('lists exactly the MCP client requests the PeerMesh server answers', async () => {
    const server = createMcpServer(() => Promise.reject(new Error('no mesh in this test')), { cwd: process.cwd() });
    const [client, serverSide] = InMemoryTransport.createLinkedPair();
    const methods = ClientRequestSchema.options.map((s) => s.shape.method.value);
    const replies = new Map<unknown, JSONRPCMessage>();
    const all = new Promise<void>((resolve) => {
      client.onmessage = (m) => {
        if ('id' in m) replies.set(m.id, m);
        if (replies.size === methods.length) resolve();
      };
    });
    await server.connect(serverSide);
    await client.start();
    // Every method with empty params: a method the server lacks is -32601, any other answer means it has it.
    for (const [id, method] of methods.entries()) await client.send({ jsonrpc: '2.0', id, method, params: {} });
    await all;
    const served = methods.filter((_, id) => {
      const reply = replies.get(id);
      return !(reply && 'error' in reply && reply.error.code === -32601);
    });
    assert.deepEqual(served.sort(), [...answered.keys()].sort());
    await server.close();
  });
});
