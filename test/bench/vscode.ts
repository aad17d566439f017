/**
 * Figure 6, the VS Code stage: another agent process's lock until the editor draws it, timed
 * inside a real VS Code (the offline VS Code server with its workbench in headless Chromium).
 * The measuring itself runs in the extension host (test/vscode/bench/); this starts its
 * launcher, test/vscode/run-bench.mjs, as a child and reads the figures it writes.
 *
 * The stage is skipped, with a line saying so, only when the VS Code server is not cached and
 * cannot be installed; any other failure fails the stage.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { BenchResult } from '../vscode/bench/index';
import { repo } from '../integration/harness';
import { tempDir } from './util';

/** What the decorations should stay within: the budget beside the measured figure. */
export const drawBudgetMs = { p50: 300, p99: 1000 };
/** An agent's task move until the dashboard's page shows it: the host's refresh, one `didChangeTasks`, one card drawn. */
export const dashboardMoveBudgetMs = { p50: 300, p99: 1000 };
/** What `activate()` may take: it only builds the window's parts; joining the mesh and the language server come after. */
export const activationBudgetMs = 50;
/** The debounces on the way: a burst of events, then one `locks/list`; a burst of changes, then one draw. */
export { debounceMs } from '../../src/vscode/timing';

export type VsCodeFigures = BenchResult & {
  /** Why the stage did not run (the VS Code server cannot be installed). */
  skipped?: string;
};

const launcher = path.join(repo, 'test', 'vscode', 'run-bench.mjs');

/** How long the bench inside VS Code may take once the workbench is open (100 locks take ~1 min). */
const runLimitS = 240;

/**
 * Runs the stage; after `limitMs` (which must leave room for a first install of the VS Code
 * server) the launcher is told to stop, and the stage fails.
 */
export async function measureVsCode(quick: boolean, log: (s: string) => void, limitMs: number): Promise<VsCodeFigures> {
  const json = path.join(tempDir('pm-bench-vscode-'), 'result.json');
  const locks = quick ? 50 : 100;
  const moves = quick ? 10 : 30;
  log(`vscode: ${locks} locks by an agent process, drawn in the editor of a VS Code in headless Chromium; then ${moves} task moves on its dashboard`);
  // The launcher stops the VS Code server and the browser it started on SIGTERM, so it gets one
  // (never a SIGKILL, which would leave them running), also when this process exits first.
  const child = spawn(process.execPath, [launcher, '--json', json, '--locks', String(locks), '--moves', String(moves), '--timeout', String(runLimitS)], {
    cwd: repo, stdio: ['ignore', 'inherit', 'pipe'],
  });
  const terminate = () => child.exitCode === null && child.signalCode === null && child.kill('SIGTERM');
  process.on('exit', terminate);
  readline.createInterface({ input: child.stderr! }).on('line', (line) => log(`vscode: ${line.replace(/^\[vscode-bench\] /, '')}`));
  // The launcher's own limits cover the run inside VS Code (runLimitS) and the dashboard's part
  // after it (dashboardLimitMs, test/vscode/bench-dashboard.mjs); this covers an install or a start that hangs.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    terminate();
  }, limitMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  process.off('exit', terminate);

  if (timedOut) throw new Error(`the VS Code stage took longer than ${limitMs / 1000} s`);
  if (!existsSync(json)) throw new Error(`the VS Code bench launcher exited ${code} without a result`);
  const result = JSON.parse(readFileSync(json, 'utf8')) as VsCodeFigures & { error?: string };
  if (result.skipped) return result; // the launcher said so, and the table says why
  if (!result.figures) throw new Error(`the VS Code bench failed: ${result.error ?? `launcher exited ${code}`}`);
  return result;
}
