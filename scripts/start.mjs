#!/usr/bin/env node
// `npm start`: build, then open VS Code with PeerMesh loaded from this folder.
//  - With a local `code` command: `code --extensionDevelopmentPath=<repo> <repo>`.
//  - Without one (a server, a container, CI): start the VS Code server (installed and cached on
//    first use, see scripts/vscode-server.mjs), print the URL that opens this folder with
//    PeerMesh loaded, and keep serving until Ctrl-C.
//   node scripts/start.mjs [--port N] [--server]     --server: skip `code` even if present
// Rebuild on change with `npm run watch` in another terminal, then "Developer: Reload Window".
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cacheRoot, ensureVsCodeServer, freePort, startVsCodeServer, workbenchUrl } from './vscode-server.mjs';

const repo = path.resolve(import.meta.dirname, '..');
const { values: options } = parseArgs({
  options: { port: { type: 'string' }, server: { type: 'boolean', default: false } },
});

// Until the server runs, Ctrl-C just exits (which also ends a first-time install in progress).
const exitOnSignal = () => process.exit(130);
process.once('SIGINT', exitOnSignal);
process.once('SIGTERM', exitOnSignal);

const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repo, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

function onPath(command) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, command)));
}

if (!options.server && onPath('code')) {
  console.log(`Opening VS Code with PeerMesh from ${repo}`);
  const code = spawn('code', [`--extensionDevelopmentPath=${repo}`, repo], { stdio: 'inherit' });
  code.on('exit', (status) => process.exit(status ?? 0));
} else {
  const { nodeBin, serverMain } = await ensureVsCodeServer();
  // Settings and installed extensions persist between starts; the mesh home is the user's own
  // (PEERMESH_HOME if set, else ~/.peermesh), as for anyone running the extension.
  const dataDir = path.join(cacheRoot(), 'start');
  mkdirSync(dataDir, { recursive: true });
  const port = options.port ? Number(options.port) : await freePort();
  const server = await startVsCodeServer({
    nodeBin, serverMain, port,
    serverDataDir: path.join(dataDir, 'server-data'),
    extensionsDir: path.join(dataDir, 'extensions'),
    env: process.env,
    logFile: path.join(dataDir, 'server.log'),
  });
  let stopping = false;
  const stop = async (signal) => {
    stopping = true;
    console.log(`\n${signal}: stopping the VS Code server (pid ${server.pid})`);
    await server.stop();
    process.exit(0);
  };
  process.off('SIGINT', exitOnSignal);
  process.off('SIGTERM', exitOnSignal);
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  console.log(`\nVS Code server (pid ${server.pid}) with PeerMesh from ${repo}. Open:\n`);
  console.log(`  ${workbenchUrl({ port, folder: repo, extensionDevelopmentPath: repo })}\n`);
  console.log(`It listens on 127.0.0.1 only (on a remote machine, forward port ${port}). Server log: ${path.join(dataDir, 'server.log')}`);
  console.log('Ctrl-C stops it.');
  const { code, signal } = await server.exit;
  if (stopping) await new Promise(() => undefined); // stop() exits
  console.log(`The VS Code server exited (${signal ?? `code ${code}`}); see the log.`);
  process.exit(code ?? 1);
}
