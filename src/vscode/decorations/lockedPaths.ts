/**
 * Where a lock's file is in this window. The broker names files by their real path (symlinks
 * resolved); an editor or the explorer may know the same file by a path through a symlinked
 * folder. Both views compare real paths and hand VS Code back a URI under the workspace folder.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';

const realPaths = new Map<string, string>();

/** The real path of `fsPath`, or `fsPath` itself when it does not exist (not cached then). */
export function realPathOf(fsPath: string): string {
  const known = realPaths.get(fsPath);
  if (known !== undefined) return known;
  try {
    const real = realpathSync.native(fsPath);
    realPaths.set(fsPath, real);
    return real;
  } catch {
    return fsPath;
  }
}

/** The URI the explorer shows for the file at real path `lockPath`. */
export function workspaceUriFor(lockPath: string): vscode.Uri {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    const real = realPathOf(folder.uri.fsPath);
    const rel = path.relative(real, lockPath);
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return vscode.Uri.joinPath(folder.uri, ...rel.split(path.sep));
  }
  return vscode.Uri.file(lockPath);
}
