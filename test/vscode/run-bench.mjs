#!/usr/bin/env node
// Runs the bench that lives inside VS Code (out/test/vscode/bench/index.js, built by `node
// esbuild.mjs --tests`) in the offline VS Code server with its workbench in headless Chromium,
// as run-offline.mjs runs the tests: the bench bundle is the `extensionTestsPath` instead of the
// suite's. test/bench/run.ts runs it as its VS Code stage.
//
//   node test/vscode/run-bench.mjs --json FILE [--locks N] [--moves N] [--timeout SECONDS] [--keep]
//
// Once the bench inside has written its figures (the window stays open meanwhile), this times
// the dashboard through the workbench (bench-dashboard.mjs): an agent's moves until its card
// moves in the dashboard's page.
//
// FILE receives the bench's result ({ vscodeVersion, figures, … }), or { error } when it failed,
// or { skipped } when the VS Code server is not cached and cannot be installed, which is the one
// reason to skip. Exits 0 with figures or a skip, 1 otherwise; it ends every process it started
// on success, failure, SIGINT, SIGTERM, and when the process that started it goes away.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setInterval } from 'node:timers';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import {
  chromiumArgs, chromiumPath, ensureVsCodeServer, freePort, startVsCodeServer, workbenchUrl,
} from '../../scripts/vscode-server.mjs';
import { makeWorkbenchDirs, serverEnv } from './workbench-setup.mjs';
import { findActivation, logsUnder } from './activation-log.mjs';
import { dashboardLimitMs, measureDashboardMoves } from './bench-dashboard.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const benchIndex = path.join(repo, 'out', 'test', 'vscode', 'bench', 'index.js');
const { values: options } = parseArgs({
  options: {
    json: { type: 'string' },
    locks: { type: 'string', default: '100' },
    moves: { type: 'string', default: '30' },
    timeout: { type: 'string', default: '300' },
    keep: { type: 'boolean', default: false },
  },
});
if (!options.json) {
  console.error('usage: node test/vscode/run-bench.mjs --json FILE [--locks N] [--moves N] [--timeout SECONDS] [--keep]');
  process.exit(2);
}
const say = (line) => console.error(`[vscode-bench] ${line}`);
const writeResult = (result) => writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);

// Everything to undo, last first; each step has a time limit, and a second call waits for the first.
const cleanups = [];
let cleaning;
function cleanUp() {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const step = cleanups.pop();
      let timer;
      try {
        await Promise.race([step(), new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('timed out after 15 s')), 15_000); })]);
      } catch (error) {
        say(`cleanup: ${error.message}`);
      } finally {
        clearTimeout(timer);
      }
    }
  })();
  return cleaning;
}
const stopAndExit = (why, code) => {
  say(`${why}: stopping the VS Code server and the browser`);
  void cleanUp().finally(() => process.exit(code));
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => stopAndExit(signal, 130));
// Started by the bench, which may be killed outright: a re-parented launcher stops too.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stopAndExit(`the process that started this (${parent}) is gone`, 1);
}, 1000).unref();

async function main() {
  if (!existsSync(benchIndex)) throw new Error(`${path.relative(repo, benchIndex)} is missing: run \`node esbuild.mjs --tests\` first`);
  let vscodeServer;
  try {
    vscodeServer = await ensureVsCodeServer();
  } catch (error) {
    const lines = error.message.trim().split('\n');
    const skipped = `the VS Code server is not cached and cannot be installed: ${lines[0]}${lines.length > 1 ? ` … ${lines.at(-1).trim()}` : ''}`;
    say(`SKIPPED: ${skipped}`);
    writeResult({ skipped });
    return 0;
  }
  const { nodeBin, serverMain } = vscodeServer;

  const started = Date.now();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'peermesh-vscode-bench-'));
  cleanups.push(() => (options.keep ? say(`kept ${tmp}`) : rmSync(tmp, { recursive: true, force: true })));
  const dirs = makeWorkbenchDirs(tmp, 'the PeerMesh bench');
  const resultFile = path.join(tmp, 'result.json');

  const port = await freePort();
  const env = serverEnv({
    PEERMESH_HOME: dirs.home, PEERMESH_BENCH_RESULT: resultFile, PEERMESH_BENCH_LOCKS: options.locks,
    // The bench inside keeps the window open for the dashboard's part, while this process lives
    // and at most the part's limit and a margin.
    PEERMESH_BENCH_LAUNCHER_PID: String(process.pid), PEERMESH_BENCH_HOLD_MS: String(dashboardLimitMs + 60_000),
  });
  const serverLog = path.join(tmp, 'server.log');
  const server = await startVsCodeServer({ nodeBin, serverMain, port, serverDataDir: dirs.serverData, extensionsDir: dirs.extensions, env, logFile: serverLog });
  cleanups.push(() => server.stop());
  say(`VS Code server pid ${server.pid} on 127.0.0.1:${port}`);

  const context = await chromium.launchPersistentContext(dirs.browserProfile, {
    executablePath: chromiumPath, headless: true, args: chromiumArgs, viewport: { width: 1400, height: 900 },
    handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
  });
  cleanups.push(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  // The extension host's console reaches the workbench's: echo the bench's own lines.
  page.on('console', (message) => {
    const said = /\[peermesh-bench\] (.*)$/s.exec(message.text())?.[1];
    if (said) say(`bench says: ${said}`);
  });
  await page.goto(workbenchUrl({ port, folder: dirs.workspace, extensionDevelopmentPath: repo, extensionTestsPath: benchIndex }));

  const deadline = Date.now() + Number(options.timeout) * 1000;
  while (!existsSync(resultFile) && !server.exited && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
  if (!existsSync(resultFile)) {
    const why = server.exited ? 'the VS Code server exited' : `no result after ${options.timeout} s`;
    writeResult({ error: `${why}\n--- server log (last 30 lines) ---\n${readFileSync(serverLog, 'utf8').trimEnd().split('\n').slice(-30).join('\n')}` });
    return 1;
  }
  const result = JSON.parse(readFileSync(resultFile, 'utf8'));
  try {
    result.dashboard = await measureDashboardMoves(page, {
      repo, workspace: dirs.workspace, home: dirs.home, nodeBin, moves: Number(options.moves), log: (line) => say(line),
    });
  } catch (error) {
    say(`dashboard: ${error.stack ?? error}`);
    result.dashboard = { error: error.message ?? String(error) };
  } finally {
    writeFileSync(`${resultFile}.done`, '');
  }
  // The extension's activation, from the logs of this run (the bench ran after it).
  const { activatedInMs, totalMs, lspAfterMs } = findActivation(logsUnder(dirs.serverData), 'peermesh.peermesh');
  result.activation = { activatedInMs, totalMs, lspAfterMs };
  writeResult(result);
  say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s${result.error ? `: FAILED ${result.error.split('\n')[0]}` : ''}`);
  return result.figures ? 0 : 1;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  say(error.stack ?? String(error));
  writeResult({ error: error.stack ?? String(error) });
} finally {
  await cleanUp();
}
process.exit(exitCode);
