/**
 * Offers `peermesh mcp` to VS Code's own agent mode through `vscode.lm`'s MCP server definition
 * provider (`contributes.mcpServerDefinitionProviders`, id `peermesh`), so agent mode joins the
 * mesh with no config file. The server is the stdio bridge shipped in this extension, run by
 * the editor's runtime and pointed at the mesh home this window uses; it finds the broker (this
 * window, usually) by itself and follows it through fail-overs.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { Config } from '../config';
import { Disposable } from '../dispose';
import { mcpProviderId } from '../ids';
import type { MeshConnection } from '../mesh/meshConnection';
import { cliCommand } from './cliCommand';

/** The server's label in VS Code's MCP list. */
export const mcpServerLabel = 'PeerMesh';

export class PeerMeshMcpProvider extends Disposable implements vscode.McpServerDefinitionProvider<vscode.McpStdioServerDefinition> {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  /** Fires when the definition may have changed: another mesh home, or the broker moved. */
  readonly onDidChangeMcpServerDefinitions = this.changeEmitter.event;

  constructor(
    private readonly extensionPath: string,
    private readonly version: string,
    private readonly mesh: MeshConnection,
    config: Config,
    private readonly log: Logger,
  ) {
    super();
    // A new broker instance (first join, fail-over, restart) may come with a resolved home path.
    mesh.onDidChangeBroker((broker) => this.changed(`broker instance ${broker.instanceId} (pid ${broker.pid})`), this, this.subscriptions);
    config.onDidChange(({ changed }) => {
      if (changed.includes('home')) this.changed('the mesh home setting changed');
    }, this, this.subscriptions);
  }

  provideMcpServerDefinitions(): vscode.McpStdioServerDefinition[] {
    return [this.definition()];
  }

  /** The one server: `<runtime> <extension>/dist/cli.js mcp`, with this window's mesh home. */
  definition(): vscode.McpStdioServerDefinition {
    const { command, args, env } = cliCommand(this.extensionPath, this.mesh.homeDir, ['mcp']);
    const server = new vscode.McpStdioServerDefinition(mcpServerLabel, command, args, env, this.version);
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    if (folder) server.cwd = folder.uri;
    return server;
  }

  private changed(why: string): void {
    this.log.debug(`[mcp] server definition may have changed: ${why}`);
    this.changeEmitter.fire();
  }
}

/**
 * Registers the provider with VS Code when this VS Code has the API (1.101+; other hosts of
 * the extension, e.g. forks, may not). Returns undefined when it could not.
 */
export function registerMcpProvider(provider: PeerMeshMcpProvider, log: Logger): vscode.Disposable | undefined {
  const lm = vscode.lm as Partial<typeof vscode.lm> | undefined;
  if (typeof lm?.registerMcpServerDefinitionProvider !== 'function' || typeof vscode.McpStdioServerDefinition !== 'function') {
    log.info(`[mcp] ${vscode.env.appName} ${vscode.version} has no MCP server provider API; use "PeerMesh: Copy MCP Config" to add PeerMesh by hand`);
    return undefined;
  }
  try {
    const registration = lm.registerMcpServerDefinitionProvider(mcpProviderId, provider);
    log.info(`[mcp] offering the ${mcpServerLabel} MCP server to agent mode (provider "${mcpProviderId}")`);
    return registration;
  } catch (error) {
    log.warn(`[mcp] could not register the MCP server provider: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
