import { realpathSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { resolveHome } from '../../../src/home/home';
import { PeerClient } from '../../../src/client/peer';
import type { PeerKind } from '../../../src/protocol/entities';
import type { PeerMeshExtensionApi } from '../../../src/vscode/extension';

export const extensionId = 'peermesh.peermesh';

/** The extension, activated; fails the test if it is missing. */
export async function activatedExtension(): Promise<vscode.Extension<PeerMeshExtensionApi>> {
  const extension = vscode.extensions.getExtension<PeerMeshExtensionApi>(extensionId);
  if (!extension) throw new Error(`${extensionId} is not installed in this VS Code`);
  await extension.activate();
  return extension;
}

/** The extension's API once this window has joined the mesh. */
export async function joinedMesh(timeoutMs = 30_000): Promise<PeerMeshExtensionApi> {
  const { exports: api } = await activatedExtension();
  await waitFor('the window to join the mesh', () => (api.mesh.state.kind === 'connected' && api.mesh.client ? true : undefined), timeoutMs);
  return api;
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The workspace folder the launcher opened (real path). */
export function workspaceFolder(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the test workbench has no folder open');
  return realpathSync(folder.uri.fsPath);
}

/** Real path of the temporary mesh home the launcher gave the extension host. */
export function meshHomeDir(): string {
  const home = process.env.PEERMESH_HOME;
  if (!home) throw new Error('PEERMESH_HOME is not set');
  return realpathSync(home);
}

/**
 * Another peer in the window's mesh, in the same folder, as a terminal agent would join it:
 * it never hosts the broker, so it proves there is one to join. `kind` says what it is: the
 * terminal (`cli`, one of the person's peers) unless an agent's kind is given.
 */
export function otherPeer(name: string, kind: PeerKind = 'cli'): Promise<PeerClient> {
  const folder = workspaceFolder();
  return PeerClient.connect({
    home: resolveHome({ PEERMESH_HOME: meshHomeDir() }),
    intro: { name, kind, pid: process.pid, cwd: folder, workspace: folder },
    canHost: false,
    connectTimeoutMs: 10_000,
  });
}

/** The folder name the window's peer is named after: `vscode:<name>`. */
export function windowPeerName(): string {
  return `vscode:${path.basename(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? 'window')}`;
}

/** The manifest of the extension under test, as VS Code read it. */
export function manifest(extension: vscode.Extension<unknown>): {
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
    mcpServerDefinitionProviders?: { id: string; label: string }[];
  };
} {
  return extension.packageJSON;
}

/** One question the extension asked the person, as a scripted {@link Prompts} saw it. */
export interface Asked {
  readonly kind: 'pick' | 'pickMany' | 'input' | 'notify';
  /** The title, prompt or message. */
  readonly text: string;
  /** The items offered (labels) or buttons. */
  readonly choices: readonly string[];
  /** What the input box's validation said about the scripted answer (then it was dismissed). */
  refused?: string;
}

/** Answers to the questions, in order of asking, by kind. Undefined answers dismiss. */
export interface Answers {
  pick?: (labels: string[], text: string) => string | undefined;
  pickMany?: (labels: string[], text: string) => string[] | undefined;
  input?: (text: string) => string | undefined;
  notify?: (message: string, buttons: string[]) => string | undefined;
}

/**
 * Puts scripted prompts in place of VS Code's (through the extension's test API) for the
 * duration of `body`: each question is recorded in `asked` and answered by `answers`.
 */
export async function withAnswers<T>(answers: Answers, body: (asked: Asked[]) => Promise<T>): Promise<T> {
  const api = await joinedMesh();
  const asked: Asked[] = [];
  const label = (item: vscode.QuickPickItem): string => item.label;
  const previous = api.prompts.current;
  api.prompts.current = {
    pick: async (items, options) => {
      const labels = items.map(label);
      asked.push({ kind: 'pick', text: options.title ?? options.placeHolder ?? '', choices: labels });
      const answer = answers.pick?.(labels, options.title ?? '');
      return items.find((item) => item.label === answer);
    },
    pickMany: async (items, options) => {
      const labels = items.map(label);
      asked.push({ kind: 'pickMany', text: options.title ?? '', choices: labels });
      const answer = answers.pickMany?.(labels, options.title ?? '');
      return answer && items.filter((item) => answer.includes(item.label));
    },
    input: async (options) => {
      const question: Asked = { kind: 'input', text: options.title ?? options.prompt ?? '', choices: [] };
      asked.push(question);
      const answer = answers.input?.(options.title ?? '');
      // The real box will not accept what its validation refuses: the person can only dismiss it.
      const problem = answer !== undefined ? await options.validateInput?.(answer) : undefined;
      if (problem) {
        question.refused = typeof problem === 'string' ? problem : problem.message;
        return undefined;
      }
      return answer;
    },
    notify: async (_severity, message, _options, ...buttons) => {
      asked.push({ kind: 'notify', text: message, choices: buttons });
      return answers.notify?.(message, buttons);
    },
  };
  try {
    return await body(asked);
  } finally {
    api.prompts.current = previous;
  }
}
