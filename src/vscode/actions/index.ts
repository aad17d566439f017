/** Registers every mesh action as its command (through registerCommand, STYLE.md §7). */
import type * as vscode from 'vscode';
import { registerCommand, type CommandContext } from '../commands';
import { commandIds } from '../ids';
import type { LocksTree } from '../trees/locksTree';
import type { ActionContext } from './context';
import { forceRelease, lockFile, lockSelection, messageHolder, toggleSelectionLock, unlock, unlockAllMine } from './lockActions';
import { broadcast, sendMessage, setSummary } from './messageActions';
import { openDashboard, restartBroker, showActions, showBrokerStatus, showPeerLocks } from './meshActions';

export function registerActions(ctx: ActionContext, locks: LocksTree, commands: CommandContext): vscode.Disposable[] {
  return [
    registerCommand(commandIds.lockFile, (arg) => lockFile(ctx, arg), commands),
    registerCommand(commandIds.lockSelection, () => lockSelection(ctx), commands),
    registerCommand(commandIds.toggleSelectionLock, () => toggleSelectionLock(ctx), commands),
    registerCommand(commandIds.unlock, (arg) => unlock(ctx, arg), commands),
    registerCommand(commandIds.releaseLock, (arg) => unlock(ctx, arg), commands),
    registerCommand(commandIds.unlockAllMine, () => unlockAllMine(ctx), commands),
    registerCommand(commandIds.messageHolder, (arg) => messageHolder(ctx, arg), commands),
    registerCommand(commandIds.forceReleaseLock, (arg) => forceRelease(ctx, arg), commands),
    registerCommand(commandIds.broadcast, () => broadcast(ctx), commands),
    registerCommand(commandIds.sendMessage, (arg) => sendMessage(ctx, arg), commands),
    registerCommand(commandIds.setSummary, (arg) => setSummary(ctx, arg), commands),
    registerCommand(commandIds.showBrokerStatus, () => showBrokerStatus(ctx), commands),
    registerCommand(commandIds.restartBroker, () => restartBroker(ctx), commands),
    registerCommand(commandIds.openDashboard, () => openDashboard(), commands),
    registerCommand(commandIds.showActions, () => showActions(ctx), commands),
    registerCommand(commandIds.showPeerLocks, (arg) => showPeerLocks(locks, arg), commands),
    registerCommand(commandIds.clearLocksFilter, () => locks.filterByHolder(undefined), commands),
  ];
}
