/**
 * Bench plumbing: statistics, temporary mesh homes, child processes (every one is killed on
 * exit, also on failure), clients in this process, and reading a process's memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';
import { resolveHome, type MeshHome } from '../../src/home/home';
import { PeerClient } from '../../src/client/peer';
import { cliPath, Proc } from '../integration/harness';
import type { Summary } from './stats';

export const now = () => performance.now();
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---- statistics -------------------------------------------------------------------------

export { summarize, type Summary } from './stats';

export function ms(v: number): string {
  if (!Number.isFinite(v)) return '-';
  return v < 1 ? `${v.toFixed(2)}` : v < 10 ? `${v.toFixed(1)}` : `${Math.round(v)}`;
}

/** "p50 / p99 ms" */
export function pct(s: Summary): string {
  return `${ms(s.p50)} / ${ms(s.p99)} ms`;
}

export function rate(v: number): string {
  return v >= 100 ? `${Math.round(v)}` : v.toFixed(1);
}

// ---- cleanup ------------------------------------------------------------------------------

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
const clients = new Set<PeerClient>();

/** Kills every child process still running and removes temporary folders. Synchronous. */
export function killEverything(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

export function track<T extends ChildProcess | Proc>(p: T): T {
  const child: ChildProcess = p instanceof Proc ? p.child : (p as ChildProcess);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return p;
}

export async function killProc(p: Proc | undefined): Promise<void> {
  if (!p) return;
  p.kill('SIGKILL');
  await p.exited;
}

/** SIGTERM (the broker snapshots and exits), SIGKILL if it has not exited after `graceMs`. */
export async function stopProc(p: Proc | undefined, graceMs = 5000): Promise<void> {
  if (!p) return;
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(t);
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

export interface BenchHome { dir: string; home: MeshHome; env: NodeJS.ProcessEnv }

/** A fresh mesh home under the system temp folder (never ~/.peermesh). */
export function benchHome(): BenchHome {
  const dir = tempDir('pm-bench-');
  const env = { ...process.env, PEERMESH_HOME: dir, PEERMESH_LOG: process.env.PEERMESH_LOG ?? 'warn' };
  return { dir, home: resolveHome(env), env };
}

// ---- processes ----------------------------------------------------------------------------

export interface BrokerProc {
  proc: Proc; pid: number; port: number;
  /** From spawning the process until it printed that it serves. */
  startMs: number;
  /** What the store reported for loading itself: duration, and journal entries it replayed. */
  storeOpenMs: number;
  replayed: number;
}

/** Every broker started, for diagnostics when a step fails. */
export const brokers: Proc[] = [];

/** Exit status and last stderr lines of the brokers started since index `from`. */
export function brokerDiagnostics(from: number): string {
  return brokers.slice(from).map((p) => {
    const status = p.child.exitCode ?? p.child.signalCode ?? 'running';
    return `  broker pid ${p.pid} (${status}): ${p.stderr.trim().split('\n').slice(-5).join('\n    ') || 'no stderr'}`;
  }).join('\n');
}

/** `node dist/cli.js serve --json` in its own process; resolves once it serves. */
export async function startBroker(h: BenchHome, extra: string[] = []): Promise<BrokerProc> {
  const started = now();
  // PEERMESH_BENCH_PROF=DIR: the broker writes a CPU profile there when it is stopped (not on SIGKILL).
  const prof = process.env.PEERMESH_BENCH_PROF;
  const node = prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [];
  // Debug level: the store then logs each snapshot (size, duration), which the phases report.
  const env = { ...h.env, PEERMESH_LOG: 'debug' };
  const proc = track(new Proc(spawn(process.execPath, [...node, cliPath, 'serve', '--json', ...extra], { env, stdio: ['ignore', 'pipe', 'pipe'] })));
  brokers.push(proc);
  const line = await proc.waitFor((o) => o.running === false, 60_000, 'broker start');
  const startMs = now() - started;
  const opened = /store: opened .*?(\d+) journal entries replayed.* in (\d+) ms/.exec(proc.stderr);
  return { proc, pid: proc.pid, port: line.port as number, startMs, storeOpenMs: opened ? Number(opened[2]) : NaN, replayed: opened ? Number(opened[1]) : NaN };
}

export interface EchoProc { child: ChildProcess; pid: number; port: number; kill(): Promise<void> }

/** The bare ws echo/relay server (echo-server.mjs) in its own process. */
export async function startEcho(syncFile?: string): Promise<EchoProc> {
  const script = path.join(__dirname, 'echo-server.mjs');
  const child = track(spawn(process.execPath, [script, ...(syncFile ? [syncFile] : [])], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await withTimeout(new Promise<number>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', (l) => resolve((JSON.parse(l) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
  }), 10_000, 'echo server start');
  return {
    child, pid: child.pid!, port,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

// ---- clients in this process -------------------------------------------------------------

export async function connectClients(h: BenchHome, count: number, prefix: string, cwd: string | null = null): Promise<PeerClient[]> {
  const out: PeerClient[] = [];
  for (let i = 0; i < count; i += 10) {
    const batch = Array.from({ length: Math.min(10, count - i) }, (_, j) =>
      PeerClient.connect({ home: h.home, canHost: false, connectTimeoutMs: 20_000, intro: { name: `${prefix}-${i + j}`, kind: 'unknown', cwd } }));
    for (const c of await Promise.all(batch)) {
      clients.add(c);
      out.push(c);
    }
  }
  return out;
}

/** Closes clients without `mesh/leave` (the broker goes next anyway), so they stop reconnecting. */
export async function closeClients(list: PeerClient[]): Promise<void> {
  await Promise.all(list.map((c) => c.close(false).catch(() => undefined)));
  for (const c of list) clients.delete(c);
}

export async function closeAllClients(): Promise<void> {
  await closeClients([...clients]);
}

// ---- measuring ----------------------------------------------------------------------------

/** VmRSS and VmHWM of a process, in MB. */
export function rssOf(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** CPU time (user + system) a process has used so far, in ms. */
export function cpuMsOf(pid: number): number {
  // /proc/<pid>/stat: the command may contain spaces, so count fields after its closing ')'.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in 100 Hz ticks
}

export interface Snapshot { bytes: number; ms: number }

/** Snapshots the broker logged (it runs with PEERMESH_LOG=debug) in its stderr from `offset` on. */
export function snapshotsIn(b: BrokerProc, offset: number): Snapshot[] {
  return [...b.proc.stderr.slice(offset).matchAll(/store: snapshot of (\d+) bytes at journal seq \d+ in (\d+) ms/g)]
    .map((m) => ({ bytes: Number(m[1]), ms: Number(m[2]) }));
}

export interface PhaseStats {
  /** CPU use in % of one core: the broker process (all its threads) and this (client) process. */
  brokerCpu: number;
  benchCpu: number;
  /** Background snapshots the broker took meanwhile. */
  snapshots: Snapshot[];
}

/** Runs `fn`, noting the broker's and this process's CPU use and the broker's snapshots. */
export async function phase<T>(b: BrokerProc, fn: () => Promise<T>): Promise<{ result: T; stats: PhaseStats }> {
  const t0 = now();
  const b0 = cpuMsOf(b.pid);
  const c0 = process.cpuUsage();
  const offset = b.proc.stderr.length;
  const result = await fn();
  const wall = now() - t0;
  const c = process.cpuUsage(c0);
  return {
    result,
    stats: { brokerCpu: (100 * (cpuMsOf(b.pid) - b0)) / wall, benchCpu: (100 * (c.user + c.system)) / 1000 / wall, snapshots: snapshotsIn(b, offset) },
  };
}

export function withTimeout<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
    p.then((v) => {
      clearTimeout(t);
      resolve(v);
    }, (e: unknown) => {
      clearTimeout(t);
      reject(e instanceof Error ? e : new Error(String(e)));
    });
  });
}

/**
 * Runs `workers` closed loops until `durationMs` has passed (each loop finishes its current
 * operation, so `elapsedMs` covers every operation counted), or until `done()`. The body
 * does one operation.
 */
export async function closedLoops(workers: number, durationMs: number, body: (w: number) => Promise<void>, done?: () => boolean): Promise<{ elapsedMs: number }> {
  const started = now();
  const deadline = started + durationMs;
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    while (now() < deadline && !done?.()) await body(w);
  }));
  return { elapsedMs: now() - started };
}
