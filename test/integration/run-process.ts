/**
 * One process run to its end with `input` on its stdin, as an agent runs a hook: what it
 * printed, its exit code, and how long it took. No other imports, so the agent-process
 * fixture and the bench can use it too.
 */
import { spawn } from 'node:child_process';

export interface ProcessRun {
  stdout: string;
  stderr: string;
  code: number | null;
  ms: number;
}

export function runProcess(file: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv; input?: string }): Promise<ProcessRun> {
  const started = process.hrtime.bigint();
  const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
  });
}
