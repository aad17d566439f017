/**
 * Figure 8: floods of connections. A broker in its own process serves a registered peer; another
 * process (test/integration/fixtures/flooder.mjs) floods it, opening a new socket for each one
 * the broker closes: first hundreds of silent TCP sockets and silent WebSockets, then bursts of
 * `mesh/hello` without a proof. Measured in each: how long a newcomer takes to join and a
 * registered peer's round-trip, beside the same with no flood; the broker's CPU, and its RSS
 * before, during and after the floods.
 */
import { PeerClient } from '../../src/client/peer';
import { admissionLimits } from '../../src/protocol/limits';
import { startFlooder, type Flooder, type FloodShape, type FloodStats } from '../integration/flooder';
import {
  benchHome, closeClients, connectClients, cpuMsOf, now, removeDir, rssOf, sleep, startBroker, stopProc, summarize, track,
  withTimeout, type BenchHome, type BrokerProc, type Summary,
} from './util';

/** One flood, measured. */
export interface FloodPhase {
  /** What the flooder kept in flight (every socket the broker closed was opened again). */
  shape: FloodShape;
  /** How long the flood ran while it was measured, in ms. */
  ms: number;
  /** Sockets opened, sockets the broker closed, hellos sent, answered and refused. */
  stats: FloodStats;
  /** A newcomer's PeerClient.connect during the flood. */
  join: Summary;
  /** A registered peer's `state/get` round-trip during the flood. */
  rt: Summary;
  /** Broker CPU during the flood, % of one core. */
  brokerCpu: number;
  /** Broker RSS at the end of the flood, MB. */
  rssMb: number;
}

export interface FloodFigures {
  /** Joins and round-trips with no flood: the floor of each phase. */
  quiet: { join: Summary; rt: Summary };
  silent: FloodPhase;
  hellos: FloodPhase;
  /** Broker RSS in MB: before the floods, after them (once the broker's deadlines have passed), peak. */
  rssMb: { before: number; after: number; hwm: number };
  /** WebSocket sessions the broker still had after the floods (the resident's alone, if nothing was kept). */
  sessionsAfter: number;
}

async function joins(h: BenchHome, n: number, prefix: string): Promise<Summary> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    const c = await PeerClient.connect({ home: h.home, canHost: false, connectTimeoutMs: 15_000, intro: { name: `${prefix}-${i}`, kind: 'unknown' } });
    out.push(now() - t0);
    await c.close();
  }
  return summarize(out);
}

async function roundTrips(c: PeerClient, n: number): Promise<Summary> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = now();
    await c.request('state/get', { namespace: 'bench', key: 'k' });
    out.push(now() - t0);
  }
  return summarize(out);
}

interface Run {
  h: BenchHome;
  broker: BrokerProc;
  resident: PeerClient;
  joins: number;
  rts: number;
  log: (s: string) => void;
}

/** Floods the broker with `shape`, and measures joins and round-trips once the flood bites. */
async function phase(r: Run, shape: FloodShape, name: string): Promise<FloodPhase> {
  r.log(`flood: ${shape.tcp} silent TCP + ${shape.ws} silent WebSockets + ${shape.hellers} sending hellos at a time; ${r.joins} joins and ${r.rts} round-trips meanwhile`);
  let flooder: Flooder | undefined = startFlooder(r.broker.port, shape);
  track(flooder.child);
  try {
    const started = now();
    const cpu0 = cpuMsOf(r.broker.pid);
    await withTimeout(flooder.ready, 10_000, 'the flood to begin');
    await sleep(1000); // the flood at full strength before anything is measured
    const join = await joins(r.h, r.joins, name);
    const rt = await roundTrips(r.resident, r.rts);
    const rssMb = rssOf(r.broker.pid).rssMb;
    const ms = now() - started;
    const brokerCpu = (100 * (cpuMsOf(r.broker.pid) - cpu0)) / ms;
    const stats = await withTimeout(flooder.stop(), 10_000, 'stopping the flooder');
    flooder = undefined;
    return { shape, ms, stats, join, rt, brokerCpu, rssMb };
  } finally {
    flooder?.kill();
  }
}

export async function measureFlood(quick: boolean, log: (s: string) => void): Promise<FloodFigures> {
  const h = benchHome();
  const broker = await startBroker(h);
  const [resident] = await connectClients(h, 1, 'resident');
  const r: Run = { h, broker, resident, joins: quick ? 3 : 7, rts: quick ? 200 : 1000, log };
  try {
    await resident.request('state/set', { namespace: 'bench', key: 'k', value: { pad: 'x'.repeat(100) } });
    log(`flood: ${r.joins} joins and ${r.rts} round-trips with no flood`);
    await roundTrips(resident, 100); // warm-up
    const quiet = { join: await joins(h, r.joins, 'quiet'), rt: await roundTrips(resident, r.rts) };
    await sleep(300);
    const before = rssOf(broker.pid).rssMb;
    const silent = await phase(r, quick ? { tcp: 300, ws: 300, hellers: 0 } : { tcp: 1000, ws: 1000, hellers: 0 }, 'newcomer');
    const hellos = await phase(r, { tcp: 0, ws: 0, hellers: quick ? 4 : 8 }, 'greeted');
    // What the floods left behind has waited out the broker's deadlines by now.
    await sleep(admissionLimits.joinWithinMs + 1000);
    const after = rssOf(broker.pid);
    const sessionsAfter = (await resident.request('status/get', {})).counts.sessions;
    return { quiet, silent, hellos, rssMb: { before, after: after.rssMb, hwm: after.hwmMb }, sessionsAfter };
  } finally {
    await closeClients([resident]);
    await stopProc(broker.proc);
    removeDir(h.dir);
  }
}
