/**
 * The PeerMesh status-bar item: how many peers the Peers view shows and where the broker runs
 * (`$(broadcast) PeerMesh 3`, "3 peers · broker here (pid 1234, port 41234)"), with the
 * warning colours while the window is reconnecting or cannot reach a broker. Click: the log.
 */
import * as vscode from 'vscode';
import type { BrokerInfo } from '../protocol/methods';
import { Disposable } from './dispose';
import { commandIds, statusBarItemId } from './ids';
import type { MeshConnection, MeshState } from './mesh/meshConnection';
import type { ListModel } from './trees/listTree';

const warning = new vscode.ThemeColor('statusBarItem.warningBackground');

export class MeshStatusBar extends Disposable {
  readonly item: vscode.StatusBarItem;

  constructor(
    private readonly version: string,
    private readonly mesh: MeshConnection,
    private readonly peers: ListModel<unknown>,
  ) {
    super();
    this.item = this.register(vscode.window.createStatusBarItem(statusBarItemId, vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'PeerMesh';
    this.item.command = commandIds.showLog;
    mesh.onDidChangeState(this.update, this, this.subscriptions);
    peers.onDidChange(this.update, this, this.subscriptions);
    this.update();
    this.item.show();
  }

  private update(): void {
    const { state, client } = this.mesh;
    const count = this.peers.items.length;
    const connected = state.kind === 'connected' || state.kind === 'reconnecting';
    this.item.text = connected ? `$(broadcast) PeerMesh ${count}` : '$(broadcast) PeerMesh';
    this.item.backgroundColor = state.kind === 'reconnecting' || state.kind === 'failed' ? warning : undefined;
    const line = describeState(state, count, client?.broker, this.mesh.hostsBroker);
    this.item.tooltip = new vscode.MarkdownString(`**PeerMesh** ${this.version}\n\n${line}\n\nMesh home \`${this.mesh.homeDir}\`. Click to show the log.`);
    this.item.accessibilityInformation = { label: `PeerMesh: ${line}` };
  }
}

function describeState(state: MeshState, count: number, broker: BrokerInfo | undefined, hostedHere: boolean): string {
  const peers = `${count} ${count === 1 ? 'peer' : 'peers'}`;
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
