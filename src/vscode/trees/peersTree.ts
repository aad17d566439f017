/** The Peers view: every agent and editor window in the mesh, how alive it is, what it holds. */
import * as vscode from 'vscode';
import type { Peer } from '../../protocol/entities';
import { viewIds } from '../ids';
import type { MeshModel } from '../mesh/meshModel';
import { livenessLabel, livenessOf, peerIcon, peerKindLabel } from '../peerLook';
import { describePeerRef, lookalikes, type PeerRef } from '../../core/peer-listing';
import { plural } from '../../core/plural';
import { printable } from '../../core/printable';
import { createTree, formatAge, SafeTooltip, type MeshTree, type TreeNode } from './tree';

/** What a peer row shows besides the peer. */
export interface PeerFacts {
  /** Whether this peer is this very window. */
  readonly self: boolean;
  readonly claims: number;
  /** Messages from it to the person not yet read. */
  readonly unread: number;
  /** Another live peer whose name or id its name looks like (Unicode's confusables). */
  readonly lookalikeOf?: PeerRef;
}

export class PeerNode implements TreeNode {
  constructor(readonly peer: Peer, readonly facts: PeerFacts) {}

  toTreeItem(): vscode.TreeItem {
    const { peer, facts } = this;
    const liveness = livenessOf(peer);
    // Labels and descriptions are plain text: other peers' words go in printable.
    const name = printable(peer.name);
    const item = new vscode.TreeItem(name, vscode.TreeItemCollapsibleState.None);
    item.id = peer.id;
    const lookalike = facts.lookalikeOf && `looks like ${printable(describePeerRef(facts.lookalikeOf))}`;
    // A look-alike trades its kind icon for a warning: the person should look twice before trusting the name.
    item.iconPath = lookalike ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')) : peerIcon(peer);
    item.description = [
      lookalike,
      facts.self ? 'this window' : livenessLabel(liveness),
      printable(peer.summary),
      facts.claims > 0 ? plural(facts.claims, 'claim') : '',
      facts.unread > 0 ? `${facts.unread} unread` : '',
    ].filter(Boolean).join(' · ');
    item.contextValue = facts.self ? 'peer.self' : 'peer.other';
    const kind = peerKindLabel(peer);
    item.accessibilityInformation = { label: `${name}, ${kind}, ${livenessLabel(liveness)}${item.description ? `, ${item.description}` : ''}` };
    const tip = new SafeTooltip().bold(peer.name).text(` · ${kind}${facts.self ? ', this window' : ''} · ${livenessLabel(liveness)}`);
    if (facts.lookalikeOf) {
      tip.paragraph().icon('warning').text(`Its name looks like that of ${describePeerRef(facts.lookalikeOf)}, another peer in the mesh. Tell them apart by id: this one is ${peer.id}.`);
    }
    if (peer.summary) tip.paragraph().text(peer.summary);
    if (facts.claims > 0 || facts.unread > 0) {
      tip.paragraph().text([plural(facts.claims, 'claim'), facts.unread > 0 ? `${facts.unread} unread for you` : ''].filter(Boolean).join(', '));
    }
    if (peer.workspace) tip.paragraph().text(`Workspace: ${peer.workspace}${peer.gitBranch ? ` on ${peer.gitBranch}` : ''}`);
    tip.paragraph().text(`Joined ${formatAge(peer.connectedAt)}, last seen ${formatAge(peer.lastSeen)}${peer.pid !== null ? `, pid ${peer.pid}` : ''}`);
    item.tooltip = tip.md;
    return item;
  }
}

export function createPeersTree(model: MeshModel): MeshTree {
  return createTree(viewIds.peers, {
    roots: () => {
      const self = model.selfId;
      // Against every peer the window knows, listed or not: a look-alike of a quiet terminal identity still misleads.
      const flagged = lookalikes(model.peers.items);
      return model.listedPeers().map((peer) => new PeerNode(peer, {
        self: peer.id === self,
        claims: model.claimsOf(peer.id),
        unread: model.unreadFrom(peer.id).length,
        lookalikeOf: flagged.get(peer.id),
      }));
    },
    changes: [model.peers.onDidChange, model.locks.onDidChange, model.messages.onDidChange],
    emptyMessage: 'No peers yet. Agents and editor windows appear here when they join the mesh.',
  });
}
