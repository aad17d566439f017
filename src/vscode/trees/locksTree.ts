/** The Locks view: files and line ranges that peers have claimed before editing. */
import * as vscode from 'vscode';
import { formatDuration } from '../../core/duration';
import { describeTarget } from '../../core/paths';
import type { Lock } from '../../protocol/entities';
import { Disposable } from '../dispose';
import { viewIds } from '../ids';
import { ListModel, ListTreeProvider, showMessageWhenEmpty, type TreeNode } from './listTree';

/** How often the "time left" of the shown locks is redrawn. */
const redrawEveryMs = 30_000;

export class LockNode implements TreeNode {
  constructor(readonly lock: Lock, private readonly now = Date.now()) {}

  /** `src/a.ts:10-20`, `src/a.ts:7`, or just the path for a whole-file lock. */
  get label(): string {
    return describeTarget(this.lock);
  }

  toTreeItem(): vscode.TreeItem {
    const { lock } = this;
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = String(lock.id);
    const left = formatTimeLeft(lock.expiresAt - this.now);
    item.description = [lock.holderName, left, lock.reason].filter(Boolean).join(' · ');
    item.iconPath = new vscode.ThemeIcon('lock');
    item.resourceUri = vscode.Uri.file(lock.path);
    item.contextValue = 'lock';
    // The holder's name and reason come from another peer: text, never Markdown.
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown('**').appendText(this.label).appendMarkdown('** held by **').appendText(lock.holderName).appendMarkdown('**\n\n');
    tip.appendText(lock.reason || '(no reason given)').appendMarkdown('\n\n').appendText(left);
    item.tooltip = tip;
    item.command = { command: 'vscode.open', title: 'Open', arguments: [item.resourceUri] };
    return item;
  }
}

/** "9m left", "40s left", "expiring". */
export function formatTimeLeft(ms: number): string {
  return ms <= 0 ? 'expiring' : `${formatDuration(ms, { rounding: 'up', units: 1 })} left`;
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
    // Time left goes stale while nothing changes: redraw the visible list now and then.
    const timer = setInterval(() => {
      if (this.view.visible && this.model.items.length > 0) this.model.replace(this.model.items);
    }, redrawEveryMs);
    this.register({ dispose: () => clearInterval(timer) });
  }
}
