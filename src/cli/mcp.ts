/**
 * `peermesh mcp`: the stdio bridge an agent runs as its MCP server. One bridge is one peer:
 * it joins after the MCP handshake (so it is named after the agent), starts a detached
 * `peermesh serve --idle-exit 60` if no broker answers, and on fail-over takes over the broker
 * itself (faster than starting a process) while the agent notices nothing. It leaves the mesh
 * and exits when stdin closes, when the agent's process goes away, or on a signal, so a dead
 * agent never leaves a phantom peer. stdout carries MCP JSON only; logs go to stderr. Every
 * line from the agent gets its JSON-RPC 2.0 answer, malformed ones included.
 */
import path from 'node:path';
import type { PeerClient } from '../client/peer';
import { taggedLogger } from '../core/logger';
import { agentProcess } from '../core/processes';
import { identifyAgent } from '../mcp/detect';
import { createMcpServer, serverCapabilities } from '../mcp/server';
import { JsonRpcStdioTransport } from '../mcp/stdio-transport';
import { answeredRequests } from '../mcp/wire';
import type { AgentInfo } from '../mcp/mesh-session';
import { connectBridge, type CliContext } from './terminal-peer';

export interface McpOptions {
  /** Peer name to use instead of the agent's kind (also PEERMESH_NAME). */
  name?: string;
}

/** How often the bridge checks that the agent that started it still runs. */
const parentCheckMs = 2000;

export async function mcp(ctx: CliContext, opts: McpOptions): Promise<never> {
  // Nothing but MCP may reach stdout: stray library output goes to stderr.
  console.log = console.error;
  console.info = console.error;
  const log = taggedLogger(ctx.log, 'mcp');
  const cwd = process.cwd();
  const agentPid = process.ppid;
  /** The join, from the moment it starts: a stop waits for it, so the peer it registers leaves too. */
  let joining: Promise<PeerClient> | undefined;
  let stopping = false;

  const connect = (agent: AgentInfo): Promise<PeerClient> => (joining = join(agent));
  const join = async (agent: AgentInfo): Promise<PeerClient> => {
    const who = identifyAgent(agent.clientInfo?.name, agentPid, opts.name ?? process.env.PEERMESH_NAME);
    const workspace = agent.roots.find((r) => cwd === r || cwd.startsWith(r + path.sep)) ?? agent.roots[0] ?? cwd;
    // The agent's own process, past any shell or npx that started us: its hooks name the same one.
    const client = await connectBridge(ctx, { name: who.name, kind: who.kind, client: who.client, pid: agentProcess(agentPid), cwd: isHomeOrRoot(cwd) && agent.roots[0] ? agent.roots[0] : cwd, workspace });
    log.info(`joined as ${client.peer.name} (${client.peer.kind}, ${client.peer.id}) for ${agent.clientInfo?.name ?? 'an unnamed client'}`);
    return client;
  };

  const server = createMcpServer(connect, { cwd, logger: log });
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`leaving the mesh (${why})`);
    const forced = setTimeout(() => process.exit(0), 3000);
    forced.unref();
    const client = await joining?.catch(() => undefined);
    await client?.close().catch(() => undefined);
    await server.close().catch(() => undefined);
    process.exit(0);
  };

  process.stdin.on('end', () => void stop('stdin closed'));
  process.stdin.on('close', () => void stop('stdin closed'));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
  // If the agent dies without closing our stdin (it was inherited elsewhere), we are re-parented.
  setInterval(() => {
    if (process.ppid !== agentPid) void stop(`agent process ${agentPid} is gone`);
  }, parentCheckMs).unref();

  // Not the SDK's stdio transport: it leaves malformed lines and batches unanswered (stdio-transport.ts).
  server.server.onerror = (e) => log.warn(e.message);
  await server.connect(new JsonRpcStdioTransport({ answered: answeredRequests(serverCapabilities), log }));
  return new Promise<never>(() => undefined); // serve until stop() exits
}

function isHomeOrRoot(dir: string): boolean {
  return dir === path.parse(dir).root || dir === process.env.HOME || dir === process.env.USERPROFILE;
}
