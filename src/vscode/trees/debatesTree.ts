/** The Debates view: disagreements between agents, and the escalated ones awaiting a ruling. */
import * as vscode from 'vscode';
import { viewIds } from '../ids';
import type { ListModel } from '../mesh/meshModel';
import { createTree, type MeshTree, type TreeNode } from './tree';

/**
 * What the tree shows of a debate. A view model until the wire protocol defines debates;
 * then it becomes a projection of that type.
 */
export interface DebateSummary {
  id: string;
  topic: string;
  status: 'open' | 'resolved' | 'escalated' | 'decided';
  participants: string[];
  rounds: number;
}

const statusIcons: Record<DebateSummary['status'], vscode.ThemeIcon> = {
  open: new vscode.ThemeIcon('comment-discussion'),
  resolved: new vscode.ThemeIcon('pass'),
  escalated: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
  decided: new vscode.ThemeIcon('law'),
};

export class DebateNode implements TreeNode {
  constructor(readonly debate: DebateSummary) {}

  toTreeItem(): vscode.TreeItem {
    const { debate } = this;
    const item = new vscode.TreeItem(debate.topic, vscode.TreeItemCollapsibleState.None);
    item.id = debate.id;
    item.description = `${debate.status}, round ${debate.rounds}`;
    item.iconPath = statusIcons[debate.status];
    item.contextValue = `debate.${debate.status}`;
    item.tooltip = `${debate.topic}\n${debate.participants.join(', ')}`;
    return item;
  }
}

export function createDebatesTree(debates: ListModel<DebateSummary>): MeshTree {
  return createTree(viewIds.debates, {
    roots: () => debates.items.map((debate) => new DebateNode(debate)),
    changes: [debates.onDidChange],
    emptyMessage: 'No debates. When agents disagree they argue it out here; escalated debates wait for your ruling.',
  });
}
