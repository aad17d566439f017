/**
 * Hosts the dashboard: the Dashboard view in the PeerMesh container, and the same page as an
 * editor panel that can sit beside code (Open Dashboard in Editor). Each page says `ready` when
 * it has loaded (first open, and again whenever VS Code re-creates it); the host answers it with
 * a full snapshot, and sends every open page each part as it changes (STYLE.md §6). What a page
 * asks for (a card moved) is checked (messages.ts) and done through the window's actions; the
 * answer goes to that page.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { TaskStatus } from '../../protocol/plan';
import type { DashboardActivity, DashboardDebate, DashboardDebateDetail, DashboardDelta } from '../../protocol/webview';
import {
  assertNever, type DashboardPeer, type DashboardPlan, type DashboardSnapshot, type HostToWebviewMessage, type WebviewToHostMessage,
} from '../../protocol/webview';
import { isCancellation } from '../commands';
import { Disposable, disposeAll, type DisposableLike } from '../dispose';
import { viewIds } from '../ids';
import { dashboardHtml } from './html';
import { parseWebviewMessage } from './messages';
import { planChange } from './planChanges';

/** What the dashboard shows and does, from the window's models and actions. */
export interface DashboardSource {
  snapshot(): DashboardSnapshot;
  peers(): DashboardPeer[];
  plan(): DashboardPlan | null;
  /** Moves a task as the person; throws what stands in the way. */
  moveTask(taskId: string, status: TaskStatus): Promise<unknown>;
  debates(): DashboardDebate[];
  deltas(): DashboardDelta[];
  activity(): DashboardActivity[];
  /** One debate whole, from the broker. */
  debate(id: number): Promise<DashboardDebateDetail>;
  /** Rules on a debate as the person; throws what stands in the way. */
  decideDebate(id: number, ruling: { pick?: number; text?: string }): Promise<unknown>;
}

export class DashboardViewProvider extends Disposable implements vscode.WebviewViewProvider {
  /** The open pages (the view's and the panel's), each with the plan it was last sent (undefined: not known, e.g. it missed one). */
  private readonly pages = new Map<vscode.Webview, DashboardPlan | null | undefined>();
  private panel: vscode.WebviewPanel | undefined;
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
    this.show(view.webview, view);
    this.log.debug('[dashboard] view resolved');
  }

  /** Opens the dashboard as an editor panel beside the active editor, or reveals the one open. */
  openPanel(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel('peermesh.dashboardPanel', 'PeerMesh Dashboard', vscode.ViewColumn.Beside, {
      enableScripts: true, localResourceRoots: [this.webviewRoot],
    });
    this.panel = panel;
    panel.onDidDispose(() => { this.panel = undefined; });
    this.show(panel.webview, panel);
  }

  /** Puts the page in `webview` and serves it until `owner` (the view or the panel) goes. */
  private show(webview: vscode.Webview, owner: { onDidDispose: vscode.Event<void> }): void {
    // HTML before options: each assignment re-renders the page, and options first would render
    // the still-empty page once, which VS Code reports as "a webview without a CSP".
    const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(this.webviewRoot, name));
    webview.html = dashboardHtml(webview, asset('dashboard.js'), [asset('codicon.css'), asset('dashboard.css')]);
    webview.options = { enableScripts: true, localResourceRoots: [this.webviewRoot] };
    this.pages.set(webview, undefined);
    const subscriptions: DisposableLike[] = [];
    webview.onDidReceiveMessage((message: unknown) => this.onMessage(webview, message), undefined, subscriptions);
    owner.onDidDispose(() => {
      this.pages.delete(webview);
      disposeAll(subscriptions);
    }, undefined, subscriptions);
  }

  /** The peers changed: sends them to every open page. */
  refreshPeers(): void {
    if (this.pages.size > 0) this.postAll({ type: 'didChangePeers', peers: this.source.peers() });
  }

  /**
   * The plan (or what it flags: claims, acks) may have changed: sends each open page what
   * changed since the plan it was sent last: the tasks that changed, or the plan whole when its
   * shape did; nothing when nothing did.
   */
  refreshPlan(): void {
    if (this.pages.size === 0) return;
    const plan = this.source.plan();
    for (const [page, shown] of this.pages) {
      const change = planChange(shown, plan);
      if (change.kind === 'none') continue;
      this.sendPlan(page, plan, change.kind === 'tasks' ? { type: 'didChangeTasks', tasks: change.tasks } : { type: 'didChangePlan', plan });
    }
  }

  /** The debates changed: sends them to every open page (a page showing one asks for it again). */
  refreshDebates(): void {
    if (this.pages.size > 0) this.postAll({ type: 'didChangeDebates', debates: this.source.debates() });
  }

  /** The deltas changed (a new one, an ack): sends the feed to every open page. */
  refreshDeltas(): void {
    if (this.pages.size > 0) this.postAll({ type: 'didChangeDeltas', deltas: this.source.deltas() });
  }

  /** New events: sends the feed to every open page. */
  refreshActivity(): void {
    if (this.pages.size > 0) this.postAll({ type: 'didChangeActivity', activity: this.source.activity() });
  }

  private onMessage(page: vscode.Webview, value: unknown): void {
    const parsed = parseWebviewMessage(value);
    if (!parsed.ok) {
      this.log.warn(`[dashboard] ignored a message that is not the dashboard's (${parsed.problem}): ${JSON.stringify(value)?.slice(0, 200)}`);
      return;
    }
    this.handle(page, parsed.message);
  }

  private handle(page: vscode.Webview, message: WebviewToHostMessage): void {
    switch (message.type) {
      case 'ready': {
        this.log.debug('[dashboard] ready; sending snapshot');
        const snapshot = this.source.snapshot();
        this.sendPlan(page, snapshot.plan, { type: 'didChangeSnapshot', snapshot });
        break;
      }
      case 'moveTask':
        void this.moveTask(page, message.requestId, message.taskId, message.status);
        break;
      case 'openDebate':
        void this.source.debate(message.debateId).then(
          (debate) => this.post(page, { type: 'didLoadDebate', debateId: message.debateId, debate }),
          (error: unknown) => {
            const reason = error instanceof Error ? error.message : String(error);
            this.log.warn(`[dashboard] reading debate #${message.debateId} failed: ${reason}`);
            return this.post(page, { type: 'didLoadDebate', debateId: message.debateId, error: reason });
          },
        );
        break;
      case 'decideDebate':
        void this.decideDebate(page, message.requestId, message.debateId, { pick: message.pick, text: message.text });
        break;
      default:
        assertNever(message);
    }
  }

  private async moveTask(page: vscode.Webview, requestId: number, taskId: string, status: TaskStatus): Promise<void> {
    try {
      await this.source.moveTask(taskId, status);
      await this.post(page, { type: 'didMoveTask', requestId, taskId, ok: true });
    } catch (error) {
      const reason = isCancellation(error) ? 'not moved: cancelled' : error instanceof Error ? error.message : String(error);
      this.log.info(`[dashboard] moving task ${taskId} to ${status}: ${reason}`);
      await this.post(page, { type: 'didMoveTask', requestId, taskId, ok: false, reason });
    }
    this.refreshPlan();
  }

  private async decideDebate(page: vscode.Webview, requestId: number, debateId: number, ruling: { pick?: number; text?: string }): Promise<void> {
    try {
      await this.source.decideDebate(debateId, ruling);
      await this.post(page, { type: 'didDecideDebate', requestId, debateId, ok: true });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.log.info(`[dashboard] ruling on debate #${debateId}: ${reason}`);
      await this.post(page, { type: 'didDecideDebate', requestId, debateId, ok: false, reason });
    }
    this.refreshDebates();
  }

  private postAll(message: HostToWebviewMessage): void {
    for (const page of this.pages.keys()) void this.post(page, message);
  }

  /** Posts `message`, which brings `page` to `plan`; a page that misses it gets the next plan whole. */
  private sendPlan(page: vscode.Webview, plan: DashboardPlan | null, message: HostToWebviewMessage): void {
    if (!this.pages.has(page)) return; // closed meanwhile
    this.pages.set(page, plan);
    void this.post(page, message).then((delivered) => {
      if (!delivered && this.pages.get(page) === plan) this.pages.set(page, undefined);
    });
  }

  /** Whether the page got it. A hidden page misses it; shown again, it reloads and says `ready`. */
  private async post(page: vscode.Webview, message: HostToWebviewMessage): Promise<boolean> {
    const delivered = await page.postMessage(message);
    if (!delivered) this.log.debug(`[dashboard] ${message.type} not delivered (page hidden)`);
    return delivered;
  }

  override dispose(): void {
    this.panel?.dispose();
    super.dispose();
  }
}
