/**
 * The shape every PeerMesh tree follows (STYLE.md §11): a model that holds the items and says
 * when they change, a provider that maps them to small node classes, and nodes that know how to
 * draw themselves. The trees are flat lists today; a node with children can return them.
 */
import * as vscode from 'vscode';
import { formatDuration } from '../../core/duration';
import { Disposable } from '../dispose';

/** One row of a tree. */
export interface TreeNode {
  toTreeItem(): vscode.TreeItem;
  getChildren?(): TreeNode[];
}

/** The items one tree shows. The owner replaces them wholesale; the tree redraws. */
export class ListModel<T> extends Disposable {
  private current: readonly T[] = [];
  private readonly changeEmitter = this.register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changeEmitter.event;

  get items(): readonly T[] {
    return this.current;
  }

  replace(items: readonly T[]): void {
    this.current = items;
    this.changeEmitter.fire();
  }
}

export class ListTreeProvider<T> implements vscode.TreeDataProvider<TreeNode> {
  readonly onDidChangeTreeData: vscode.Event<void>;

  constructor(
    private readonly model: ListModel<T>,
    private readonly toNode: (item: T) => TreeNode,
  ) {
    this.onDidChangeTreeData = model.onDidChange;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.toTreeItem();
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (node) return node.getChildren?.() ?? [];
    return this.model.items.map((item) => this.toNode(item));
  }
}

/** Shows `message` in the view (`TreeView.message`) while the model is empty. */
export function showMessageWhenEmpty(view: vscode.TreeView<unknown>, model: ListModel<unknown>, message: string): vscode.Disposable {
  const update = (): void => {
    view.message = model.items.length === 0 ? message : undefined;
  };
  update();
  return model.onDidChange(update);
}

/** "3m ago"-style age for tooltips and descriptions. */
export function formatAge(epochMs: number, now = Date.now()): string {
  return `${formatDuration(now - epochMs, { rounding: 'nearest', units: 1 })} ago`;
}
