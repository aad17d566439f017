/** The Peers view: every agent and editor window in the mesh, with what it is working on. */
import * as vscode from 'vscode';
import type { Peer, PeerStatus } from '../../protocol/entities';
import { Disposable } from '../dispose';
import { viewIds } from '../ids';
import { formatAge, ListModel, ListTreeProvider, showMessageWhenEmpty, type TreeNode } from './listTree';

const statusIcons: Record<PeerStatus, vscode.ThemeIcon> = {
  active: new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor('testing.iconPassed')),
  away: new vscode.ThemeIcon('circle-outline'),
  gone: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')),
};

export class PeerNode implements TreeNode {
  constructor(readonly peer: Peer) {}

  toTreeItem(): vscode.TreeItem {
    const { peer } = this;
    const item = new vscode.TreeItem(peer.name, vscode.TreeItemCollapsibleState.None);
    item.id = peer.id;
    item.description = peer.summary || peer.kind;
    item.iconPath = statusIcons[peer.status];
    item.contextValue = `peer.${peer.status}`;
    item.tooltip = new vscode.MarkdownString(
      [
        `**${peer.name}** (${peer.kind}), ${peer.status}`,
        peer.summary && `\n\n${peer.summary}`,
        peer.workspace && `\n\nWorkspace: \`${peer.workspace}\``,
        peer.gitBranch && ` on \`${peer.gitBranch}\``,
        `\n\nLast seen ${formatAge(peer.lastSeen)}`,
      ].filter(Boolean).join(''),
    );
    return item;
  }
}

export class PeersTree extends Disposable {
  readonly model = this.register(new ListModel<Peer>());
  readonly view = this.register(
    vscode.window.createTreeView(viewIds.peers, {
      treeDataProvider: new ListTreeProvider(this.model, (peer) => new PeerNode(peer)),
    }),
  );

  constructor() {
    super();
    this.register(showMessageWhenEmpty(this.view, this.model,
      'No peers yet. Agents and editor windows appear here when they join the mesh.'));
  }
}
