/**
 * The bench that runs inside VS Code: the module `extensionTestsPath` points at when
 * test/vscode/run-bench.mjs launches the workbench. VS Code's extension host calls `run()`,
 * which measures {@link measureDecorationLatency} and writes the figures (or the error) as JSON
 * to the file named by PEERMESH_BENCH_RESULT; PEERMESH_BENCH_LOCKS says how many locks to time.
 * Then it keeps the window open until the launcher, which times the dashboard through the
 * workbench, writes `<that file>.done` — or is gone (PEERMESH_BENCH_LAUNCHER_PID), or
 * PEERMESH_BENCH_HOLD_MS have passed.
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import * as vscode from 'vscode';
import { closeAllAgents } from '../suite/mcpAgent';
import { measureDecorationLatency, type DecorationLatencyFigures } from './decorationLatency';

export interface BenchResult {
  vscodeVersion: string;
  appName: string;
  /** One-minute load average before and after. */
  loadavg: [number, number];
  durationMs: number;
  figures?: DecorationLatencyFigures;
  /** Why there are no figures. */
  error?: string;
  /** An agent's task moves until the dashboard shows them, timed by the launcher through the workbench (test/vscode/bench-dashboard.mjs). */
  dashboard?: DashboardMoveFigures;
  /** The extension's activation, read from the run's logs by the launcher (test/vscode/activation-log.mjs). */
  activation?: {
    /** `activate()` itself. */
    activatedInMs?: number;
    /** From the extension host starting the activation to its end: loading the bundle, creating the context, `activate()`. */
    totalMs?: number;
    /** From the end of activation to the lock language server running (it starts once the window is in the mesh). */
    lspAfterMs?: number;
  };
}

export interface DashboardMoveFigures {
  /** Moves timed (after a warm-up). */
  moves: number;
  /** Tasks on the board. */
  tasks: number;
  /** The agent's `plan/update` sent → its answer, per move (ms). */
  answerMs: number[];
  /** The agent's `plan/update` sent → the card in its new column in the dashboard's page (ms). */
  shownMs: number[];
  /** Why there are no figures. */
  error?: string;
}

const say = (line: string): void => console.log(`[peermesh-bench] ${line}`);

export async function run(): Promise<void> {
  const started = Date.now();
  const loadBefore = os.loadavg()[0];
  const locks = Number(process.env.PEERMESH_BENCH_LOCKS ?? 100);
  say(`vscode.version ${vscode.version}: timing ${locks} locks by another process`);
  let figures: DecorationLatencyFigures | undefined;
  let error: string | undefined;
  try {
    figures = await measureDecorationLatency({ locks, log: say });
  } catch (e) {
    error = (e as Error).stack ?? String(e);
    say(`failed: ${error}`);
  } finally {
    await closeAllAgents();
  }
  const result: BenchResult = {
    vscodeVersion: vscode.version,
    appName: vscode.env.appName,
    loadavg: [loadBefore, os.loadavg()[0]],
    durationMs: Date.now() - started,
    ...(figures && { figures }),
    ...(error && { error }),
  };
  const file = process.env.PEERMESH_BENCH_RESULT;
  if (file) {
    // Written whole, then renamed: the launcher never reads half a file.
    writeFileSync(`${file}.tmp`, JSON.stringify(result, null, 2));
    renameSync(`${file}.tmp`, file);
    // The launcher times the dashboard through the workbench next (its window must stay open):
    // it says when it is done with `<file>.done`.
    const launcher = Number(process.env.PEERMESH_BENCH_LAUNCHER_PID);
    await until(() => existsSync(`${file}.done`) || (launcher > 0 && !alive(launcher)), Number(process.env.PEERMESH_BENCH_HOLD_MS ?? 180_000));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !done() && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 250));
}
