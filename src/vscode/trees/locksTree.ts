/** The Locks view: files and line ranges that peers have claimed before editing. */
import * as vscode from 'vscode';
import type { Lock } from '../../protocol/entities';
import { Disposable } from '../dispose';
import { viewIds } from '../ids';
import { ListModel, ListTreeProvider, showMessageWhenEmpty, type TreeNode } from './listTree';

export class LockNode implements TreeNode {
  constructor(readonly lock: Lock) {}

  toTreeItem(): vscode.TreeItem {
    const { lock } = this;
    const range = lock.startLine === null ? '' : `:${lock.startLine}-${lock.endLine ?? lock.startLine}`;
    const item = new vscode.TreeItem(`${lock.relPath}${range}`, vscode.TreeItemCollapsibleState.None);
    item.id = String(lock.id);
    item.description = lock.holderName;
    item.iconPath = new vscode.ThemeIcon('lock');
    item.resourceUri = vscode.Uri.file(lock.path);
    item.contextValue = 'lock';
    const minutesLeft = Math.max(0, Math.round((lock.expiresAt - Date.now()) / 60_000));
    item.tooltip = new vscode.MarkdownString(
      `**${lock.relPath}**${range} held by **${lock.holderName}**\n\n${lock.reason || '(no reason given)'}\n\nExpires in ${minutesLeft} min`,
    );
    item.command = { command: 'vscode.open', title: 'Open', arguments: [item.resourceUri] };
    return item;
  }
}

export class LocksTree extends Disposable {
  readonly model = this.register(new ListModel<Lock>());
  readonly view = this.register(
    vscode.window.createTreeView(viewIds.locks, {
      treeDataProvider: new ListTreeProvider(this.model, (lock) => new LockNode(lock)),
    }),
  );

  constructor() {
    super();
    this.register(showMessageWhenEmpty(this.view, this.model,
      'No locks. Files and lines that peers claim before editing appear here.'));
  }
}
