/**
 * Commands that bring agents outside this window into the mesh: "Set Up MCP for Other Agents…"
 * runs `peermesh setup <client…>` (the CLI edits each client's MCP config, idempotently), and
 * "Copy MCP Config" puts a `peermesh mcp` server entry on the clipboard for any other client.
 * Both use the CLI shipped in this extension, run by the editor's runtime (cliCommand.ts).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import * as vscode from 'vscode';
import { resolveHome } from '../../home/home';
import { refreshLauncher, writeLauncher, type CliRuntime } from '../../home/launcher';
import type { Logger } from '../../core/logger';
import { registerCommand } from '../commands';
import { commandIds } from '../ids';
import type { MeshConnection } from '../mesh/meshConnection';
import { cliCommand, type CliCommand } from './cliCommand';

/**
 * The clients `peermesh setup` knows (`clientIds` in src/cli/clients.ts; the CLI rejects any
 * other id with a clear error, which the command shows).
 */
type ClientId = 'claude-code' | 'cursor' | 'codex' | 'gemini' | 'opencode' | 'windsurf' | 'vscode' | 'cline' | 'cline-cli';

interface AgentClient extends vscode.QuickPickItem {
  id: ClientId;
  /** `peermesh setup --hooks` installs this agent's hooks (`hookClientIds` in src/cli/hooks.ts). */
  hooks?: true;
}

/** In the order people are likely to want them. */
const agentClients: readonly AgentClient[] = [
  { id: 'claude-code', label: 'Claude Code', description: 'claude-code', detail: 'User-level MCP server in ~/.claude.json', hooks: true },
  { id: 'cursor', label: 'Cursor', description: 'cursor', detail: '~/.cursor/mcp.json', hooks: true },
  { id: 'codex', label: 'Codex', description: 'codex', detail: '~/.codex/config.toml', hooks: true },
  { id: 'gemini', label: 'Gemini CLI', description: 'gemini', detail: '~/.gemini/settings.json', hooks: true },
  { id: 'opencode', label: 'opencode', description: 'opencode', detail: '~/.config/opencode/opencode.json' },
  { id: 'windsurf', label: 'Windsurf', description: 'windsurf', detail: '~/.codeium/windsurf/mcp_config.json' },
  { id: 'vscode', label: 'VS Code', description: 'vscode', detail: 'User mcp.json; not needed here: this extension already offers PeerMesh to agent mode' },
  { id: 'cline', label: 'Cline', description: 'cline', detail: 'Cline\'s MCP settings' },
  { id: 'cline-cli', label: 'Cline CLI', description: 'cline-cli', detail: '~/.cline/data/settings/cline_mcp_settings.json' },
];

/** Longest a `peermesh setup` run may take. */
const setupTimeoutMs = 60_000;

export interface AgentSetupContext {
  readonly extensionPath: string;
  readonly mesh: MeshConnection;
  readonly log: Logger;
  showLog(): void;
}

export function registerAgentSetupCommands(context: AgentSetupContext): vscode.Disposable[] {
  return [
    registerCommand(commandIds.setupAgents, (clients?: unknown) => setupAgents(context, clients), context),
    registerCommand(commandIds.copyMcpConfig, () => copyMcpConfig(context), context),
    // Agents set up earlier run the mesh home's launcher: point it at this (maybe updated) copy.
    context.mesh.onDidChangeBroker(() => void refreshAgentLauncher(context)),
  ];
}

/** This extension's CLI, run by the editor's runtime. */
function extensionRuntime(context: AgentSetupContext): CliRuntime {
  return { execPath: process.execPath, cli: path.join(context.extensionPath, 'dist', 'cli.js'), electron: process.versions.electron !== undefined };
}

async function refreshAgentLauncher(context: AgentSetupContext): Promise<void> {
  const runtime = extensionRuntime(context);
  try {
    if (await refreshLauncher(resolveHome({ PEERMESH_HOME: context.mesh.homeDir }), runtime)) {
      context.log.info(`[setup] agents' launcher now runs ${runtime.cli}`);
    }
  } catch (e) {
    context.log.warn(`[setup] could not update the agents' launcher: ${(e as Error).message}`);
  }
}

/**
 * Asks which clients to set up (or takes their ids as the argument, for keybindings and tests),
 * runs `peermesh setup` for them and shows what it did. Returns the CLI's report.
 */
async function setupAgents(context: AgentSetupContext, given?: unknown): Promise<string | undefined> {
  const ids = givenClients(given) ?? (await vscode.window.showQuickPick(agentClients, {
    title: 'PeerMesh: Set Up MCP for Other Agents',
    placeHolder: 'Add the PeerMesh MCP server (peermesh mcp) to these agents\' configs',
    canPickMany: true,
    ignoreFocusOut: true,
  }))?.map((client) => client.id);
  if (!ids || ids.length === 0) return undefined;
  // Hooks are asked about only when picking by hand, and only for agents that have them.
  const hooks = given === undefined && ids.some((id) => agentClients.find((c) => c.id === id)?.hooks) ? await askHooks() : false;
  if (hooks === undefined) return undefined;

  const command = cliCommand(context.extensionPath, context.mesh.homeDir, ['setup', ...ids, ...(hooks ? ['--hooks'] : [])]);
  context.log.info(`[setup] ${[command.command, ...command.args].join(' ')}`);
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `PeerMesh: setting up ${ids.join(', ')}…` },
    () => run(command),
  );
  context.log.info(`[setup] ${report.trim()}`);
  const lines = report.trim().split('\n').filter(Boolean);
  void vscode.window.showInformationMessage(`PeerMesh: ${lines.join(' ')}`, 'Show Log').then((choice) => {
    if (choice) context.showLog();
  });
  return report;
}

/** Whether to install the agents' hooks too; undefined when the person cancels. */
async function askHooks(): Promise<boolean | undefined> {
  const choice = await vscode.window.showQuickPick([
    { label: 'Also install hooks', detail: 'Stops the agent editing lines another agent claims, and puts mesh news in front of its model', hooks: true },
    { label: 'MCP server only', hooks: false },
  ], { title: 'PeerMesh: Set Up MCP for Other Agents', placeHolder: 'Install the agents\' hooks too?', ignoreFocusOut: true });
  return choice?.hooks;
}

function givenClients(given: unknown): ClientId[] | undefined {
  const list = typeof given === 'string' ? [given] : Array.isArray(given) ? given : undefined;
  if (!list) return undefined;
  const known = list.filter((id): id is ClientId => agentClients.some((client) => client.id === id));
  if (known.length !== list.length) throw new Error(`unknown agent client in ${JSON.stringify(given)}; known: ${agentClients.map((c) => c.id).join(', ')}`);
  return known;
}

/** Runs the CLI; resolves with its stdout, rejects with its own words on failure. */
function run({ command, args, env }: CliCommand): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: { ...process.env, ...env }, timeout: setupTimeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      if (!error) {
        resolve(stdout);
        return;
      }
      const said = stderr.trim().split('\n').filter(Boolean).at(-1);
      reject(new Error(said ? `peermesh setup: ${said.replace(/^peermesh:\s*/, '')}` : `peermesh setup failed: ${error.message}`));
    });
  });
}

/**
 * Puts an `mcpServers.peermesh` entry on the clipboard, running the mesh home's launcher (so
 * the pasted config survives extension updates). Returns the copied text.
 */
async function copyMcpConfig(context: AgentSetupContext): Promise<string> {
  const command = await writeLauncher(resolveHome({ PEERMESH_HOME: context.mesh.homeDir }), extensionRuntime(context));
  const entry = { command, args: ['mcp'], env: { PEERMESH_HOME: context.mesh.homeDir } };
  const text = JSON.stringify({ mcpServers: { peermesh: entry } }, null, 2);
  await vscode.env.clipboard.writeText(text);
  context.log.info(`[setup] copied the MCP config to the clipboard:\n${text}`);
  void vscode.window.showInformationMessage(
    'PeerMesh: MCP config copied. Paste it into your agent\'s MCP settings (the "mcpServers" of its JSON config).',
  );
  return text;
}
