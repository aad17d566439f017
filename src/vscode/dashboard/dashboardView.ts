/**
 * Hosts the Dashboard webview view. The page says `ready` when it has loaded (first open,
 * and again whenever VS Code re-creates it); the host answers with a full snapshot, then sends
 * each part as it changes (STYLE.md §6). What the page asks for (a card moved) is checked
 * (messages.ts) and done through the window's actions; the answer says how it went.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { TaskStatus } from '../../protocol/plan';
import {
  assertNever, type DashboardPeer, type DashboardPlan, type DashboardSnapshot, type HostToWebviewMessage, type WebviewToHostMessage,
} from '../../protocol/webview';
import { isCancellation } from '../commands';
import { Disposable, disposeAll, type DisposableLike } from '../dispose';
import { viewIds } from '../ids';
import { dashboardHtml } from './html';
import { parseWebviewMessage } from './messages';

/** What the dashboard shows and does, from the window's models and actions. */
export interface DashboardSource {
  snapshot(): DashboardSnapshot;
  peers(): DashboardPeer[];
  plan(): DashboardPlan | null;
  /** Moves a task as the person; throws what stands in the way. */
  moveTask(taskId: string, status: TaskStatus): Promise<unknown>;
}

export class DashboardViewProvider extends Disposable implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private readonly webviewRoot: vscode.Uri;

  constructor(
    extensionUri: vscode.Uri,
    private readonly source: DashboardSource,
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
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.webviewRoot, name));
    webview.html = dashboardHtml(webview, asset('dashboard.js'), [asset('codicon.css'), asset('dashboard.css')]);
    webview.options = { enableScripts: true, localResourceRoots: [this.webviewRoot] };

    const viewSubscriptions: DisposableLike[] = [];
    webview.onDidReceiveMessage(this.onMessage, this, viewSubscriptions);
    view.onDidDispose(() => {
      if (this.view === view) this.view = undefined;
      disposeAll(viewSubscriptions);
    }, undefined, viewSubscriptions);
    this.log.debug('[dashboard] view resolved');
  }

  /** Sends the whole state if the view is open. */
  refresh(): void {
    void this.post({ type: 'didChangeSnapshot', snapshot: this.source.snapshot() });
  }

  /** The peers changed: sends them. */
  refreshPeers(): void {
    if (this.view) void this.post({ type: 'didChangePeers', peers: this.source.peers() });
  }

  /** The plan (or what it flags: claims, acks) changed: sends it. */
  refreshPlan(): void {
    if (this.view) void this.post({ type: 'didChangePlan', plan: this.source.plan() });
  }

  private onMessage(value: unknown): void {
    const parsed = parseWebviewMessage(value);
    if (!parsed.ok) {
      this.log.warn(`[dashboard] ignored a message that is not the dashboard's (${parsed.problem}): ${JSON.stringify(value)?.slice(0, 200)}`);
      return;
    }
    this.handle(parsed.message);
  }

  private handle(message: WebviewToHostMessage): void {
    switch (message.type) {
      case 'ready':
        this.log.debug('[dashboard] ready; sending snapshot');
        this.refresh();
        break;
      case 'moveTask':
        void this.moveTask(message.requestId, message.taskId, message.status);
        break;
      default:
        assertNever(message);
    }
  }

  private async moveTask(requestId: number, taskId: string, status: TaskStatus): Promise<void> {
    try {
      await this.source.moveTask(taskId, status);
      await this.post({ type: 'didMoveTask', requestId, taskId, ok: true });
    } catch (error) {
      const reason = isCancellation(error) ? 'not moved: cancelled' : error instanceof Error ? error.message : String(error);
      this.log.info(`[dashboard] moving task ${taskId} to ${status}: ${reason}`);
      await this.post({ type: 'didMoveTask', requestId, taskId, ok: false, reason });
    }
    this.refreshPlan();
  }

  private async post(message: HostToWebviewMessage): Promise<void> {
    if (!this.view) return;
    const delivered = await this.view.webview.postMessage(message);
    if (!delivered) this.log.debug(`[dashboard] ${message.type} not delivered (view hidden)`);
  }
}
