/**
 * The PeerMesh status-bar item. For now it only says that PeerMesh is on and opens the log;
 * it will show the peer count and where the broker runs once the broker exists.
 */
import * as vscode from 'vscode';
import { Disposable } from './dispose';
import { commandIds, statusBarItemId } from './ids';

export class MeshStatusBar extends Disposable {
  readonly item: vscode.StatusBarItem;

  constructor(version: string) {
    super();
    this.item = this.register(vscode.window.createStatusBarItem(statusBarItemId, vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'PeerMesh';
    this.item.text = '$(broadcast) PeerMesh';
    this.item.tooltip = new vscode.MarkdownString(`**PeerMesh** ${version}\n\nCoordination mesh for the AI agents on this machine. Click to show the log.`);
    this.item.command = commandIds.showLog;
    this.item.show();
  }
}
