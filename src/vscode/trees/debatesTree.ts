/**
 * The Debates view: disagreements between agents in the window's project. Those awaiting the
 * person's ruling come first, highlighted, and their count is the view's badge; then open
 * ones, then those settled (agreed or decided), newest first within each. A row opens the
 * debate round by round; an open or escalated one offers Decide.
 */
import * as vscode from 'vscode';
import { plural } from '../../core/plural';
import type { DebateStatus, DebateSummary } from '../../protocol/coordination';
import { debateState, debateStatusLabels } from '../debates/debateText';
import { Disposable } from '../dispose';
import { commandIds, viewIds } from '../ids';
import type { DebateModel } from '../mesh/debateModel';
import { inert } from '../messageText';
import { createTree, formatAge, SafeTooltip, type MeshTree, type TreeNode } from './tree';

const statusIcons: Record<DebateStatus, vscode.ThemeIcon> = {
  escalated: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
  open: new vscode.ThemeIcon('comment-discussion'),
  resolved: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  decided: new vscode.ThemeIcon('law'),
};

/** The order of the view: what needs the person first. */
const statusOrder: Record<DebateStatus, number> = { escalated: 0, open: 1, resolved: 2, decided: 2 };

export class DebateNode implements TreeNode {
  constructor(readonly debate: DebateSummary) {}

  toTreeItem(): vscode.TreeItem {
    const { debate } = this;
    const label: vscode.TreeItemLabel = { label: inert(debate.topic) };
    // The escalated ones stand out: their topic is highlighted as a search match would be.
    if (debate.status === 'escalated') label.highlights = [[0, label.label.length]];
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = `debate-${debate.id}`;
    item.description = inert(`${debate.participants.map((p) => p.peerName).join(' vs ')} · ${debateState(debate)}`);
    item.iconPath = statusIcons[debate.status];
    item.contextValue = `debate.${debate.status}`;
    item.command = { command: commandIds.openDebate, title: 'Open Debate', arguments: [debate.id] };
    const tooltip = new SafeTooltip().bold(debate.topic).paragraph()
      .text(`${debateStatusLabels[debate.status]}: ${debateState(debate)}`).paragraph()
      .text(`${debate.participants.map((p) => p.peerName).join(', ')} · started ${formatAge(debate.createdAt)}`);
    item.tooltip = tooltip.md;
    return item;
  }
}

export class DebatesTree extends Disposable {
  readonly tree: MeshTree;

  constructor(private readonly debates: DebateModel) {
    super();
    this.tree = this.register(createTree(viewIds.debates, {
      roots: () => this.sorted().map((debate) => new DebateNode(debate)),
      changes: [debates.onDidChange],
      emptyMessage: 'No debates. When agents disagree they argue it out here; escalated debates wait for your ruling.',
    }));
    debates.onDidChange(() => this.updateBadge(), undefined, this.subscriptions);
    this.updateBadge();
  }

  private sorted(): DebateSummary[] {
    return [...this.debates.debates].sort((a, b) => statusOrder[a.status] - statusOrder[b.status] || b.updatedAt - a.updatedAt);
  }

  private updateBadge(): void {
    const waiting = this.debates.awaitingRuling().length;
    this.tree.view.badge = waiting === 0 ? undefined : { value: waiting, tooltip: `${plural(waiting, 'debate')} awaiting your ruling` };
  }
}
