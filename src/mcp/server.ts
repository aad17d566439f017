/**
 * The PeerMesh MCP server factory, used by the stdio bridge (`peermesh mcp`) and by anything
 * else that holds a peer client. It turns one peer of the mesh into MCP tools, resources and
 * notifications for one agent session.
 */
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema, type ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { nullLogger, type Logger } from '../core/logger';
import { version } from '../core/version';
import { registerResources } from './resources';
import { samplingModel } from './sampling';
import { MeshSession, type AgentInfo, type ClientSource } from './mesh-session';
import { registerMeshTool, type ToolContext } from './tool';
import { meshTools } from './tools';

export interface McpServerOptions {
  /** The agent's working directory; relative paths in tool calls are resolved against it. */
  cwd: string;
  logger?: Logger;
}

/**
 * The etiquette, sent once as the server's `instructions`. Some clients show the model only
 * the first line (Codex), so that line stands alone and carries the one habit that matters most.
 */
export const instructions = [
  'PeerMesh: other coding agents work on this machine too. Before editing a file, claim the lines with mesh_lock (acquire); never edit lines another agent holds; and read the messages every mesh tool result carries under "pending".',
  'Etiquette:',
  '1. Start: mesh_summary with what you are working on; mesh_peers to see who else is here. Update the summary when your task changes.',
  '2. Before editing a file: mesh_lock acquire (whole file or a line range, with a reason). If another agent holds it, do not edit it: wait (waitSeconds), ask them with mesh_send, or work elsewhere.',
  '3. Release your locks (mesh_lock release) as soon as you are done with them.',
  '4. New messages arrive in full under "pending" in every mesh tool result (and, with PeerMesh hooks, in your context). Answer requests: claim them with mesh_inbox, reply with mesh_send (replyTo), ack them when done.',
  '5. Record shared decisions with mesh_state; keep messages short.',
  '6. If the project has a plan (mesh_plan), claim a task with mesh_task before working on it, and mark it done when finished. Your task and tasks given to you show under "pending".',
].join('\n');

/**
 * What the server offers, and so which requests it answers (`answeredRequests` in wire.ts).
 * The lists of tools and resources never change (no list_changed is ever sent).
 */
export const serverCapabilities = {
  tools: { listChanged: false },
  resources: { subscribe: true, listChanged: false },
  logging: {},
} satisfies ServerCapabilities;

export function createMcpServer(client: ClientSource, opts: McpServerOptions): McpServer {
  const log = opts.logger ?? nullLogger;
  const server = new McpServer(
    { name: 'peermesh', title: 'PeerMesh', version },
    { instructions, capabilities: serverCapabilities },
  );
  const agent = async (): Promise<AgentInfo> => ({ clientInfo: server.server.getClientVersion(), roots: await clientRoots(server, log) });
  const ctx: ToolContext = { session: new MeshSession(client, agent, log), cwd: opts.cwd, log, askModel: () => samplingModel(server.server) };
  const tools = meshTools.map((tool) => registerMeshTool(server, ctx, tool));
  // The SDK's own listing repeats `$schema`, integer bounds and size limits in every schema;
  // ours says the same in about a third fewer tokens, which every agent pays on every turn.
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));
  const resources = registerResources(server, ctx);
  // Registering tools and resources makes the SDK advertise `listChanged: true` for both; the
  // lists never change, so say so again, or clients re-list for nothing.
  server.server.registerCapabilities(serverCapabilities);
  // Join the mesh as soon as the agent has said who it is, so pushes flow before any tool call.
  server.server.oninitialized = () => {
    ctx.session.client().catch((e: Error) => log.warn(`[mcp] not connected to the mesh yet: ${e.message}`));
  };
  const onclose = server.server.onclose;
  server.server.onclose = () => {
    resources.dispose();
    onclose?.();
  };
  return server;
}

/** The client's file roots (its open workspace folders), if it shares them; [] otherwise. */
async function clientRoots(server: McpServer, log: Logger): Promise<string[]> {
  if (!server.server.getClientCapabilities()?.roots) return [];
  try {
    const { roots } = await server.server.listRoots(undefined, { timeout: 2000 });
    return roots.filter((r) => r.uri.startsWith('file:')).map((r) => fileURLToPath(r.uri));
  } catch (e) {
    log.debug(`[mcp] the client did not list its roots: ${(e as Error).message}`);
    return [];
  }
}
