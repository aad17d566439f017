/**
 * The shape every PeerMesh tree follows (STYLE.md §11): the mesh model holds the items and
 * says when they change, {@link createTree} maps them to small node classes, and each node
 * knows how to draw itself and its children. One factory for every view, so the trees differ
 * only in their nodes.
 */
import * as vscode from 'vscode';
import { formatDuration } from '../../core/duration';
import { printableLines } from '../../core/printable';
import type { ViewId } from '../ids';

/** One row of a tree. */
export interface TreeNode {
  toTreeItem(): vscode.TreeItem;
  getChildren?(): TreeNode[];
  /** The row this one is a child of (none for a top-level row); `TreeView.reveal` needs it. */
  readonly parent?: TreeNode;
}

export interface TreeSpec {
  /** The top-level rows, built afresh on every redraw. */
  roots(): TreeNode[];
  /** Redraw when any of these fires. */
  changes: readonly vscode.Event<unknown>[];
  /**
   * Shown in the view while it has no rows (a function: read at every redraw). Empty: nothing,
   * so the view's welcome content (package.json `viewsWelcome`) speaks alone.
   */
  emptyMessage: string | (() => string);
  /** Redraw this often while the view is visible and has rows (for "time left"). */
  redrawEveryMs?: number;
}

class Provider implements vscode.TreeDataProvider<TreeNode> {
  readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  /** The last roots handed out, for `TreeView.reveal` and the tests. */
  roots: TreeNode[] = [];

  constructor(private readonly spec: TreeSpec) {}

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.toTreeItem();
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (node) return node.getChildren?.() ?? [];
    this.roots = this.spec.roots();
    return this.roots;
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return node.parent;
  }
}

/** A tree view and what it needs: redraws on the spec's changes, an empty message, its disposal. */
export interface MeshTree extends vscode.Disposable {
  readonly view: vscode.TreeView<TreeNode>;
  /** The rows as the view would draw them now (children included), for the tests. */
  rows(): vscode.TreeItem[];
  /** The nodes behind those rows, as a context-menu command receives them, for the tests. */
  nodes(): TreeNode[];
}

export function createTree(id: ViewId, spec: TreeSpec): MeshTree {
  const provider = new Provider(spec);
  const view = vscode.window.createTreeView(id, { treeDataProvider: provider, showCollapseAll: false });
  const redraw = (): void => {
    const empty = spec.roots().length === 0;
    const message = !empty ? undefined : typeof spec.emptyMessage === 'string' ? spec.emptyMessage : spec.emptyMessage();
    view.message = message || undefined;
    provider.changeEmitter.fire();
  };
  const subscriptions: vscode.Disposable[] = spec.changes.map((event) => event(redraw));
  redraw();
  if (spec.redrawEveryMs) {
    const timer = setInterval(() => {
      if (view.visible && provider.roots.length > 0) provider.changeEmitter.fire();
    }, spec.redrawEveryMs);
    subscriptions.push({ dispose: () => clearInterval(timer) });
  }
  return {
    view,
    rows: () => flatten(spec.roots()).map((node) => node.toTreeItem()),
    nodes: () => flatten(spec.roots()),
    dispose: () => {
      for (const subscription of subscriptions) subscription.dispose();
      view.dispose();
      provider.changeEmitter.dispose();
    },
  };
}

function flatten(nodes: TreeNode[]): TreeNode[] {
  return nodes.flatMap((node) => [node, ...flatten(node.getChildren?.() ?? [])]);
}

/** "3m ago"-style age for tooltips and descriptions. */
export function formatAge(epochMs: number, now = Date.now()): string {
  return `${formatDuration(now - epochMs, { rounding: 'nearest', units: 1 })} ago`;
}

/**
 * A tooltip built from other peers' words: they are appended as text, never as Markdown, with
 * control characters, bidi controls and invisible characters shown escaped (line breaks stay).
 */
export class SafeTooltip {
  readonly md = new vscode.MarkdownString('', true);

  bold(text: string): this {
    this.md.appendMarkdown('**').appendText(printableLines(text)).appendMarkdown('**');
    return this;
  }

  text(text: string): this {
    this.md.appendText(printableLines(text));
    return this;
  }

  /** One of our own codicons (`warning`), never another peer's words. */
  icon(id: string): this {
    this.md.appendMarkdown(`$(${id}) `);
    return this;
  }

  paragraph(): this {
    this.md.appendMarkdown('\n\n');
    return this;
  }
}
