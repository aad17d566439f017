/**
 * Hosts the Dashboard webview view. The page says `ready` when it has loaded (first open,
 * and again whenever VS Code re-creates it); the host answers with a full snapshot, and pushes
 * a new snapshot whenever the state changes (STYLE.md §6).
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import {
  assertNever, isWebviewToHostMessage, type DashboardSnapshot, type HostToWebviewMessage, type WebviewToHostMessage,
} from '../../protocol/webview';
import { Disposable, disposeAll, type DisposableLike } from '../dispose';
import { viewIds } from '../ids';
import { dashboardHtml } from './html';

export class DashboardViewProvider extends Disposable implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private readonly webviewRoot: vscode.Uri;

  constructor(
    extensionUri: vscode.Uri,
    private readonly snapshot: () => DashboardSnapshot,
    private readonly log: Logger,
  ) {
    super();
    this.webviewRoot = vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
    this.register(vscode.window.registerWebviewViewProvider(viewIds.dashboard, this));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    const { webview } = view;
    // HTML before options: each assignment re-renders the page, and options first would render
    // the still-empty page once, which VS Code reports as "a webview without a CSP".
    webview.html = dashboardHtml(webview, webview.asWebviewUri(vscode.Uri.joinPath(this.webviewRoot, 'dashboard.js')));
    webview.options = { enableScripts: true, localResourceRoots: [this.webviewRoot] };

    const viewSubscriptions: DisposableLike[] = [];
    webview.onDidReceiveMessage(this.onMessage, this, viewSubscriptions);
    view.onDidDispose(() => {
      if (this.view === view) this.view = undefined;
      disposeAll(viewSubscriptions);
    }, undefined, viewSubscriptions);
    this.log.debug('[dashboard] view resolved');
  }

  /** Sends the current snapshot if the view is open; call on every state change. */
  refresh(): void {
    void this.post({ type: 'didChangeSnapshot', snapshot: this.snapshot() });
  }

  private onMessage(message: unknown): void {
    if (!isWebviewToHostMessage(message)) {
      this.log.warn(`[dashboard] ignored unknown message: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    this.handle(message);
  }

  private handle(message: WebviewToHostMessage): void {
    switch (message.type) {
      case 'ready':
        this.log.debug('[dashboard] ready; sending snapshot');
        this.refresh();
        break;
      default:
        assertNever(message.type);
    }
  }

  private async post(message: HostToWebviewMessage): Promise<void> {
    if (!this.view) return;
    const delivered = await this.view.webview.postMessage(message);
    if (!delivered) this.log.debug(`[dashboard] ${message.type} not delivered (view hidden)`);
  }
}
