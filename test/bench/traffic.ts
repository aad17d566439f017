/**
 * Figures 1 and 2, against a broker in its own process (`node dist/cli.js serve --json`) with
 * the clients in this process: message latency (`messages/send` → the recipient's
 * `push/message`) and lock acquire+release pairs per second.
 */
import path from 'node:path';
import type { PeerClient } from '../../src/client/peer';
import { BrokerError } from '../../src/protocol/errors';
import {
  benchHome, closeClients, closedLoops, connectClients, now, phase, rssOf, sleep, startBroker, stopProc,
  summarize, tempDir, type PhaseStats, type Summary,
} from './util';

export interface MessageFigures {
  /** One sender, one recipient, nobody else connected. */
  pair: Summary;
  /** One sender while 50 peers are connected. */
  pairAmong50: Summary;
  /** All 10 (50) peers send in a ring, one message in flight each. */
  ring10: Summary;
  ring50: Summary;
  /** `messages/send` acknowledgement (not the push) in the 50-peer ring. */
  ackRing50: Summary;
  stats: Record<'pair' | 'pairAmong50' | 'ring10' | 'ring50', PhaseStats>;
  /** RSS of a fresh broker with an empty store and no peers, MB. */
  freshRssMb: number;
}

let runs = 0;

/**
 * Senders 0..senders-1 each send to the next peer of `cs` (ring), one message in flight each:
 * the next one goes out when the previous has arrived at its recipient.
 */
async function ring(cs: PeerClient[], senders: number, durationMs: number): Promise<{ push: Summary; ack: Summary }> {
  const run = ++runs;
  const arrivals = new Map<string, (t: number) => void>();
  const offs = cs.map((c) => c.onMessage((m) => arrivals.get(m.body)?.(now())));
  const push: number[] = [];
  const ack: number[] = [];
  const seq = new Array<number>(senders).fill(0);
  try {
    await closedLoops(senders, durationMs, async (w) => {
      const to = cs[(w + 1) % cs.length].peer.id;
      const body = `bench ${run}/${w}:${seq[w]++}`;
      let timer: NodeJS.Timeout | undefined;
      const arrived = new Promise<number>((resolve) => {
        arrivals.set(body, resolve);
        timer = setTimeout(() => resolve(NaN), 10_000);
      });
      const t0 = now();
      await cs[w].request('messages/send', { to: { peer: to }, body });
      const tAck = now();
      const tPush = await arrived;
      clearTimeout(timer);
      arrivals.delete(body);
      if (Number.isNaN(tPush)) throw new Error(`message "${body}" was acknowledged but not pushed within 10 s`);
      push.push(tPush - t0);
      ack.push(tAck - t0);
    });
  } finally {
    for (const off of offs) off();
  }
  return { push: summarize(push), ack: summarize(ack) };
}

export async function measureMessages(quick: boolean, log: (s: string) => void): Promise<MessageFigures> {
  const d = quick ? 700 : 4000;
  const warm = quick ? 200 : 1000;
  const h = benchHome();
  const broker = await startBroker(h);
  const cs: PeerClient[] = [];
  const stats = {} as MessageFigures['stats'];
  const measure = async (key: keyof MessageFigures['stats'], senders: number) => {
    await ring(cs, senders, warm); // warm up (JIT, caches): not counted
    const r = await phase(broker, () => ring(cs, senders, d));
    stats[key] = r.stats;
    return r.result;
  };
  try {
    await sleep(500);
    const freshRssMb = rssOf(broker.pid).rssMb;
    log('messages: 1 sender, 2 peers');
    cs.push(...await connectClients(h, 2, 'm'));
    // A fresh broker needs a few seconds of traffic before its code (and sql.js's wasm) is optimized.
    await ring(cs, 1, quick ? 500 : 3000);
    const pair = (await measure('pair', 1)).push;
    log('messages: 10 peers in a ring');
    cs.push(...await connectClients(h, 8, 'm10'));
    const ring10 = (await measure('ring10', 10)).push;
    log('messages: 50 peers; 1 sender, then all 50 in a ring');
    cs.push(...await connectClients(h, 40, 'm50'));
    const pairAmong50 = (await measure('pairAmong50', 1)).push;
    const r50 = await measure('ring50', 50);
    return { pair, pairAmong50, ring10, ring50: r50.push, ackRing50: r50.ack, stats, freshRssMb };
  } finally {
    await closeClients(cs);
    await stopProc(broker.proc);
  }
}

export interface LockFigures {
  clients: number;
  files: number;
  single: { pairsPerSec: number; pair: Summary; stats: PhaseStats };
  queued: { pairsPerSec: number; timeouts: number; stats: PhaseStats };
  retry: { pairsPerSec: number; conflictsPerSec: number; stats: PhaseStats };
}

export async function measureLocks(quick: boolean, log: (s: string) => void): Promise<LockFigures> {
  const d = quick ? 1000 : 5000;
  const clients = 50;
  const filesN = 5;
  const h = benchHome();
  const dir = tempDir('pm-bench-files-');
  const files = Array.from({ length: filesN }, (_, i) => path.join(dir, `file-${i}.ts`));
  const broker = await startBroker(h);
  const cs = await connectClients(h, clients, 'l', dir);
  const perSec = (n: number, elapsedMs: number) => (n / elapsedMs) * 1000;
  try {
    log('locks: one client, acquire+release in sequence');
    const pairTimes: number[] = [];
    const pairOnce = async () => {
      const t0 = now();
      const target = { path: files[0] };
      await cs[0].request('locks/acquire', { target, reason: 'bench' });
      await cs[0].request('locks/release', { target });
      pairTimes.push(now() - t0);
    };
    await closedLoops(1, quick ? 500 : 3000, pairOnce); // warm up the fresh broker
    pairTimes.length = 0;
    const single = await phase(broker, () => closedLoops(1, d, pairOnce));

    log(`locks: ${clients} clients on ${filesN} files, waiting in the queue (waitMs)`);
    let queuedPairs = 0;
    let timeouts = 0;
    const queued = await phase(broker, () => closedLoops(clients, d, async (w) => {
      const target = { path: files[Math.floor(Math.random() * filesN)] };
      try {
        await cs[w].request('locks/acquire', { target, reason: 'bench', waitMs: 10_000 });
      } catch (e) {
        if (BrokerError.is(e, 'timeout')) return void timeouts++;
        throw e;
      }
      await cs[w].request('locks/release', { target });
      queuedPairs++;
    }));

    log(`locks: ${clients} clients on ${filesN} files, failing fast and retrying`);
    let retryPairs = 0;
    let conflicts = 0;
    const retry = await phase(broker, () => closedLoops(clients, d, async (w) => {
      const target = { path: files[Math.floor(Math.random() * filesN)] };
      try {
        await cs[w].request('locks/acquire', { target, reason: 'bench' });
      } catch (e) {
        if (!BrokerError.is(e, 'lockConflict')) throw e;
        conflicts++;
        await sleep(Math.random() * 2);
        return;
      }
      await cs[w].request('locks/release', { target });
      retryPairs++;
    }));
    return {
      clients, files: filesN,
      single: { pairsPerSec: perSec(pairTimes.length, single.result.elapsedMs), pair: summarize(pairTimes), stats: single.stats },
      queued: { pairsPerSec: perSec(queuedPairs, queued.result.elapsedMs), timeouts, stats: queued.stats },
      retry: { pairsPerSec: perSec(retryPairs, retry.result.elapsedMs), conflictsPerSec: perSec(conflicts, retry.result.elapsedMs), stats: retry.stats },
    };
  } finally {
    await closeClients(cs);
    await stopProc(broker.proc);
  }
}
