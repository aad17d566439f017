#!/usr/bin/env node
// Runs the VS Code test suite (out/test/vscode/suite/index.js, built by `node esbuild.mjs
// --tests`) in a desktop VS Code downloaded by @vscode/test-electron: the usual launcher, for
// machines that can reach Microsoft's update servers. Machines without internet use
// run-offline.mjs, which runs the same suite in the VS Code server. On Linux without a display,
// wrap it: `xvfb-run -a npm run test:vscode:electron`.
//   node test/vscode/run-electron.mjs [--version stable|insiders|1.101.0]
// The suite writes its results to PEERMESH_TEST_RESULT; this prints them mocha-style.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runTests } from '@vscode/test-electron';
import { failedRun, printRuns } from './report.mjs';

const repo = path.resolve(import.meta.dirname, '../..');
const suiteIndex = path.join(repo, 'out', 'test', 'vscode', 'suite', 'index.js');
const { values: options } = parseArgs({ options: { version: { type: 'string', default: process.env.VSCODE_TEST_VERSION ?? 'stable' } } });

const started = Date.now();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'peermesh-vscode-electron-'));
const workspace = path.join(tmp, 'workspace');
mkdirSync(workspace);
writeFileSync(path.join(workspace, 'README.md'), '# A workspace for the PeerMesh tests\n');
const resultFile = path.join(tmp, 'result.json');

let run;
try {
  if (!existsSync(suiteIndex)) throw new Error(`${path.relative(repo, suiteIndex)} is missing: run \`node esbuild.mjs --tests\` first`);
  let error;
  try {
    await runTests({
      version: options.version,
      // Beside PeerMesh, the test-only extension with a scripted language model.
      extensionDevelopmentPath: [repo, path.join(repo, 'test', 'vscode', 'fixtures', 'fake-lm')],
      extensionTestsPath: suiteIndex,
      extensionTestsEnv: {
        PEERMESH_HOME: path.join(tmp, 'peermesh-home'),
        PEERMESH_TEST_RESULT: resultFile,
        PEERMESH_TEST_MODE: 'dev',
        PEERMESH_TEST_REPO: repo,
        ...(process.env.PEERMESH_VSCODE_GREP ? { PEERMESH_VSCODE_GREP: process.env.PEERMESH_VSCODE_GREP } : {}),
      },
      launchArgs: [
        workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes',
        '--user-data-dir', path.join(tmp, 'user-data'), '--extensions-dir', path.join(tmp, 'extensions'),
      ],
    });
  } catch (e) {
    // A failing suite makes runTests reject too; the result file says which tests failed.
    error = e;
    if (/ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN/.test(String(e?.code ?? e?.message))) {
      error = new Error(`cannot download VS Code (${e.message}); offline, use \`npm run test:vscode\`, which runs this suite in the VS Code server`);
    }
  }
  if (existsSync(resultFile)) {
    const result = JSON.parse(readFileSync(resultFile, 'utf8'));
    console.log(`\n  ${result.appName} ${result.vscodeVersion}, peermesh.peermesh from ${result.extensionPath}`);
    run = { name: 'electron', elapsedMs: Date.now() - started, tests: result.tests.map((t) => ({ ...t, title: `${t.title} [electron]` })) };
  } else {
    run = failedRun('electron', 'suite (electron) produced results', error ?? new Error('VS Code exited without writing results'), Date.now() - started);
  }
} catch (error) {
  run = failedRun('electron', 'run (electron)', error, Date.now() - started);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(printRuns([run], started));
