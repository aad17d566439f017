/**
 * Everything the extension asks the person goes through {@link Prompts}: quick picks, input
 * boxes, confirmations and notifications with buttons. The real implementation is VS Code's
 * own UI; the tests inside VS Code put a scripted one in its place (through the extension's
 * test API) to answer as a person would and to see what was asked.
 */
import * as vscode from 'vscode';

export interface Prompts {
  pick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T | undefined>;
  pickMany<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<readonly T[] | undefined>;
  input(options: vscode.InputBoxOptions): Promise<string | undefined>;
  /**
   * A notification (`modal`: a dialog) with buttons; resolves to the button chosen, or
   * undefined when dismissed. `severity` picks the icon.
   */
  notify(severity: 'info' | 'warning', message: string, options: { modal?: boolean; detail?: string }, ...buttons: string[]): Promise<string | undefined>;
}

export const vscodePrompts: Prompts = {
  pick: async (items, options) => vscode.window.showQuickPick([...items], options),
  pickMany: async (items, options) => vscode.window.showQuickPick([...items], { ...options, canPickMany: true }),
  input: async (options) => vscode.window.showInputBox(options),
  notify: async (severity, message, options, ...buttons) => {
    const show = severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    return show(message, options, ...buttons);
  },
};

/** The prompts in use: VS Code's, unless a test has put its own in place. */
export class PromptSource implements Prompts {
  current: Prompts = vscodePrompts;

  pick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T | undefined> {
    return this.current.pick(items, options);
  }

  pickMany<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<readonly T[] | undefined> {
    return this.current.pickMany(items, options);
  }

  input(options: vscode.InputBoxOptions): Promise<string | undefined> {
    return this.current.input(options);
  }

  notify(severity: 'info' | 'warning', message: string, options: { modal?: boolean; detail?: string }, ...buttons: string[]): Promise<string | undefined> {
    return this.current.notify(severity, message, options, ...buttons);
  }
}

/** Ends a command quietly: the person dismissed what it asked (see commands.ts). */
export function cancelled(): never {
  throw new vscode.CancellationError();
}
