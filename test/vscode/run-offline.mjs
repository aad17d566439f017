#!/usr/bin/env node
// Runs the VS Code test suite (out/test/vscode/suite/index.js, built by `node esbuild.mjs
// --tests`) inside a real VS Code on a machine without internet: VS Code's own server from the
// `code-server` npm package, its workbench in headless Chromium (/work/shared/VSCODE-TESTING.md).
//
//   node test/vscode/run-offline.mjs              both runs: the development folder (every
//                                                 suite), then `npm run package` and the
//                                                 installed .vsix (the suites packaging can
//                                                 break: see suite/index.ts)
//   node test/vscode/run-offline.mjs --dev        only the development folder
//   node test/vscode/run-offline.mjs --vsix FILE  only FILE, installed as a user would install it
//   options: --timeout SECONDS (per run, default 300)   --keep (keep the temporary folders)
//            --grep PATTERN (only the suite's tests whose full title matches; PEERMESH_VSCODE_GREP
//            too; the launcher's own looks at the workbench still run)
//
// Beside PeerMesh the workbench loads test/vscode/fixtures/fake-lm, a test-only extension with
// a scripted language model (the decomposition tests queue its answers), so PeerMesh's own
// manifest declares nothing for the tests.
//
// Each run starts the server with a temporary PEERMESH_HOME, opens the workbench with the
// development payload, waits for the suite's result file, then looks at the workbench as a
// person would (status bar, the PeerMesh container, the dashboard webview), saves screenshots
// (the workbench; other agents' locks in the editor and the sidebar; the Plan view) to
// .test-artifacts/vscode/, and reads the activation time from the extension host's logs.
// It prints every test mocha-style and one mocha summary ("N passing", "N failing") for all
// runs, exits non-zero on any failure or timeout, and ends every process it started.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import {
  chromiumArgs, chromiumPath, ensureVsCodeServer, freePort, installVsix, startVsCodeServer, workbenchUrl,
} from '../../scripts/vscode-server.mjs';
import { findActivation, formatActivation, logsUnder } from './activation-log.mjs';
import { lockScreenshotChecks, themes, writeLockedFile } from './lock-screenshots.mjs';
import { debateScreenshotChecks } from './debate-screenshots.mjs';
import { planScreenshotChecks } from './plan-screenshots.mjs';
import { failedRun, printRuns, seconds } from './report.mjs';
import { workbenchChecks } from './workbench-checks.mjs';
import { makeWorkbenchDirs, serverEnv } from './workbench-setup.mjs';
import { listZip } from './zip-list.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const suiteIndex = path.join(repo, 'out', 'test', 'vscode', 'suite', 'index.js');
const artifacts = path.join(repo, '.test-artifacts', 'vscode');
const extensionId = 'peermesh.peermesh';
/** Test-only extensions loaded beside PeerMesh in every run. */
const fixtureExtensions = [path.join(repo, 'test', 'vscode', 'fixtures', 'fake-lm')];

const { values: options } = parseArgs({
  options: {
    dev: { type: 'boolean', default: false },
    vsix: { type: 'string' },
    timeout: { type: 'string', default: '300' },
    keep: { type: 'boolean', default: false },
    grep: { type: 'string', default: process.env.PEERMESH_VSCODE_GREP },
  },
});
const timeoutMs = Number(options.timeout) * 1000;

// Everything to undo, last first; run on success, failure and Ctrl-C alike. Unwinding is
// serialized (a signal can arrive while a run is unwinding) and each step has a time limit.
const cleanups = [];
let unwinding = Promise.resolve();
let interrupted = false;
const cleanUp = () => unwindTo(0);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the VS Code server and the browser`);
    void cleanUp().finally(() => process.exit(130));
  });
}

/** Runs the cleanups pushed since `mark`, last first. */
function unwindTo(mark) {
  unwinding = unwinding.then(async () => {
    while (cleanups.length > mark) {
      const step = cleanups.pop();
      let timer;
      try {
        await Promise.race([
          step(),
          new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('timed out after 15 s')), 15_000); }),
        ]);
      } catch (error) {
        console.error(`cleanup: ${error.message}`);
      } finally {
        clearTimeout(timer);
      }
    }
  });
  return unwinding;
}

const log = (line = '') => console.log(line);

/**
 * One run: start the server, open the workbench, wait for the suite, look, screenshot, stop.
 * Returns { name, tests, elapsedMs }; every test, the suite's and the launcher's own, is
 * { title, state, durationMs, error? }.
 */
async function runOnce({ name, vsix }) {
  const mark = cleanups.length;
  try {
    return await runSteps({ name, vsix, mark });
  } finally {
    await unwindTo(mark);
  }
}

async function runSteps({ name, vsix, mark }) {
  const started = Date.now();
  const tests = [];
  const check = async (title, fn) => {
    const t0 = Date.now();
    try {
      await fn();
      tests.push({ title: `workbench (${name}) ${title}`, state: 'passed', durationMs: Date.now() - t0 });
    } catch (error) {
      tests.push({ title: `workbench (${name}) ${title}`, state: 'failed', durationMs: Date.now() - t0, error: { message: error.message, stack: error.stack } });
    }
  };

  const { nodeBin, serverMain } = await ensureVsCodeServer();
  const tmp = mkdtempSync(path.join(os.tmpdir(), `peermesh-vscode-${name}-`));
  cleanups.push(() => (options.keep ? log(`  kept ${tmp}`) : rmSync(tmp, { recursive: true, force: true })));
  const dirs = makeWorkbenchDirs(tmp, 'the PeerMesh tests');
  writeLockedFile(dirs.workspace);
  for (const fixture of fixtureExtensions) installFixtureExtension(fixture, dirs.extensions);
  const resultFile = path.join(tmp, 'result.json');
  const releaseFile = path.join(tmp, 'release');

  let extensionDevelopmentPath = repo;
  if (vsix) {
    log(`  installing ${path.relative(repo, vsix)} into ${dirs.extensions}`);
    installVsix({ nodeBin, serverMain, vsix, extensionsDir: dirs.extensions, serverDataDir: dirs.serverData });
    // VS Code runs extension tests only with a development extension, so the suite is hosted
    // by an empty stand-in; PeerMesh itself loads from the extensions folder, as installed.
    extensionDevelopmentPath = path.join(tmp, 'test-host');
    mkdirSync(extensionDevelopmentPath);
    writeFileSync(path.join(extensionDevelopmentPath, 'package.json'), JSON.stringify({
      name: 'peermesh-test-host', publisher: 'peermesh-tests', version: '0.0.0', engines: { vscode: '*' },
    }));
  }

  const port = await freePort();
  const env = serverEnv({
    PEERMESH_HOME: dirs.home,
    PEERMESH_TEST_RESULT: resultFile,
    PEERMESH_TEST_HOLD: releaseFile,
    PEERMESH_TEST_MODE: name,
    PEERMESH_TEST_REPO: repo,
    PEERMESH_TEST_EXTENSIONS_DIR: dirs.extensions,
    ...(options.grep ? { PEERMESH_VSCODE_GREP: options.grep } : {}),
  });
  const serverLog = path.join(tmp, 'server.log');
  const server = await startVsCodeServer({
    nodeBin, serverMain, port, serverDataDir: dirs.serverData, extensionsDir: dirs.extensions, env, logFile: serverLog,
  });
  cleanups.push(() => server.stop());
  log(`  VS Code server pid ${server.pid} on 127.0.0.1:${port} (${seconds(Date.now() - started)})`);

  const context = await chromium.launchPersistentContext(dirs.browserProfile, {
    executablePath: chromiumPath, headless: true, args: chromiumArgs, viewport: { width: 1400, height: 900 },
    // This launcher handles the signals itself and closes the browser in its cleanup.
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
  });
  cleanups.push(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLines = [];
  page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  // The extension host's console reaches the workbench's: echo the suite's own greeting line.
  page.on('console', (message) => {
    const said = /\[peermesh-suite\] (.*)$/.exec(message.text())?.[1];
    if (said && !/^(passed|failed|pending) /.test(said)) log(`  suite says: ${said}`);
  });
  page.on('pageerror', (error) => consoleLines.push(`pageerror: ${error.message}`));
  await page.goto(workbenchUrl({ port, folder: dirs.workspace, extensionDevelopmentPath, extensionTestsPath: suiteIndex }));

  const result = await waitForResult(resultFile, server, serverLog, Date.now() + timeoutMs);
  mkdirSync(artifacts, { recursive: true });
  if (!result) {
    await page.screenshot({ path: path.join(artifacts, `workbench-${name}-timeout.png`) }).catch(() => undefined);
    const exthostLog = logsUnder(dirs.serverData).find((f) => f.endsWith('remoteexthost.log'));
    const reason = server.exited ? 'the VS Code server exited'
      : /Extension Host Process exited/.test(tail(serverLog, 200)) ? 'the extension host ended without writing results (see the browser console below)'
        : `no result after ${seconds(timeoutMs)}`;
    tests.push({ title: `suite (${name}) produced results`, state: 'failed', durationMs: Date.now() - started, error: {
      message: `${reason}\n--- browser console (last 30) ---\n${consoleLines.slice(-30).join('\n')}\n`
        + `--- server log (last 30) ---\n${tail(serverLog, 30)}\n--- extension host log (last 30) ---\n${exthostLog ? tail(exthostLog, 30) : '(none)'}`,
    } });
  } else {
    log(`  suite finished in ${seconds(result.durationMs)}: vscode.version ${result.vscodeVersion} (${result.appName}), ${extensionId} from ${result.extensionPath}`);
    tests.push(...result.tests.map((t) => ({ ...t, title: `${t.title} [${name}]` })));

    // The suite is holding the extension host open; look at the workbench as a person would.
    for (const [title, fn] of workbenchChecks(page)) await check(title, fn);
    const screenshot = path.join(artifacts, name === 'dev' ? 'workbench.png' : `workbench-${name}.png`);
    await page.screenshot({ path: screenshot });
    log(`  screenshot: ${path.relative(repo, screenshot)}`);
    // Then another process's lock in the editor, in each theme (screenshots editor-lock-*.png).
    // The development run photographs all three themes; the .vsix run, the same checks in the
    // dark theme only: the packaged extension draws with the same manifest colours and code,
    // and each theme costs a palette round trip and a repaint per view.
    const shownThemes = name === 'dev' ? themes : themes.slice(0, 1);
    const shots = `{${shownThemes.map(([short]) => short).join(',')}}${name === 'dev' ? '' : `-${name}`}`;
    const lockContext = { repo, name, workspace: dirs.workspace, home: dirs.home, artifacts, nodeBin, shownThemes };
    for (const [title, fn] of lockScreenshotChecks(page, lockContext)) await check(title, fn);
    log(`  screenshots: ${path.relative(repo, artifacts)}/{editor-lock,sidebar}-${shots}.png`);
    // And the Plan view with agents working on a small plan, in each theme (plan-*.png).
    for (const [title, fn] of planScreenshotChecks(page, lockContext)) await check(title, fn);
    log(`  screenshots: ${path.relative(repo, artifacts)}/plan{,-hover}-${shots}.png, dashboard-{board,roadmap,activity}-${shots}.png`);
    // And the Debates view with an escalated debate and the person's ruling (debates-*.png), in the first pass only.
    if (name === 'dev') {
      for (const [title, fn] of debateScreenshotChecks(page, lockContext)) await check(title, fn);
      log(`  screenshots: ${path.relative(repo, artifacts)}/debates-{escalated,ruling}-{dark,light}.png, dashboard-debate-{dark,light,hc}.png`);
    }
    writeFileSync(releaseFile, 'done\n');
  }

  // Stop the browser and the server (the temporary folder stays until the end), so the logs
  // are complete; then read the extension host's own record of the activation, and PeerMesh's timing line.
  await unwindTo(mark + 1);
  const activation = findActivation(logsUnder(dirs.serverData), extensionId);
  await check('extension host logged the activation on onStartupFinished', async () => {
    if (!activation.exthostLine) throw new Error('no "ExtensionService#_doActivateExtension peermesh.peermesh" line in the extension host log');
    if (!activation.exthostLine.includes("activationEvent: 'onStartupFinished'")) throw new Error(activation.exthostLine);
    if (activation.activatedInMs === undefined) throw new Error('no "[activation] … activated in N ms" line in the PeerMesh log');
  });
  await check('dashboard webview has a content security policy', async () => {
    if (activation.missingCsp) throw new Error(activation.missingCsp);
  });
  log(`  ${formatActivation(activation)}`);

  return { name, tests, elapsedMs: Date.now() - started };
}

/**
 * The suite's results, or undefined when they will not come: timeout, Ctrl-C, the server gone,
 * or the extension host ended without writing them (a suite that crashed).
 */
async function waitForResult(file, server, serverLog, deadline) {
  const read = () => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);
  while (Date.now() < deadline && !server.exited && !interrupted) {
    const result = read();
    if (result) return result;
    if (/Extension Host Process exited/.test(tail(serverLog, 200))) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return read();
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return read();
}

function tail(file, lines) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(unreadable)';
  }
}

/**
 * Copies a test-only extension folder into the server's extensions folder before the server
 * starts, as an installed extension. (The web workbench keeps its development payload in a
 * map, so a second `extensionDevelopmentPath` would replace PeerMesh rather than join it.)
 */
function installFixtureExtension(folder, extensionsDir) {
  const { publisher, name, version } = JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8'));
  cpSync(folder, path.join(extensionsDir, `${publisher}.${name}-${version}`), { recursive: true });
}

function packageVsix() {
  log('\n  packaging: npm run package');
  const started = Date.now();
  const result = spawnSync('npm', ['run', '--silent', 'package'], { cwd: repo, encoding: 'utf8' });
  const vsix = path.join(repo, 'peermesh.vsix');
  if (result.status !== 0 || !existsSync(vsix)) {
    throw new Error(`npm run package failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  const entries = listZip(vsix).filter((e) => !e.name.endsWith('/'));
  const files = entries.filter((e) => e.name.startsWith('extension/'));
  log(`  ${path.relative(repo, vsix)}: ${(statSync(vsix).size / 1024).toFixed(1)} KB, ${files.length} files (${entries.length} entries), packaged in ${seconds(Date.now() - started)}`);
  for (const e of entries) log(`    ${String(e.size).padStart(9)}  ${e.name}`);
  return vsix;
}

async function main() {
  const started = Date.now();
  if (!existsSync(suiteIndex)) throw new Error(`${path.relative(repo, suiteIndex)} is missing: run \`node esbuild.mjs --tests\` first`);
  const plan = options.vsix ? [{ name: 'vsix', vsix: path.resolve(options.vsix) }]
    : options.dev ? [{ name: 'dev' }]
      : [{ name: 'dev' }, { name: 'vsix', vsix: 'package' }];

  const runs = [];
  for (const step of plan) {
    log(`\n  PeerMesh in VS Code (${step.name === 'dev' ? 'development folder' : 'installed .vsix'})`);
    let vsix = step.vsix;
    try {
      if (vsix === 'package') vsix = packageVsix();
      runs.push(await runOnce({ name: step.name, vsix }));
    } catch (error) {
      runs.push(failedRun(step.name, `run (${step.name})`, error));
    }
  }

  if (plan.some((step) => step.vsix === 'package')) {
    // Packaging left the minified production build in dist/; put the development build back.
    spawnSync(process.execPath, ['esbuild.mjs', '--tests'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return printRuns(runs, started);
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(error.stack ?? String(error));
  log('\n  0 passing\n  1 failing');
} finally {
  await cleanUp();
}
process.exit(exitCode);
