// Agents in a separate OS process for the screenshots (out/test/vscode/*-peers.js): started in
// the workspace folder with the workbench's PEERMESH_HOME, ready once they print `ready`, and
// gone when their stdin closes (an agent that leaves gives back what it held).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { cleanEnv } from './lock-screenshots.mjs';

/**
 * Starts `out/test/vscode/<bundle>` and resolves once it printed `ready` (rejects with its
 * output if it exits first, or after 30 s). Returns `leave()`, which closes its stdin and
 * waits for it (killing it after 10 s). `env`: more of its environment.
 * @param {{ repo: string, workspace: string, home: string, nodeBin: string, env?: Record<string, string> }} ctx
 */
export async function startPeers(bundle, { repo, workspace, home, nodeBin, env = {} }) {
  const child = spawn(nodeBin, [path.join(repo, 'out', 'test', 'vscode', bundle)], {
    cwd: workspace, env: { ...cleanEnv(), ...env, PEERMESH_HOME: home }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  let output = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${bundle} was not ready after 30 s:\n${output}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (/^ready$/m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on('data', (chunk) => { output += chunk; });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${bundle} exited (${code}):\n${output}`)); });
  });
  return {
    /**
     * Writes `line` to its stdin and resolves once it answers `ok <line>[ <rest>]`, with the
     * rest (rejects on `error <line>…`, or after 30 s).
     */
    async command(line) {
      const from = output.length;
      child.stdin.write(`${line}\n`);
      for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
        const said = output.slice(from);
        const answered = said.split('\n').slice(0, -1).find((l) => l === `ok ${line}` || l.startsWith(`ok ${line} `));
        if (answered !== undefined) return answered.slice(`ok ${line}`.length).trim();
        const failed = said.split('\n').find((l) => l.startsWith(`error ${line}`));
        if (failed) throw new Error(`${bundle}: ${failed}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`${bundle} did not answer ${JSON.stringify(line)} in 30 s:\n${output.slice(from)}`);
    },
    async leave() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      const timer = setTimeout(kill, 10_000);
      await exited;
      clearTimeout(timer);
      process.off('exit', kill);
    },
  };
}
