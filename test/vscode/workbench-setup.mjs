// What both launchers of a workbench in the VS Code server need (run-offline.mjs for the tests,
// run-bench.mjs for the bench): quiet user settings and a clean environment for the server.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Quiet, offline-friendly user settings, so the workbench shows PeerMesh and nothing else. */
export function writeUserSettings(serverDataDir) {
  const userDir = path.join(serverDataDir, 'data', 'User');
  mkdirSync(userDir, { recursive: true });
  writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'telemetry.telemetryLevel': 'off',
    'chat.disableAIFeatures': true,
    'git.enabled': false,
  }, null, 2));
}

/**
 * The VS Code server's environment: ours plus `extra`, without the variables of a VS Code this
 * launcher may have been started from (a VS Code terminal must not hand that editor's hooks to
 * this one). The extension host is the server's child and inherits it.
 */
export function serverEnv(extra) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') delete env[key];
  return Object.assign(env, extra);
}

/**
 * The folders of one workbench under `tmp`: the server's data and extensions, the mesh home,
 * the workspace (with a README.md saying what it is for) and Chromium's profile; the user
 * settings written. Returns their paths.
 */
export function makeWorkbenchDirs(tmp, purpose) {
  const dirs = {
    serverData: path.join(tmp, 'server-data'),
    extensions: path.join(tmp, 'extensions'),
    home: path.join(tmp, 'peermesh-home'),
    workspace: path.join(tmp, 'workspace'),
    browserProfile: path.join(tmp, 'chromium-profile'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dirs.workspace, 'README.md'), `# A workspace for ${purpose}\n`);
  writeUserSettings(dirs.serverData);
  return dirs;
}
