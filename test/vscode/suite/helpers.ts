import { realpathSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { resolveHome } from '../../../src/home/home';
import { PeerClient } from '../../../src/client/peer';
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
 * it never hosts the broker, so it proves there is one to join.
 */
export function otherPeer(name: string): Promise<PeerClient> {
  const folder = workspaceFolder();
  return PeerClient.connect({
    home: resolveHome({ PEERMESH_HOME: meshHomeDir() }),
    intro: { name, kind: 'cli', pid: process.pid, cwd: folder, workspace: folder },
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
