/**
 * PeerMesh's entry point, read as a table of contents: build each part in order, hand it to
 * `context.subscriptions` (which disposes it on deactivation), return. Activation runs on
 * `onStartupFinished` and must stay cheap: no broker, no sockets, no disk work here yet.
 */
import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import type { DashboardPeer } from '../protocol/webview';
import { registerCommand } from './commands';
import { Config } from './config';
import { DashboardViewProvider } from './dashboard/dashboardView';
import { commandIds } from './ids';
import { MeshStatusBar } from './statusBar';
import { DebatesTree } from './trees/debatesTree';
import { LocksTree } from './trees/locksTree';
import { PeersTree } from './trees/peersTree';

const moduleEvaluatedAt = performance.now();

/** What `activate` returns. For the tests inside VS Code; not a stable API for other extensions. */
export interface PeerMeshExtensionApi {
  readonly statusBarItem: vscode.StatusBarItem;
  readonly log: vscode.LogOutputChannel;
}

export function activate(context: vscode.ExtensionContext): PeerMeshExtensionApi {
  const started = performance.now();
  const own = <T extends vscode.Disposable>(disposable: T): T => {
    context.subscriptions.push(disposable);
    return disposable;
  };

  // One log for everything; a LogOutputChannel is structurally a core Logger.
  const channel = own(vscode.window.createOutputChannel('PeerMesh', { log: true }));
  const log: Logger = channel;
  const showLog = (): void => channel.show();
  const version = String(context.extension.packageJSON.version);

  const config = own(new Config(log));
  const statusBar = own(new MeshStatusBar(version));

  const peers = own(new PeersTree());
  own(new LocksTree());
  own(new DebatesTree());

  const dashboard = own(new DashboardViewProvider(
    context.extensionUri,
    () => ({ version, peers: peers.model.items.map(toDashboardPeer) }),
    log,
  ));
  peers.model.onDidChange(() => dashboard.refresh(), undefined, context.subscriptions);

  own(registerCommand(commandIds.showLog, showLog, { log, showLog }));

  const activatedIn = (performance.now() - started).toFixed(1);
  const sinceModule = (started - moduleEvaluatedAt).toFixed(1);
  log.info(`[activation] PeerMesh ${version} activated in ${activatedIn} ms (bundle loaded ${sinceModule} ms before); `
    + `${vscode.env.appName} ${vscode.version}, home ${config.resolvedHome()}, scope ${config.get('scope')}`);
  return { statusBarItem: statusBar.item, log: channel };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions, which VS Code disposes after this returns.
}

function toDashboardPeer({ id, name, kind, status, summary }: DashboardPeer): DashboardPeer {
  return { id, name, kind, status, summary };
}
