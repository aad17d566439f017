/** Real processes for integration tests: temporary mesh homes, the built CLI, fixture peers. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import * as esbuild from 'esbuild';
import { resolveHome, type MeshHome } from '../../src/home/home';
import { PeerClient } from '../../src/client/peer';

export const repo = path.resolve(__dirname, '../..');
export const cliPath = path.join(repo, 'dist', 'cli.js');
/** What a copy of the CLI needs beside it: cli.js loads main.js or hook.js; the broker, sql.js's wasm. */
export const cliFiles = ['cli.js', 'main.js', 'hook.js', 'sql-wasm.wasm'] as const;
const fixturePath = path.join(repo, 'out', 'test', 'fixtures', 'peer.js');

export function tempHome(): { dir: string; home: MeshHome; env: NodeJS.ProcessEnv; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pm-it-'));
  const env = { ...process.env, PEERMESH_HOME: dir, PEERMESH_LOG: process.env.PEERMESH_LOG ?? 'warn' };
  return { dir, home: resolveHome(env), env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function buildFixtures(): Promise<void> {
  await buildFixture('peer');
}

/** Bundles test/integration/fixtures/<name>.ts; returns the path of the script. */
export async function buildFixture(name: string): Promise<string> {
  const outfile = path.join(repo, 'out', 'test', 'fixtures', `${name}.js`);
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'fixtures', `${name}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['bufferutil', 'utf-8-validate'],
    logLevel: 'warning',
  });
  return outfile;
}

/** A child process whose stdout is read as JSON lines (or text lines). */
export class Proc {
  readonly lines: string[] = [];
  readonly json: Array<Record<string, unknown>> = [];
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;
  stderr = '';

  constructor(readonly child: ChildProcess) {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      this.lines.push(line);
      try {
        this.json.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* plain text line */
      }
      for (const w of this.waiters.splice(0)) w();
    });
    child.stderr?.on('data', (d) => (this.stderr += d));
    this.exited = new Promise((resolve) => child.on('exit', (code) => {
      resolve(code);
      for (const w of this.waiters.splice(0)) w();
    }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  send(obj: unknown): void {
    this.child.stdin!.write(JSON.stringify(obj) + '\n');
  }

  /** Waits for a JSON line matching `pred` (searching lines already seen too). */
  waitFor(pred: (o: Record<string, unknown>) => boolean, timeoutMs = 20_000, what = 'output'): Promise<Record<string, unknown>> {
    return this.until(() => this.json.find(pred), timeoutMs, what);
  }

  /** Waits for a line (text or JSON) matching `pred`, searching lines already seen too. */
  waitForLine(pred: (line: string) => boolean, timeoutMs = 20_000, what = 'output'): Promise<string> {
    return this.until(() => this.lines.find(pred), timeoutMs, what);
  }

  private async until<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = find();
      if (hit !== undefined) return hit;
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`process ${this.pid} exited before ${what}: ${this.stderr.slice(-500)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what} from ${this.pid}; stderr: ${this.stderr.slice(-500)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Proc {
  return new Proc(spawn(process.execPath, [cliPath, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
}

export function spawnPeer(name: string, env: NodeJS.ProcessEnv): Proc {
  return new Proc(spawn(process.execPath, [fixturePath, name], { env, stdio: ['pipe', 'pipe', 'pipe'] }));
}

/** Runs the CLI to completion. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = spawnCli(args, env);
  const code = await p.exited;
  return { code, stdout: p.lines.join('\n'), stderr: p.stderr };
}

/** A client in the test process that never hosts the broker: for looking at the mesh. */
export function observer(home: MeshHome, name = 'observer'): Promise<PeerClient> {
  return PeerClient.connect({ home, canHost: false, intro: { name, kind: 'unknown' }, connectTimeoutMs: 10_000 });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
