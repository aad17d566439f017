/**
 * How to run the `peermesh` CLI that ships inside the extension (`dist/cli.js`): with the
 * editor's own runtime, `process.execPath`. In desktop VS Code that is Electron, which runs a
 * script as plain Node only with `ELECTRON_RUN_AS_NODE=1`; in the VS Code server it is Node,
 * which ignores the variable. Either way no `node` on PATH is needed.
 */
import path from 'node:path';

export interface CliCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** `peermesh <args…>` for the mesh home `homeDir`. */
export function cliCommand(extensionPath: string, homeDir: string, args: string[]): CliCommand {
  return {
    command: process.execPath,
    args: [path.join(extensionPath, 'dist', 'cli.js'), ...args],
    env: { ELECTRON_RUN_AS_NODE: '1', PEERMESH_HOME: homeDir },
  };
}
