/**
 * Figure 8: a connection flood. A broker in its own process serves a registered peer; another
 * process (test/integration/fixtures/flooder.mjs) keeps hundreds of silent TCP sockets and silent WebSockets open against
 * it, opening a new one for each the broker closes, and sends bursts of `mesh/hello` without a
 * proof. Measured: how long a newcomer takes to join, and a registered peer's round-trip, with
 * and without the flood; the broker's RSS before, during and after it.
 */
import { PeerClient } from '../../src/client/peer';
import { admissionLimits } from '../../src/protocol/limits';
import { startFlooder, type Flooder, type FloodShape } from '../integration/flooder';
import {
  benchHome, closeClients, connectClients, cpuMsOf, now, removeDir, rssOf, sleep, startBroker, stopProc, summarize, track,
  withTimeout, type BenchHome, type Summary,
} from './util';

export interface FloodFigures {
  /** Sockets the flooder kept in flight: silent TCP, silent WebSockets, hello senders. */
  held: FloodShape;
  /** How long the flood ran while it was measured, in ms. */
  floodMs: number;
  /** Sockets opened during the flood (each one the broker closed was opened again). */
  opened: { tcp: number; ws: number };
  hellos: { sent: number; answered: number; refused: number };
  /** A newcomer's PeerClient.connect, alone and during the flood. */
  join: { quiet: Summary; flood: Summary };
  /** A registered peer's `state/get` round-trip, alone and during the flood. */
  rt: { quiet: Summary; flood: Summary };
  /** Broker RSS in MB: before, during (at its end), after (once the broker's deadlines have passed); peak. */
  rssMb: { before: number; during: number; after: number; hwm: number };
  /** Broker CPU during the flood, % of one core. */
  brokerCpu: number;
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

export async function measureFlood(quick: boolean, log: (s: string) => void): Promise<FloodFigures> {
  const held = quick ? { tcp: 300, ws: 300, hellers: 2 } : { tcp: 1000, ws: 1000, hellers: 4 };
  const joinsN = quick ? 3 : 7;
  const rtN = quick ? 200 : 1000;
  const h = benchHome();
  const broker = await startBroker(h);
  const [resident] = await connectClients(h, 1, 'resident');
  let flooder: Flooder | undefined;
  try {
    await resident.request('state/set', { namespace: 'bench', key: 'k', value: { pad: 'x'.repeat(100) } });
    log(`flood: ${joinsN} joins and ${rtN} round-trips with no flood`);
    await roundTrips(resident, 100); // warm-up
    const quiet = { join: await joins(h, joinsN, 'quiet'), rt: await roundTrips(resident, rtN) };
    await sleep(300);
    const before = rssOf(broker.pid).rssMb;

    log(`flood: ${held.tcp} silent TCP + ${held.ws} silent WebSockets held open, ${held.hellers} sockets sending hellos; ${joinsN} joins and ${rtN} round-trips meanwhile`);
    flooder = startFlooder(broker.port, held);
    track(flooder.child);
    const started = now();
    const cpu0 = cpuMsOf(broker.pid);
    await withTimeout(flooder.ready, 10_000, 'the flood to begin');
    await sleep(1000); // the flood at full strength before anything is measured
    const flood = { join: await joins(h, joinsN, 'newcomer'), rt: await roundTrips(resident, rtN) };
    const during = rssOf(broker.pid);
    const floodMs = now() - started;
    const brokerCpu = (100 * (cpuMsOf(broker.pid) - cpu0)) / floodMs;
    const stats = await withTimeout(flooder.stop(), 10_000, 'stopping the flooder');
    flooder = undefined;

    // What the flood left behind has waited out the broker's deadlines by now.
    await sleep(admissionLimits.joinWithinMs + 1000);
    const after = rssOf(broker.pid);
    return {
      held, floodMs, opened: stats.opened, hellos: stats.hellos,
      join: { quiet: quiet.join, flood: flood.join }, rt: { quiet: quiet.rt, flood: flood.rt },
      rssMb: { before, during: during.rssMb, after: after.rssMb, hwm: after.hwmMb }, brokerCpu,
    };
  } finally {
    flooder?.kill();
    await closeClients([resident]);
    await stopProc(broker.proc);
    removeDir(h.dir);
  }
}
