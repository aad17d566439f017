/**
 * Figure 4: fail-over. A broker in its own process serves N fixture peer processes (which may
 * host) streaming writes; it is killed with SIGKILL; the figure is the time until every peer has
 * had a write acknowledged again (measured as test/integration/failover.test.ts does).
 */
import { spawnPeer, type Proc } from '../integration/harness';
import { fillState, prebuild } from './store';
import {
  benchHome, closeClients, closedLoops, connectClients, killProc, removeDir, sleep, startBroker, stopProc, summarize,
  tempDir, track, type Summary,
} from './util';

export interface FailoverFigures {
  peers: number;
  rounds: number[];
  summary: Summary;
  /** Per round: the last peer to notice the loss, and the new broker's peer reconnected, ms after the kill. */
  noticed: number[];
  hosted: number[];
  /** Writes that failed (not safe to repeat, cut off by the kill) across all rounds. */
  failedWrites: number;
  /** Rounds in which the peer that took over was not the only host. */
  hostAnomalies: number;
}

async function round(peersN: number): Promise<{ ms: number; noticed: number; hosted: number; failed: number; hosts: number }> {
  const h = benchHome();
  const files = tempDir('pm-bench-fo-');
  const env = { ...h.env, PEERMESH_TEST_GRACE_MS: '60000' };
  const broker = await startBroker({ ...h, env }, ['--grace', '60']);
  const peers: Proc[] = [];
  try {
    const names = Array.from({ length: peersN }, (_, i) => `fo${i}`);
    for (const name of names) peers.push(track(spawnPeer(name, env)));
    const ready = await Promise.all(peers.map((p) => p.waitFor((o) => o.ev === 'ready', 30_000, 'peer ready')));
    if (ready.some((r) => r.hosting)) throw new Error('a fixture peer hosted the broker before the kill');
    peers.forEach((p, i) => p.send({ cmd: 'stream', to: names[(i + 1) % peersN], dir: files }));
    // Every peer is streaming (has an acknowledged write) before the kill, at a random point.
    await Promise.all(peers.map((p) => p.waitFor((o) => o.ev === 'ack', 10_000, 'first ack')));
    await sleep(200 + Math.random() * 800);
    const killedAt = Date.now();
    await killProc(broker.proc);
    const served = await Promise.all(peers.map((p) => p.waitFor((o) => o.ev === 'ack' && (o.t as number) > killedAt, 20_000, 'ack after fail-over')));
    const ms = Math.max(...served.map((s) => (s.t as number) - killedAt));
    const states = await Promise.all(peers.map((p) => p.waitFor((o) => o.ev === 'state' && o.state === 'connected', 10_000, 'reconnected')));
    const failed = peers.reduce((n, p) => n + p.json.filter((o) => o.ev === 'fail').length, 0);
    const after = (o: Record<string, unknown>) => (o.t as number) - killedAt;
    const noticed = Math.max(...peers.map((p) => after(p.json.find((o) => o.ev === 'state' && o.state === 'reconnecting')!)));
    const host = states.find((s) => s.hosting);
    return { ms, noticed, hosted: host ? after(host) : NaN, failed, hosts: states.filter((s) => s.hosting).length };
  } finally {
    await Promise.all([killProc(broker.proc), ...peers.map((p) => killProc(p))]);
    removeDir(files);
    removeDir(h.dir);
  }
}

export async function measureFailover(quick: boolean, log: (s: string) => void): Promise<FailoverFigures> {
  const peersN = quick ? 3 : 5;
  const rounds = quick ? 2 : 5;
  const times: number[] = [];
  const noticed: number[] = [];
  const hosted: number[] = [];
  let failedWrites = 0;
  let hostAnomalies = 0;
  for (let r = 1; r <= rounds; r++) {
    log(`fail-over: round ${r}/${rounds}, ${peersN} peer processes, SIGKILL the broker`);
    const res = await round(peersN);
    times.push(res.ms);
    noticed.push(res.noticed);
    hosted.push(res.hosted);
    failedWrites += res.failed;
    if (res.hosts !== 1) hostAnomalies++;
  }
  return { peers: peersN, rounds: times, summary: summarize(times), noticed, hosted, failedWrites, hostAnomalies };
}

export interface ReplayFigures {
  dbBytes: number;
  /** Journal entries the new broker replayed, and how long its store took to open. */
  replayed: number;
  storeOpenMs: number;
  /** From spawning the new broker process until it served. */
  startMs: number;
  /** The same store opened again after a clean stop (SIGTERM), for comparison. */
  cleanOpenMs: number;
  cleanReplayed: number;
  cleanStop: boolean;
}

/**
 * What a long journal adds to a fail-over: a broker with a ~50 MB db takes `writes` small
 * writes (no snapshot yet: below 10k writes and half the db), is killed with SIGKILL, and a new
 * broker process opens the store, replaying the journal.
 */
export async function measureReplay(quick: boolean, log: (s: string) => void): Promise<ReplayFigures> {
  const writes = quick ? 1500 : 9000;
  const h = benchHome();
  log(`replay: ${writes} writes into a ~50 MB store, SIGKILL, open it again`);
  const dbBytes = await prebuild(h, (db) => fillState(db, 200, 250_000));
  const first = await startBroker(h);
  const cs = await connectClients(h, 20, 'j');
  let done = 0;
  try {
    await closedLoops(cs.length, 120_000, async (w) => {
      const i = done++;
      await cs[w].request('state/set', { namespace: 'replay', key: `k${i % 1000}`, value: { i, pad: 'x'.repeat(100) } });
    }, () => done >= writes);
  } finally {
    await killProc(first.proc);
    await closeClients(cs);
  }
  const second = await startBroker(h);
  // A clean stop (SIGTERM) snapshots, so the next open has nothing to replay. (Not at once:
  // `serve` prints that it serves a moment before it handles SIGTERM.)
  await sleep(300);
  await stopProc(second.proc, 30_000);
  const third = await startBroker(h);
  await stopProc(third.proc, 30_000);
  return {
    dbBytes, replayed: second.replayed, storeOpenMs: second.storeOpenMs, startMs: second.startMs,
    cleanOpenMs: third.storeOpenMs, cleanReplayed: third.replayed, cleanStop: second.proc.child.exitCode === 0,
  };
}
