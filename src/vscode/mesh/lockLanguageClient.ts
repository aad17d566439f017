/**
 * The window's end of `peermesh lsp` (src/lsp/server.ts), the lock-awareness language server
 * every LSP editor can run, started here through vscode-languageclient for `file` documents.
 * The server is the one path by which the person's typing reaches the broker's re-anchoring
 * (claims follow unsaved edits), and it puts diagnostics and code lenses on the lines other
 * agents hold. What LSP cannot draw (gutter icons, tints, ruler marks, explorer badges, trees)
 * the window keeps drawing from its own live model.
 *
 * It starts lazily: once the window is in the mesh (so the server finds the broker the window
 * elected rather than starting one), never during activation; again when the window moves to
 * another mesh home. It runs the bundled CLI with the editor's own runtime, as the MCP servers do.
 *
 * The server's commands run as the window here (src/protocol/lsp-commands.ts): Request release
 * asks for the reason the holder reads, Claim these lines claims them for the window, Wait for
 * it waits with a notification the person can cancel, Show in Locks reveals the Locks view's
 * row. The window's own hover (with its links) stands in for the server's plain-text one.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { Lock } from '../../protocol/entities';
import { LinesArgs, LockArgs, lspCommands } from '../../protocol/lsp-commands';
import { askRelease, claimLines, waitForLock } from '../actions/lockActions';
import type { ActionContext } from '../actions/context';
import { reportCommandError, type CommandContext } from '../commands';
import { Disposable } from '../dispose';
import { cliCommand } from '../mcp/cliCommand';
import type { LocksTree } from '../trees/locksTree';
import { focusViewCommand, viewIds } from '../ids';
import type * as ClientLibrary from './languageClientLibrary';

/** vscode-languageclient, from its own bundle beside the extension's. */
function loadLibrary(extensionPath: string): typeof ClientLibrary {
  return createRequire(__filename)(path.join(extensionPath, 'dist', 'languageclient.js')) as typeof ClientLibrary;
}

export class LockLanguageClient extends Disposable {
  private client: LanguageClient | undefined;
  /** The mesh home the running server was started for. */
  private home: string | undefined;
  /** The start or restart under way, if any. */
  private starting: Promise<void> = Promise.resolve();
  /** Stopped for good (deactivation): nothing starts again. */
  private stopped = false;

  constructor(
    private readonly extensionPath: string,
    private readonly ctx: ActionContext,
    private readonly locks: LocksTree,
    private readonly commands: CommandContext,
    private readonly channel: vscode.LogOutputChannel,
  ) {
    super();
    ctx.mesh.onDidChangeState((state) => {
      if (state.kind === 'connected') this.ensure();
    }, undefined, this.subscriptions);
    if (ctx.mesh.state.kind === 'connected') this.ensure();
  }

  /** The running client, once started: for the tests inside VS Code. */
  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  /** The mesh home the server runs for, or is being started for. */
  get homeDir(): string | undefined {
    return this.home;
  }

  /** Settles once the server runs for the window's mesh home (started, or restarted after a move). */
  get ready(): Promise<void> {
    return this.starting;
  }

  /** Starts the server, or restarts it when the window has moved to another mesh home. */
  private ensure(): void {
    const home = this.ctx.mesh.homeDir;
    if (this.isDisposed || this.stopped || this.home === home) return;
    this.home = home;
    this.starting = this.starting.then(() => this.restart(home)).catch((error: unknown) => {
      this.home = undefined; // the next connection tries again
      this.ctx.log.warn(`[lsp] the lock language server did not start: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private async restart(home: string): Promise<void> {
    await this.stopClient();
    if (this.isDisposed || this.stopped) return;
    // Loaded here, not at activation: the client library is only needed once the window is in the mesh.
    const { LanguageClient, TransportKind, RevealOutputChannelOn } = loadLibrary(this.extensionPath);
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    const name = `vscode:${folder?.name ?? vscode.workspace.name ?? 'window'} (editor)`;
    // The window hosts the broker (or elects it with the agents): the server only joins it.
    const run = cliCommand(this.extensionPath, home, ['lsp', '--join-only', '--name', name]);
    const client = new LanguageClient('peermesh', 'PeerMesh Locks', {
      command: run.command, args: run.args, transport: TransportKind.stdio,
      options: { env: run.env, cwd: folder?.uri.fsPath ?? path.dirname(home) },
    }, {
      documentSelector: [{ scheme: 'file' }],
      outputChannel: this.channel,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      middleware: {
        provideHover: () => undefined,
        executeCommand: (command, args, next) => this.execute(command, args[0]) ?? next(command, args),
      },
    });
    this.client = client;
    await client.start();
    this.ctx.log.info(`[lsp] the lock language server runs for ${home}`);
  }

  /** Runs one of the server's commands as the window; undefined for a command it does not know. */
  private execute(command: string, arg: unknown): Promise<unknown> | undefined {
    const run = (): Promise<unknown> | undefined => {
      switch (command) {
        case lspCommands.requestRelease: return askRelease(this.ctx, this.lock(arg));
        case lspCommands.waitFor: return waitForLock(this.ctx, this.lock(arg));
        case lspCommands.showInLocks: return this.showInLocks(LockArgs.parse(arg).lockId);
        case lspCommands.claimLines: {
          const { uri, startLine, endLine } = LinesArgs.parse(arg);
          return claimLines(this.ctx, vscode.Uri.parse(uri), { startLine, endLine });
        }
        default: return undefined;
      }
    };
    try {
      return run()?.catch((error: unknown) => this.fail(command, error));
    } catch (error) {
      return Promise.resolve(this.fail(command, error));
    }
  }

  private lock(arg: unknown): Lock {
    const { lockId } = LockArgs.parse(arg);
    const lock = this.ctx.model.locks.items.find((l) => l.id === lockId);
    if (!lock) throw new Error('that lock has been released meanwhile');
    return lock;
  }

  private async showInLocks(lockId: number): Promise<boolean> {
    await vscode.commands.executeCommand(focusViewCommand(viewIds.locks));
    return this.locks.reveal(lockId);
  }

  private fail(command: string, error: unknown): undefined {
    reportCommandError(command, error, this.commands);
    return undefined;
  }

  /** Stops the server (it leaves the mesh), after a start under way; VS Code waits for it on deactivation. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting;
    await this.stopClient();
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client?.isRunning()) await client.stop(5000).catch(() => undefined);
    else await client?.dispose().catch(() => undefined);
  }

  override dispose(): void {
    void this.stop();
    super.dispose();
  }
}
