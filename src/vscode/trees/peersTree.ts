/** The Peers view: every agent and editor window in the mesh, with what it is working on. */
import * as vscode from 'vscode';
import type { Peer, PeerStatus } from '../../protocol/entities';
import { Disposable } from '../dispose';
import { viewIds } from '../ids';
import { formatAge, ListModel, ListTreeProvider, showMessageWhenEmpty, type TreeNode } from './listTree';

const statusIcons: Record<PeerStatus, vscode.ThemeIcon> = {
  working: new vscode.ThemeIcon('circle-filled'),
  idle: new vscode.ThemeIcon('circle-outline'),
  disconnected: new vscode.ThemeIcon('debug-disconnect'),
  gone: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')),
};

export class PeerNode implements TreeNode {
  /** @param self whether this peer is this very window */
  constructor(readonly peer: Peer, readonly self = false) {}

  toTreeItem(): vscode.TreeItem {
    const { peer } = this;
    const item = new vscode.TreeItem(peer.name, vscode.TreeItemCollapsibleState.None);
    item.id = peer.id;
    // This window's own row says so instead of its kind, which is plain from the name.
    const who = this.self ? 'this window' : peer.kind;
    item.description = peer.summary ? `${peer.summary} · ${who}` : who;
    item.iconPath = statusIcons[peer.status];
    item.contextValue = this.self ? 'peer.self' : `peer.${peer.status}`;
    // Names, summaries and paths come from other peers: appended as text, never as Markdown,
    // so nobody can put links, images or fake formatting into this window.
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown('**').appendText(peer.name).appendMarkdown('**');
    tip.appendText(` (${peer.kind}${this.self ? ', this window' : ''}), ${peer.status}`);
    if (peer.summary) tip.appendMarkdown('\n\n').appendText(peer.summary);
    if (peer.workspace) tip.appendMarkdown('\n\n').appendText(`Workspace: ${peer.workspace}${peer.gitBranch ? ` on ${peer.gitBranch}` : ''}`);
    if (peer.pid !== null) tip.appendMarkdown('\n\n').appendText(`pid ${peer.pid}`);
    tip.appendMarkdown('\n\n').appendText(`Joined ${formatAge(peer.connectedAt)}, last seen ${formatAge(peer.lastSeen)}`);
    item.tooltip = tip;
    return item;
  }
}

export class PeersTree extends Disposable {
  readonly model = this.register(new ListModel<Peer>());
  /** Id of this window's own peer, marked in the list; set once the window has joined. */
  selfId: string | undefined;
  readonly view = this.register(
    vscode.window.createTreeView(viewIds.peers, {
      treeDataProvider: new ListTreeProvider(this.model, (peer) => new PeerNode(peer, peer.id === this.selfId)),
    }),
  );

  constructor() {
    super();
    this.register(showMessageWhenEmpty(this.view, this.model,
      'No peers yet. Agents and editor windows appear here when they join the mesh.'));
  }
}
