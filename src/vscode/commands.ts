/**
 * Every command goes through {@link registerCommand} (STYLE.md §7): a failure is logged with
 * its stack and shown as one notification with a way to the log; a cancellation is not an error.
 */
import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import type { CommandId, InternalCommandId } from './ids';
import { inert } from './messageText';

/** What a command needs to report a failure. */
export interface CommandContext {
  readonly log: Logger;
  /** Reveals the log; offered as the notification's button. */
  showLog(): void;
}

export function registerCommand(
  id: CommandId | InternalCommandId,
  handler: (...args: unknown[]) => unknown,
  context: CommandContext,
): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (error) {
      reportCommandError(id, error, context);
      return undefined;
    }
  });
}

/** Logs a command's failure and shows it, with a way to the log; a cancellation is not one. */
export function reportCommandError(id: string, error: unknown, { log, showLog }: CommandContext): void {
  if (isCancellation(error)) {
    log.debug(`[command] ${id} cancelled`);
    return;
  }
  // An Error is logged as itself so the log shows its stack.
  log.error(`[command] ${id} failed${error instanceof Error ? ':' : `: ${describe(error)}`}`);
  if (error instanceof Error) log.error(error);
  // A broker's message may quote another peer's words (a name, a reason): shown inert.
  void vscode.window.showErrorMessage(`PeerMesh: ${inert(describe(error))}`, 'Show Log').then((choice) => {
    if (choice) showLog();
  });
}

/** Whether `error` means the person dismissed what a command asked: not a failure. */
export function isCancellation(error: unknown): boolean {
  return error instanceof vscode.CancellationError || (error instanceof Error && error.name === 'Canceled');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
