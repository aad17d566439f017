/**
 * A stable command for agents' MCP configs: `<mesh home>/bin/peermesh`, a two-line script that
 * runs the PeerMesh CLI installed now. Configs name the script, never a versioned folder, so
 * updating the extension (or the npm package) does not break them: `peermesh setup`, and the
 * extension each time it joins the mesh, point the script at themselves.
 */
import { realpathSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { MeshHome } from './home';
import { atomicWrite } from './files';

/** How to run a PeerMesh CLI: this runtime, that script. */
export interface CliRuntime {
  execPath: string;
  cli: string;
  /** An editor's Electron, which runs a script as Node only with ELECTRON_RUN_AS_NODE=1. */
  electron: boolean;
}

/** The CLI running in this process. */
export function currentRuntime(): CliRuntime {
  return { execPath: process.execPath, cli: realpathSync(process.argv[1]), electron: process.versions.electron !== undefined };
}

export function launcherPath(home: MeshHome): string {
  return path.join(home.dir, 'bin', process.platform === 'win32' ? 'peermesh.cmd' : 'peermesh');
}

/** A word the shell reads back as itself. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function launcherText(rt: CliRuntime): string {
  if (process.platform === 'win32') {
    return `@echo off\r\n${rt.electron ? 'set ELECTRON_RUN_AS_NODE=1\r\n' : ''}"${rt.execPath}" "${rt.cli}" %*\r\n`;
  }
  const env = rt.electron ? 'ELECTRON_RUN_AS_NODE=1 ' : '';
  return `#!/bin/sh\n# Written by PeerMesh: runs the PeerMesh CLI installed now. Rewritten by \`peermesh setup\` and the extension.\n${env}exec ${shellWord(rt.execPath)} ${shellWord(rt.cli)} "$@"\n`;
}

/** Writes the launcher (atomically, only if it changes); returns its path. */
export async function writeLauncher(home: MeshHome, rt: CliRuntime = currentRuntime()): Promise<string> {
  const file = launcherPath(home);
  const text = launcherText(rt);
  const current = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (current !== text) {
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await atomicWrite(file, text, { mode: 0o755 });
  }
  return file;
}

/** Points an existing launcher at `rt`; does nothing where setup never wrote one. True if it changed. */
export async function refreshLauncher(home: MeshHome, rt: CliRuntime): Promise<boolean> {
  const current = await fs.readFile(launcherPath(home), 'utf8').catch(() => undefined);
  if (current === undefined || current === launcherText(rt)) return false;
  await writeLauncher(home, rt);
  return true;
}
