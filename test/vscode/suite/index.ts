/**
 * The test suite that runs inside VS Code: the module `extensionTestsPath` points at. VS Code's
 * extension host calls `run()`; both launchers (test/vscode/run-offline.mjs on this machine,
 * run-electron.mjs where VS Code can be downloaded) load this same bundle.
 *
 * The extension host's console does not reach the launcher, so `run()` writes the results as
 * JSON to the file named by PEERMESH_TEST_RESULT: every test with its state, duration and
 * error, plus `vscode.version`. VS Code ends the extension host as soon as `run()` settles,
 * which takes the extension's UI with it; so when PEERMESH_TEST_HOLD names a file, `run()`
 * then waits (at most six minutes) until the launcher creates that file, which it does once it
 * has looked at the workbench and taken its screenshot.
 *
 * PEERMESH_VSCODE_GREP (a regular expression) runs only the tests whose full title matches;
 * without it, the installed .vsix (PEERMESH_TEST_MODE=vsix) runs the suites packaging can break.
 */
// Order matters: ./mocha installs the BDD globals the test files use when they are evaluated.
import { mocha } from './mocha';
import './extension.test';
import './mesh.test';
import './mcp.test';
import './commands.test';
import './messages.test';
import './errorWrapper.test';
import './decorations.test';
import './saveGuard.test';
import './following.test';
import './lsp.test';
import './symbols.test';
// The decomposition tests need the project without a plan: before the Plan view's.
import './planDecompose.test';
import './planView.test';
import './planProposals.test';
import './debates.test';
// It restarts the broker (requests escalating in seconds): near the end, before actions.
import './lockRequests.test';
// Last: it ends by restarting the broker.
import './actions.test';

import Mocha from 'mocha';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { closeAllAgents } from './mcpAgent';

export interface TestResult {
  /** Full title: suite titles and the test title. */
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: { message: string; stack?: string };
}

export interface SuiteResult {
  vscodeVersion: string;
  appName: string;
  /** `dev` (extensionDevelopmentPath) or `vsix` (installed package), from PEERMESH_TEST_MODE. */
  mode: string;
  extensionPath: string | null;
  passes: number;
  failures: number;
  pending: number;
  durationMs: number;
  tests: TestResult[];
}

/**
 * The suites the installed .vsix runs: those that packaging can break (activation and the
 * manifest's contributions, the broker's sql.js and tree-sitter files, the CLI that the MCP
 * provider starts, the editor's icons). The others run in the development pass only: the same
 * code, which the package does not change.
 */
const packagedSuites = /^(PeerMesh extension|PeerMesh in the mesh|PeerMesh MCP server for agent mode|PeerMesh commands|Locks in the editor and the explorer|Lock Symbol at Cursor|The lock language server in VS Code) /;

const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;

export function run(): Promise<void> {
  console.log(`[peermesh-suite] vscode.version ${vscode.version} (${vscode.env.appName}), mode ${process.env.PEERMESH_TEST_MODE ?? 'unset'}`);
  const started = Date.now();
  const tests: TestResult[] = [];
  const record = (test: Mocha.Runnable, state: TestResult['state'], error?: Error): void => {
    tests.push({
      title: test.fullTitle(),
      state,
      durationMs: test.duration ?? 0,
      ...(error ? { error: { message: error.message, stack: error.stack } } : {}),
    });
    console.log(`[peermesh-suite] ${state} ${test.fullTitle()}`);
  };

  const grep = process.env.PEERMESH_VSCODE_GREP;
  if (grep) mocha.grep(new RegExp(grep));
  else if (process.env.PEERMESH_TEST_MODE === 'vsix') mocha.grep(packagedSuites);
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      void finish(tests, started).then(() => {
        if (failures > 0) reject(new Error(`${failures} test(s) failed`));
        else resolve();
      }, reject);
    });
    runner.on(EVENT_TEST_PASS, (test) => record(test, 'passed'));
    runner.on(EVENT_TEST_FAIL, (test, error: Error) => record(test, 'failed', error));
    runner.on(EVENT_TEST_PENDING, (test) => record(test, 'pending'));
  });
}

async function finish(tests: TestResult[], started: number): Promise<void> {
  // An agent process a failed test left running leaves the mesh before the workbench is looked at.
  await closeAllAgents();
  // Leave the workbench showing PeerMesh (and its log) for the launcher's look and screenshot.
  for (const command of ['notifications.clearAll', 'workbench.action.closeAuxiliaryBar', 'workbench.view.extension.peermesh', 'peermesh.showLog']) {
    await Promise.resolve(vscode.commands.executeCommand(command)).catch(() => undefined);
  }
  const result: SuiteResult = {
    vscodeVersion: vscode.version,
    appName: vscode.env.appName,
    mode: process.env.PEERMESH_TEST_MODE ?? 'unset',
    extensionPath: vscode.extensions.getExtension('peermesh.peermesh')?.extensionPath ?? null,
    passes: tests.filter((t) => t.state === 'passed').length,
    failures: tests.filter((t) => t.state === 'failed').length,
    pending: tests.filter((t) => t.state === 'pending').length,
    durationMs: Date.now() - started,
    tests,
  };
  const file = process.env.PEERMESH_TEST_RESULT;
  if (file) {
    // Written whole, then renamed: the launcher never reads half a file.
    writeFileSync(`${file}.tmp`, JSON.stringify(result, null, 2));
    renameSync(`${file}.tmp`, file);
  }
  await holdUntilReleased(process.env.PEERMESH_TEST_HOLD);
}

async function holdUntilReleased(releaseFile: string | undefined, maxMs = 360_000): Promise<void> {
  if (!releaseFile) return;
  const deadline = Date.now() + maxMs;
  while (!existsSync(releaseFile) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
