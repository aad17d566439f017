/**
 * One agent in one process, for the MCP tool tests: a peer of a real broker, its MCP server,
 * and a real MCP `Client` linked to it by the SDK's in-memory transport. The client checks each
 * `structuredContent` against the `outputSchema` the server lists (it validates once
 * `tools/list` has been read), and every result is held to the result byte budget.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult, ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import type { Broker } from '../../../src/broker/broker';
import { resolveHome, type MeshHome } from '../../../src/home/home';
import { PeerClient } from '../../../src/client/peer';
import type { PeerKind } from '../../../src/protocol/entities';
import { createMcpServer } from '../../../src/mcp/server';
import { startBroker } from '../../start-broker';

/** Every result, text and structuredContent together: 24 KiB (src/mcp/budget.ts says why). */
const resultBudget = 24 * 1024;

export interface ToolResult {
  text: string;
  data: Record<string, unknown>;
  isError: boolean;
  /** The whole result (text and structuredContent) as JSON, in bytes. */
  bytes: number;
}

/** The client's own validator, counting its checks: proof that a result was held to its outputSchema. */
class CountingValidator implements jsonSchemaValidator {
  checks = 0;
  private readonly ajv = new AjvJsonSchemaValidator();

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    const validate = this.ajv.getValidator<T>(schema);
    return (input) => {
      this.checks++;
      return validate(input);
    };
  }
}

export class Agent {
  private constructor(readonly peer: PeerClient, readonly client: Client, private readonly validator: CountingValidator) {}

  /**
   * `capabilities` and `setup` make the MCP client more than a bare one: `{ sampling: {} }` and
   * a `sampling/createMessage` handler, say. `setup` runs before the client connects.
   */
  static async join(
    home: MeshHome, cwd: string, name: string, kind: PeerKind,
    opts: { capabilities?: ClientCapabilities; setup?: (client: Client) => void } = {},
  ): Promise<Agent> {
    const peer = await PeerClient.connect({ home, canHost: false, subscribeEvents: true, connectTimeoutMs: 5000, intro: { name, kind, cwd } });
    const server = createMcpServer(peer, { cwd });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const validator = new CountingValidator();
    const client = new Client({ name: `${name}-agent`, version: '1.0.0' }, { jsonSchemaValidator: validator, capabilities: opts.capabilities ?? {} });
    opts.setup?.(client);
    await server.connect(serverSide);
    await client.connect(clientSide);
    // Once it has read the list, the client checks every result against the listed outputSchema.
    await client.listTools();
    return new Agent(peer, client, validator);
  }

  async call(name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
    const checked = this.validator.checks;
    const r = (await this.client.callTool({ name, arguments: args })) as CallToolResult;
    if (!r.isError) assert.equal(this.validator.checks, checked + 1, `${name}: the client did not check the result against its outputSchema`);
    const text = r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
    const bytes = Buffer.byteLength(JSON.stringify(r));
    assert.ok(bytes <= resultBudget, `${name}: a result of ${bytes} bytes, over the ${resultBudget} budget`);
    return { text, data: (r.structuredContent ?? {}) as Record<string, unknown>, isError: r.isError === true, bytes };
  }

  /** Like `call`, but fails the test on a tool error. */
  async ok(name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
    const r = await this.call(name, args);
    if (r.isError) throw new Error(`${name} ${JSON.stringify(args)} failed: ${r.text}`);
    return r;
  }

  async close(): Promise<void> {
    await this.client.close();
    await this.peer.close();
  }
}

/** Polls `probe` until it returns something, for pushes that arrive on their own time. */
export async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = await probe();
    if (hit !== undefined) return hit;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A real broker on a fresh mesh home, and two agents of it: alice (Claude Code) and bob (Cursor). */
export interface TwoAgents {
  dir: string;
  home: MeshHome;
  broker: Broker;
  alice: Agent;
  bob: Agent;
  /** Closes the agents and the broker and removes the home. */
  close(): Promise<void>;
}

export async function twoAgents(prefix: string): Promise<TwoAgents> {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const home = resolveHome({ PEERMESH_HOME: dir });
  const broker = await startBroker({ home });
  const alice = await Agent.join(home, dir, 'alice', 'claude-code');
  const bob = await Agent.join(home, dir, 'bob', 'cursor');
  return {
    dir, home, broker, alice, bob,
    async close() {
      for (const a of [alice, bob]) await a.close().catch(() => undefined);
      await broker.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
