/**
 * The mesh as a whole: Show Broker Status, Restart Broker, Open Dashboard, the status bar's
 * quick pick of actions, and the Locks view's filter by holder.
 */
import * as vscode from 'vscode';
import { formatDuration } from '../../core/duration';
import type { Status } from '../../protocol/methods';
import { describeCounts } from '../../protocol/requests/status';
import { commandIds, focusViewCommand, viewIds, type CommandId } from '../ids';
import { describeBroker } from '../statusBar';
import type { LocksTree } from '../trees/locksTree';
import { PeerNode } from '../trees/peersTree';
import { clientOf, type ActionContext } from './context';
import { cancelled } from './prompts';

/** Show Broker Status: where the broker runs, for how long, and what it keeps. Returns the status. */
export async function showBrokerStatus(ctx: ActionContext): Promise<Status> {
  const status = await clientOf(ctx.mesh).request('status/get', {});
  const where = describeBroker(status, ctx.mesh.hostsBroker);
  const detail = [
    `PeerMesh ${status.version}, up ${formatDuration(status.uptimeMs, { rounding: 'nearest' })}`,
    describeCounts(status.counts),
    `Store ${status.storeBytes} bytes + journal ${status.journalBytes} bytes in ${status.home}`,
  ].join('\n');
  void ctx.prompts.notify('info', `PeerMesh: ${where}. ${detail.replace(/\n/g, '. ')}.`, {}).then(() => undefined);
  return status;
}

export async function restartBroker(ctx: ActionContext): Promise<void> {
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'PeerMesh: restarting the broker…' }, () => ctx.mesh.restartBroker());
  const broker = clientOf(ctx.mesh).broker;
  void ctx.prompts.notify('info', `PeerMesh: the broker restarted; ${describeBroker(broker, ctx.mesh.hostsBroker)}.`, {});
}

export async function openDashboard(): Promise<void> {
  await vscode.commands.executeCommand(focusViewCommand(viewIds.dashboard));
}

/** Show Its Locks on a Peers row: the Locks view, narrowed to that peer. */
export async function showPeerLocks(locks: LocksTree, arg?: unknown): Promise<void> {
  const peer = arg instanceof PeerNode ? arg.peer : undefined;
  locks.filterByHolder(peer);
  await vscode.commands.executeCommand(focusViewCommand(viewIds.locks));
}

interface ActionItem extends vscode.QuickPickItem {
  readonly command?: CommandId;
}

/** The status bar's menu: the mesh actions that make sense now. Runs the one picked. */
export async function showActions(ctx: ActionContext): Promise<void> {
  const connected = ctx.mesh.client !== undefined;
  const unread = ctx.model.unreadFrom().length;
  const editor = vscode.window.activeTextEditor?.document.uri.scheme === 'file';
  const items: ActionItem[] = [
    { label: 'Locks', kind: vscode.QuickPickItemKind.Separator },
    ...(connected && editor ? [
      { label: '$(lock) Lock Selection', command: commandIds.lockSelection },
      { label: '$(file) Lock File', command: commandIds.lockFile },
    ] : []),
    ...(connected ? [
      { label: '$(unlock) Unlock…', command: commandIds.unlock },
      { label: '$(unlock) Unlock All Mine', command: commandIds.unlockAllMine },
    ] : []),
    { label: 'Messages', kind: vscode.QuickPickItemKind.Separator },
    ...(connected ? [
      { label: '$(broadcast) Broadcast…', command: commandIds.broadcast },
      { label: '$(comment) Send Message to Peer…', command: commandIds.sendMessage },
      { label: '$(edit) Set My Summary…', command: commandIds.setSummary },
    ] : []),
    ...(unread > 0 ? [{ label: `$(mail) Open Unread Message… (${unread})`, command: commandIds.openMessage }] : []),
    { label: '$(filter) Filter Messages…', command: commandIds.filterMessages },
    { label: 'Mesh', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(dashboard) Open Dashboard', command: commandIds.openDashboard },
    ...(connected ? [{ label: '$(info) Show Broker Status', command: commandIds.showBrokerStatus }] : []),
    ...(ctx.mesh.hostsBroker ? [{ label: '$(debug-restart) Restart Broker', command: commandIds.restartBroker }] : []),
    { label: '$(plug) Set Up MCP for Other Agents…', command: commandIds.setupAgents },
    { label: '$(output) Show Log', command: commandIds.showLog },
  ];
  const picked = await ctx.prompts.pick(items, { title: 'PeerMesh', placeHolder: 'What to do' });
  if (!picked?.command) cancelled();
  await vscode.commands.executeCommand(picked.command);
}
