/** Registers every mesh action as its command (through registerCommand, STYLE.md §7). */
import type * as vscode from 'vscode';
import { registerCommand, type CommandContext } from '../commands';
import { commandIds } from '../ids';
import type { MessageTraffic } from '../mesh/traffic';
import type { LocksTree } from '../trees/locksTree';
import type { MessagesTree } from '../trees/messagesTree';
import type { ActionContext } from './context';
import { filterMessages, markAllMessagesRead, markMessageRead, openMessage, replyToMessage } from './inboxActions';
import { forceRelease, lockFile, lockSelection, requestRelease, toggleSelectionLock, unlock, unlockAllMine, waitForLock } from './lockActions';
import { broadcast, sendMessage, setSummary } from './messageActions';
import { lockSymbolAtCursor } from './symbolActions';
import { openDashboard, restartBroker, showActions, showBrokerStatus, showPeerLocks } from './meshActions';
import type { PlanFromDescription } from '../plan/planFromDescription';
import { claimTask, openTaskFiles, reviewProposal, setTaskStatus, type PlanActionContext } from './planActions';
import { decideDebate, openDebate, type DebateActionContext } from './debateActions';

/** The views whose rows and filters the actions work on. */
export interface ActionViews {
  readonly locks: LocksTree;
  readonly messages: MessagesTree;
  readonly traffic: MessageTraffic;
}

export function registerActions(ctx: ActionContext, { locks, messages, traffic }: ActionViews, commands: CommandContext): vscode.Disposable[] {
  return [
    registerCommand(commandIds.lockFile, (arg) => lockFile(ctx, arg), commands),
    registerCommand(commandIds.lockSelection, () => lockSelection(ctx), commands),
    registerCommand(commandIds.toggleSelectionLock, () => toggleSelectionLock(ctx), commands),
    registerCommand(commandIds.lockSymbolAtCursor, () => lockSymbolAtCursor(ctx), commands),
    registerCommand(commandIds.unlock, (arg) => unlock(ctx, arg), commands),
    registerCommand(commandIds.releaseLock, (arg) => unlock(ctx, arg), commands),
    registerCommand(commandIds.unlockAllMine, () => unlockAllMine(ctx), commands),
    registerCommand(commandIds.requestRelease, (arg) => requestRelease(ctx, arg), commands),
    registerCommand(commandIds.waitForLock, (arg) => waitForLock(ctx, arg), commands),
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
    registerCommand(commandIds.openMessage, (arg) => openMessage(ctx, messages, arg), commands),
    registerCommand(commandIds.replyToMessage, (arg) => replyToMessage(ctx, arg), commands),
    registerCommand(commandIds.markMessageRead, (arg) => markMessageRead(ctx, arg), commands),
    registerCommand(commandIds.markAllMessagesRead, () => markAllMessagesRead(ctx), commands),
    registerCommand(commandIds.filterMessages, (arg) => filterMessages(ctx, traffic, arg), commands),
  ];
}

/** Registers the plan's commands: decomposition, and the Plan view's rows. */
export function registerPlanActions(ctx: PlanActionContext, planner: PlanFromDescription, commands: CommandContext): vscode.Disposable[] {
  return [
    registerCommand(commandIds.planFromDescription, (arg) => planner.run(arg), commands),
    registerCommand(commandIds.claimTask, (arg) => claimTask(ctx, arg), commands),
    registerCommand(commandIds.setTaskStatus, (arg) => setTaskStatus(ctx, arg), commands),
    registerCommand(commandIds.openTaskFiles, (arg) => openTaskFiles(ctx, arg), commands),
    registerCommand(commandIds.reviewProposal, (arg) => reviewProposal(ctx, arg), commands),
  ];
}

/** Registers the debates' commands: open one round by round, rule on one. */
export function registerDebateActions(ctx: DebateActionContext, commands: CommandContext): vscode.Disposable[] {
  return [
    registerCommand(commandIds.openDebate, (arg) => openDebate(ctx, arg), commands),
    registerCommand(commandIds.decideDebate, (arg) => decideDebate(ctx, arg), commands),
  ];
}
