/**
 * The PeerMesh status-bar item: how many peers are working out of those in view and where the
 * broker runs (`$(broadcast) 2/4`, "2 of 4 peers working · broker here (pid 1234, port
 * 41234)"), unread messages to the person, and the warning colours while the window is
 * reconnecting or cannot reach a broker. Click: the quick pick of mesh actions.
 */
import * as vscode from 'vscode';
import type { BrokerInfo } from '../protocol/methods';
import { Disposable } from './dispose';
import { commandIds, statusBarItemId } from './ids';
import type { MeshConnection, MeshState } from './mesh/meshConnection';
import type { MeshModel } from './mesh/meshModel';
import { livenessOf } from './peerLook';

const warning = new vscode.ThemeColor('statusBarItem.warningBackground');

export class MeshStatusBar extends Disposable {
  readonly item: vscode.StatusBarItem;

  constructor(
    private readonly version: string,
    private readonly mesh: MeshConnection,
    private readonly model: MeshModel,
  ) {
    super();
    this.item = this.register(vscode.window.createStatusBarItem(statusBarItemId, vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'PeerMesh';
    this.item.command = commandIds.showActions;
    mesh.onDidChangeState(this.update, this, this.subscriptions);
    model.peers.onDidChange(this.update, this, this.subscriptions);
    model.messages.onDidChange(this.update, this, this.subscriptions);
    model.locks.onDidChange(this.update, this, this.subscriptions);
    this.update();
    this.item.show();
  }

  private update(): void {
    const { state, client } = this.mesh;
    const self = this.model.selfId;
    // Counted as the Peers view lists them.
    const others = this.model.listedPeers().filter((peer) => peer.id !== self);
    const working = others.filter((peer) => livenessOf(peer) === 'working').length;
    const unread = this.model.unreadFrom().length;
    const connected = state.kind === 'connected' || state.kind === 'reconnecting';
    const icon = state.kind === 'failed' ? '$(warning)' : state.kind === 'reconnecting' ? '$(sync~spin)' : '$(broadcast)';
    this.item.text = connected ? `${icon} ${working}/${others.length}${unread > 0 ? ` $(mail) ${unread}` : ''}` : `${icon} PeerMesh`;
    this.item.backgroundColor = state.kind === 'reconnecting' || state.kind === 'failed' ? warning : undefined;
    const line = describeState(state, working, others.length, client?.broker, this.mesh.hostsBroker);
    const mail = unread > 0 ? ` ${unread} unread message${unread === 1 ? '' : 's'} for you.` : '';
    this.item.tooltip = new vscode.MarkdownString(`**PeerMesh** ${this.version}\n\n${line}${mail}\n\nMesh home \`${this.mesh.homeDir}\`. Click for mesh actions.`);
    this.item.accessibilityInformation = { label: `PeerMesh: ${line}${mail}` };
  }
}

function describeState(state: MeshState, working: number, total: number, broker: BrokerInfo | undefined, hostedHere: boolean): string {
  const peers = total === 0 ? 'no other peers' : `${working} of ${total} ${total === 1 ? 'peer' : 'peers'} working`;
  switch (state.kind) {
    case 'connecting':
      return 'Joining the mesh…';
    case 'connected':
      return broker ? `${peers} · ${describeBroker(broker, hostedHere)}` : peers;
    case 'reconnecting':
      return `${peers} · the broker went away; reconnecting…`;
    case 'failed':
      return `Not in the mesh: ${state.error}. Retrying in ${Math.round(state.retryInMs / 1000)} s.`;
    case 'closed':
      return 'Left the mesh.';
  }
}

/** "broker here (pid 1234, port 41234)" or "broker in pid 5678 (port 41234)". */
export function describeBroker(broker: BrokerInfo, hostedHere: boolean): string {
  return hostedHere ? `broker here (pid ${broker.pid}, port ${broker.port})` : `broker in pid ${broker.pid} (port ${broker.port})`;
}
