/** The Debates view: disagreements between agents, and the escalated ones awaiting a ruling. */
import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import { viewIds } from '../ids';
import { ListModel, ListTreeProvider, showMessageWhenEmpty, type TreeNode } from './listTree';

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

export class DebatesTree extends Disposable {
  readonly model = this.register(new ListModel<DebateSummary>());
  readonly view = this.register(
    vscode.window.createTreeView(viewIds.debates, {
      treeDataProvider: new ListTreeProvider(this.model, (debate) => new DebateNode(debate)),
    }),
  );

  constructor() {
    super();
    this.register(showMessageWhenEmpty(this.view, this.model,
      'No debates. When agents disagree they argue it out here; escalated debates wait for your ruling.'));
  }
}
