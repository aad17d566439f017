/**
 * A real second agent for the tests inside VS Code: `peermesh mcp` (the extension's shipped
 * dist/cli.js, run by the editor's runtime) as a separate OS process, driven through a real
 * MCP `Client`, exactly as an agent would drive it. What it does goes agent process → broker →
 * this window, so a test that uses it proves the whole path, not only the extension's half.
 *
 * The bridge names its peer from PEERMESH_NAME (and the client says the same name in
 * `clientInfo`), so the window shows the lock as held by `name`. Every agent started here is
 * ended by `close()`, by {@link closeAllAgents} (the suite's runner calls it when the suite
 * ends) and, should the extension host die first, by the bridge itself: it leaves the mesh and
 * exits when its stdin closes or its parent process is gone.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import path from 'node:path';
import type * as z from 'zod';
import type { News } from '../../../src/core/news';
import type { eventsTool } from '../../../src/mcp/tools/events';
import type { lockTool } from '../../../src/mcp/tools/locks';
import type { inboxTool, sendTool } from '../../../src/mcp/tools/messages';
import type { peersTool, statusTool, summaryTool, whoamiTool } from '../../../src/mcp/tools/peers';
import type { stateTool } from '../../../src/mcp/tools/state';
import type { LockView, MessageView } from '../../../src/mcp/views';
import { activatedExtension, meshHomeDir, workspaceFolder } from './helpers';

/** The mesh tools by name, for typed arguments and results. */
interface MeshTools {
  mesh_whoami: typeof whoamiTool;
  mesh_peers: typeof peersTool;
  mesh_summary: typeof summaryTool;
  mesh_send: typeof sendTool;
  mesh_inbox: typeof inboxTool;
  mesh_state: typeof stateTool;
  mesh_lock: typeof lockTool;
  mesh_events: typeof eventsTool;
  mesh_status: typeof statusTool;
}
export type MeshToolName = keyof MeshTools;
/** A tool's arguments, as the agent sends them. */
export type ToolArgs<N extends MeshToolName> = z.input<z.ZodObject<MeshTools[N]['input']>>;
/** A tool's `structuredContent`: its data and the `pending` news every result carries. */
export type ToolResult<N extends MeshToolName> = z.output<z.ZodObject<MeshTools[N]['output']>> & { pending: News };

/** A lock target as mesh_lock takes it: a path (relative to the workspace folder, or absolute), lines optional. */
export interface LockTarget {
  path: string;
  startLine?: number;
  endLine?: number;
}

/** Agents started and not yet closed, so none outlives the suite. */
const running = new Set<McpAgent>();

// Last resort if the extension host exits with agents still running: a synchronous kill.
process.once('exit', () => {
  for (const agent of running) {
    try {
      process.kill(agent.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

/** Ends every agent still running (the suite's runner calls this when the suite ends). */
export async function closeAllAgents(): Promise<void> {
  await Promise.all([...running].map((agent) => agent.close()));
}

/** How much of the bridge's stderr (its log) is kept for failure messages. */
const stderrKeep = 8 * 1024;

/**
 * Starts `peermesh mcp` as its own process in the window's mesh home, with the workspace
 * folder as its working directory, connects an MCP client and waits until the bridge has
 * joined the mesh under `name` (a name already taken in the mesh fails it: the broker would
 * have made it `name-2`). `timeoutMs` bounds the start and each tool call (default 60 s: a
 * busy machine starts processes slowly).
 */
/**
 * @param opts.client the MCP client name it says it is (`clientInfo.name`, which decides its
 *   kind: `claude-code` makes a Claude Code peer); `name` by default, which is kind `unknown`
 */
export async function startMcpAgent(name: string, opts: { timeoutMs?: number; client?: string } = {}): Promise<McpAgent> {
  const extension = await activatedExtension();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [path.join(extension.extensionPath, 'dist', 'cli.js'), 'mcp'],
    // The SDK's minimal environment (PATH, HOME…), not the extension host's.
    env: { ...getDefaultEnvironment(), ELECTRON_RUN_AS_NODE: '1', PEERMESH_HOME: meshHomeDir(), PEERMESH_NAME: name },
    cwd: workspaceFolder(),
    stderr: 'pipe',
  });
  const client = new Client({ name: opts.client ?? name, version: String(extension.packageJSON.version) });
  const agent = new McpAgent(name, client, transport, opts.timeoutMs ?? 60_000);
  await agent.start();
  return agent;
}

/** One `peermesh mcp` process and the MCP client driving it. */
export class McpAgent {
  private stderrTail = '';
  private closing: Promise<void> | undefined;
  private me: { id: string; pid: number } | undefined;

  constructor(
    /** The name the agent registers under, which the window shows as the holder. */
    readonly name: string,
    private readonly client: Client,
    private readonly transport: StdioClientTransport,
    private readonly timeoutMs: number,
  ) {
    transport.stderr?.on('data', (chunk) => {
      this.stderrTail = (this.stderrTail + String(chunk)).slice(-stderrKeep);
    });
  }

  /** Its peer id in the mesh. */
  get peerId(): string {
    return this.started().id;
  }

  /** The bridge's OS process id. */
  get pid(): number {
    return this.started().pid;
  }

  /** The last few KB the bridge wrote to stderr (its log). */
  get stderr(): string {
    return this.stderrTail;
  }

  /** Calls a mesh tool; resolves with its `structuredContent`, rejects with the tool's text when `isError`. */
  async call<N extends MeshToolName>(tool: N, args: ToolArgs<N>): Promise<ToolResult<N>> {
    const result = await this.callTool(tool, args);
    if (result.isError) {
      const text = textOf(result);
      throw new Error(`agent ${this.name}: ${tool} ${JSON.stringify(args)} returned an error: ${text}`);
    }
    if (!result.structuredContent) throw new Error(`agent ${this.name}: ${tool} returned no structuredContent`);
    return result.structuredContent as ToolResult<N>;
  }

  /** Calls a mesh tool as the model reads it: the text of its result, news included. */
  async text<N extends MeshToolName>(tool: N, args: ToolArgs<N>): Promise<string> {
    return textOf(await this.callTool(tool, args));
  }

  private async callTool(tool: MeshToolName, args: unknown): Promise<CallToolResult> {
    try {
      return (await this.client.callTool({ name: tool, arguments: args as Record<string, unknown> }, undefined, { timeout: this.timeoutMs })) as CallToolResult;
    } catch (error) {
      throw this.failure(`${tool} ${JSON.stringify(args)}`, error);
    }
  }

  /** mesh_lock acquire; the granted lock (its `id` is the broker's lock id). */
  async lock({ reason, ...target }: LockTarget & { reason: string }): Promise<LockView> {
    const { lock } = await this.call('mesh_lock', { action: 'acquire', ...target, reason });
    if (!lock) throw new Error(`agent ${this.name}: mesh_lock acquire returned no lock`);
    return lock;
  }

  /** mesh_lock release of one lock (by id), a range, or every lock on a path; how many were released. */
  async unlock(lock: number | LockTarget): Promise<number> {
    const which = typeof lock === 'number' ? { lockId: lock } : lock;
    return (await this.call('mesh_lock', { action: 'release', ...which })).released ?? 0;
  }

  /** mesh_inbox read: the unread messages, now marked read. */
  async inbox(): Promise<MessageView[]> {
    return (await this.call('mesh_inbox', { action: 'read' })).messages ?? [];
  }

  /** mesh_send of a text message to a peer name or id (several: commas; "all": broadcast). */
  send(to: string, body: string): Promise<ToolResult<'mesh_send'>> {
    return this.call('mesh_send', { to, body });
  }

  /** Leaves the mesh and ends the process: stdin closed, then SIGTERM after 2 s, SIGKILL after 2 more. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.client.close().catch(() => undefined).finally(() => running.delete(this));
    return this.closing;
  }

  /** Connects, and waits until the bridge has joined the mesh under this name. */
  async start(): Promise<void> {
    try {
      await this.client.connect(this.transport, { timeout: this.timeoutMs });
      const pid = this.transport.pid;
      if (pid === null) throw new Error('the bridge process has no pid');
      this.me = { id: '', pid };
      running.add(this);
      const me = await this.call('mesh_whoami', {});
      if (me.name !== this.name) throw new Error(`registered as "${me.name}", not "${this.name}" (is another peer already called that?)`);
      this.me = { id: me.id, pid };
    } catch (error) {
      await this.close();
      throw error instanceof Error && error.message.startsWith(`agent ${this.name}:`) ? error : this.failure('start', error);
    }
  }

  private started(): { id: string; pid: number } {
    if (!this.me) throw new Error(`agent ${this.name} has not started`);
    return this.me;
  }

  private failure(what: string, error: unknown): Error {
    const message = error instanceof Error ? error.message : String(error);
    return new Error(`agent ${this.name}: ${what}: ${message}\n--- bridge stderr ---\n${this.stderrTail.slice(-2000)}`, { cause: error });
  }
}

/** A tool result's text parts, as the model reads them. */
function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
}
