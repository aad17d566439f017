import * as vscode from 'vscode';
import type { PeerMeshExtensionApi } from '../../../src/vscode/extension';

export const extensionId = 'peermesh.peermesh';

/** The extension, activated; fails the test if it is missing. */
export async function activatedExtension(): Promise<vscode.Extension<PeerMeshExtensionApi>> {
  const extension = vscode.extensions.getExtension<PeerMeshExtensionApi>(extensionId);
  if (!extension) throw new Error(`${extensionId} is not installed in this VS Code`);
  await extension.activate();
  return extension;
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

/** The manifest of the extension under test, as VS Code read it. */
export function manifest(extension: vscode.Extension<unknown>): {
  contributes: { commands: { command: string }[]; views: Record<string, { id: string }[]> };
} {
  return extension.packageJSON;
}
