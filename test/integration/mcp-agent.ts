/**
 * A real MCP client (the SDK's `Client` over `StdioClientTransport`) running `peermesh mcp`,
 * as an agent would: for the MCP integration tests.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema, type CallToolResult, type ClientCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import { cliPath, repo } from './harness';

export interface ToolResult {
  text: string;
  data: Record<string, unknown>;
  isError: boolean;
  bytes: number;
}

/** More than a bare client: `{ sampling: {} }` and a `sampling/createMessage` handler, say (`setup` runs before connecting). */
export interface ClientOptions {
  capabilities?: ClientCapabilities;
  setup?: (client: Client) => void;
}

export class Agent {
  readonly updates: string[] = [];
  readonly logs: string[] = [];
  readonly errors: Error[] = [];
  stderr = '';
  private waiters: Array<() => void> = [];

  private constructor(readonly client: Client, readonly transport: StdioClientTransport) {}

  /**
   * Starts `peermesh mcp`, completes the MCP handshake as `clientName`, and waits until the
   * bridge has joined the mesh (it joins right after the handshake, in the background).
   */
  static async start(clientName: string, env: NodeJS.ProcessEnv, cwd = repo, opts: ClientOptions = {}): Promise<Agent> {
    const agent = await Agent.connect(clientName, env, cwd, opts);
    await agent.ok('mesh_whoami');
    return agent;
  }

  /**
   * Starts `peermesh mcp` and completes the MCP handshake, calling no tool: the bridge joins
   * the mesh on its own, in the background.
   */
  static async connect(clientName: string, env: NodeJS.ProcessEnv, cwd = repo, opts: ClientOptions = {}): Promise<Agent> {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [cliPath, 'mcp'],
      env: env as Record<string, string>,
      cwd,
      stderr: 'pipe',
    });
    const client = new Client({ name: clientName, version: '1.0.0' }, { capabilities: opts.capabilities ?? {} });
    opts.setup?.(client);
    const agent = new Agent(client, transport);
    transport.stderr?.on('data', (d) => (agent.stderr += String(d)));
    client.onerror = (e) => agent.errors.push(e);
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => agent.note(agent.updates, n.params.uri));
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => agent.note(agent.logs, String(n.params.data)));
    await client.connect(transport);
    return agent;
  }

  /** The bridge's process id. */
  get pid(): number {
    return this.transport.pid!;
  }

  async call(name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
    const r = (await this.client.callTool({ name, arguments: args })) as CallToolResult;
    const text = r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
    return { text, data: (r.structuredContent ?? {}) as Record<string, unknown>, isError: r.isError === true, bytes: JSON.stringify(r).length };
  }

  /** Like `call`, but fails the test on a tool error. */
  async ok(name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
    const r = await this.call(name, args);
    if (r.isError) throw new Error(`${name} ${JSON.stringify(args)} failed: ${r.text}\nstderr: ${this.stderr.slice(-1000)}`);
    return r;
  }

  /** Waits until `list` holds an entry matching `pred`. */
  async waitFor(list: 'updates' | 'logs', pred: (s: string) => boolean, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this[list].find(pred);
      if (hit !== undefined) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for a matching ${list} entry; got ${JSON.stringify(this[list])}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private note(list: string[], value: string): void {
    list.push(value);
    for (const w of this.waiters.splice(0)) w();
  }
}

/** Whether a process runs. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until the process `pid` has ended. */
export async function waitForExit(pid: number, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  while (alive(pid)) {
    if (Date.now() - started > timeoutMs) throw new Error(`process ${pid} still runs after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - started;
}
