/**
 * The standing budget of the tool catalogue: what the model reads of `tools/list` on every
 * turn (each tool's name, description and inputSchema, as compact JSON) stays under 12 KiB in
 * all. Read through a real MCP client from a real server, so it is what goes out. Each tool's
 * share is printed, so a change that grows the list shows where.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Broker } from '../../../src/broker/broker';
import { resolveHome } from '../../../src/home/home';
import { startBroker } from '../../start-broker';
import { Agent } from './in-memory-agent';

/** Bytes of all tools as the model sees them (name + description + inputSchema). */
export const toolsBudget = 12 * 1024;

describe('mcp: the tools/list budget', function () {
  let dir: string;
  let broker: Broker;
  let agent: Agent;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pm-toolsbudget-'));
    const home = resolveHome({ PEERMESH_HOME: dir });
    broker = await startBroker({ home });
    agent = await Agent.join(home, dir, 'alice', 'claude-code');
  });

  after(async () => {
    await agent?.close();
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`keeps name + description + inputSchema of every tool under ${toolsBudget} bytes`, async () => {
    const { tools } = await agent.client.listTools();
    const seen = tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema }));
    const sizes = seen.map((t) => [t.name, Buffer.byteLength(JSON.stringify(t))] as const);
    const total = Buffer.byteLength(JSON.stringify(seen));
    for (const [name, bytes] of sizes) console.log(`      ${name.padEnd(14)} ${String(bytes).padStart(5)} bytes`);
    console.log(`      ${'all'.padEnd(14)} ${String(total).padStart(5)} bytes of ${toolsBudget} (≈${Math.round(total / 4)} tokens)`);
    assert.ok(tools.length > 0);
    assert.ok(total < toolsBudget, `the tools the model reads are ${total} bytes, over ${toolsBudget}: tighten descriptions`);
  });
});
