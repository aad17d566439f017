/**
 * `npm run bench [-- --quick] [-- --json FILE] [-- --only floor,messages,locks,writes,failover,replay,rss,hooks,flood,reanchor,following,symbols,dashboard,vscode]`
 *
 * Measures PeerMesh against a broker in its own process, on 127.0.0.1, in temporary mesh homes,
 * and prints each figure beside the same figure for a bare `ws` echo server (the physical floor).
 * Then the VS Code stage: another process's lock until the editor draws it, inside a real VS
 * Code, beside its budget. Every process it starts is ended when it ends, also on failure or Ctrl-C.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { buildFixtures } from '../integration/harness';
import { measureFailover, measureReplay } from './failover';
import { measureFlood } from './flood';
import { measureFloor } from './floor';
import { measureHooks } from './hooks';
import { measureFollowing } from './following';
import { measureReanchor } from './reanchor';
import { measureSymbols } from './symbols';
import { rows, table, type Figures } from './report';
import { measureRss, measureWriteAcks } from './store';
import { measureLocks, measureMessages } from './traffic';
import { brokerDiagnostics, brokers, closeAllClients, killEverything, withTimeout } from './util';
import { measureDashboard } from './dashboard';
import { measureVsCode } from './vscode';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { quick: { type: 'boolean' }, json: { type: 'string' }, only: { type: 'string' } },
});
const quick = Boolean(values.quick);
const only = values.only ? new Set(values.only.split(',')) : undefined;
const started = Date.now();
const loadAtStart = os.loadavg()[0];
const log = (s: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${s}\n`);

process.on('exit', killEverything);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => process.exit(130));
// The VS Code stage may install the VS Code server first (once per machine, ~3 min).
const vscodeLimitMs = 540_000;
// The whole run is bounded: a hang anywhere ends it (and every child) after this long.
const hardLimitMs = (quick ? 180_000 : 600_000) + (!only || only.has('vscode') ? vscodeLimitMs + 60_000 : 0);
setTimeout(() => {
  process.stderr.write(`bench: still running after ${hardLimitMs / 1000} s; giving up\n`);
  process.exit(2);
}, hardLimitMs).unref();

async function main(): Promise<void> {
  const f: Figures = {};
  const errors: string[] = [];
  const want = (k: string) => !only || only.has(k);
  log(`PeerMesh bench${quick ? ' (quick)' : ''}: node ${process.version}, ${os.cpus().length} cpus`);
  if (want('failover')) await buildFixtures();
  const steps: Array<[keyof Figures, (q: boolean, l: (s: string) => void) => Promise<unknown>, number]> = [
    ['floor', measureFloor, 120_000],
    ['messages', measureMessages, 120_000],
    ['locks', measureLocks, 120_000],
    ['writes', measureWriteAcks, 180_000],
    ['failover', measureFailover, 240_000],
    ['replay', measureReplay, 180_000],
    ['rss', measureRss, 120_000],
    ['hooks', measureHooks, 120_000],
    ['flood', measureFlood, 180_000],
    ['reanchor', measureReanchor, 120_000],
    ['following', measureFollowing, 120_000],
    ['symbols', measureSymbols, 120_000],
    ['dashboard', measureDashboard, 120_000],
    ['vscode', (q, l) => measureVsCode(q, l, vscodeLimitMs), vscodeLimitMs + 30_000],
  ];
  for (const [key, fn, limitMs] of steps) {
    if (!want(key)) continue;
    const firstBroker = brokers.length;
    try {
      (f as Record<string, unknown>)[key] = await withTimeout(fn(quick, log), limitMs, key);
    } catch (e) {
      errors.push(`${key}: ${(e as Error).message}`);
      log(`FAILED ${key}: ${(e as Error).stack ?? e}\n${brokerDiagnostics(firstBroker)}`);
      await closeAllClients();
      killEverything();
    }
  }
  const runtimeS = (Date.now() - started) / 1000;
  const load = [loadAtStart, os.loadavg()[0]].map((l) => l.toFixed(1)).join(' → ');
  console.log(`\nPeerMesh bench${quick ? ' --quick' : ''}: node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${runtimeS.toFixed(0)} s, load average ${load}`);
  console.log('latencies are p50 / p99 unless noted; broker and echo server each run in their own process;');
  console.log('CPU is % of one core over the measured interval (broker: all its threads; clients: this process)\n');
  console.log(table(rows(f)));
  if (errors.length) console.log(`\nFAILED: ${errors.join('\n        ')}`);
  if (values.json) {
    writeFileSync(values.json, JSON.stringify({ quick, node: process.version, cpus: os.cpus().length, loadavg: [loadAtStart, os.loadavg()[0]], runtimeS, errors, figures: f, table: rows(f) }, null, 2) + '\n');
    console.log(`\nfigures written to ${values.json}`);
  }
  process.exitCode = errors.length ? 1 : 0;
}

main().then(
  async () => {
    await closeAllClients();
    process.exit();
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
