/**
 * Figures 3 and 5: write-acknowledgement latency with a small and a large database, and broker
 * memory with 100 peers and 100k events. The databases are pre-built with the store's own
 * schema (sql.js + migrate) and written as the snapshot `mesh.db`, so the broker loads them
 * at start exactly as it would after a restart.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { PeerClient } from '../../src/client/peer';
import type { SqlTx } from '../../src/core/sql';
import { migrate } from '../../src/store/schema';
import { SqlJsDb } from '../../src/store/sqljs';
import {
  benchHome, closeClients, connectClients, now, phase, rssOf, sleep, snapshotsIn, startBroker, stopProc, summarize,
  type BenchHome, type BrokerProc, type PhaseStats, type Snapshot, type Summary,
} from './util';

/** Writes a database filled by `fill` as the home's snapshot; returns its size in bytes. */
export async function prebuild(h: BenchHome, fill: (tx: SqlTx) => Promise<void>): Promise<number> {
  const db = await SqlJsDb.open();
  migrate(db);
  await db.transaction(fill);
  const bytes = db.export();
  db.close();
  await fs.mkdir(h.home.storeDir, { recursive: true, mode: 0o700 });
  await fs.writeFile(path.join(h.home.storeDir, 'mesh.db'), bytes, { mode: 0o600 });
  return bytes.length;
}

export async function fillState(tx: SqlTx, rows: number, valueChars: number): Promise<void> {
  const value = JSON.stringify('v'.repeat(valueChars));
  for (let i = 0; i < rows; i++) {
    await tx.run('INSERT INTO state (namespace, key, value, version, author, updated_at, expires_at) VALUES (?, ?, ?, 1, ?, ?, NULL)',
      ['fill', `k${i}`, value, 'bench', Date.now()]);
  }
}

const smallValue = (i: number) => ({ i, pad: 'x'.repeat(100) });

export interface SnapshotStall {
  /** Small writes that completed from the trigger until the snapshot was done (+0.5 s). */
  during: Summary;
  /** As the store logged it: bytes written and the whole snapshot's duration. */
  snapshot: Snapshot | undefined;
}

/**
 * Grows the journal with big values until it is nearly half the database, then times small
 * sequential writes while one more big write makes the store snapshot the whole database.
 */
async function snapshotStall(b: BrokerProc, writer: PeerClient, churn: PeerClient): Promise<SnapshotStall> {
  const big = 'y'.repeat(200_000);
  const first = await churn.request('status/get', {});
  const threshold = Math.max(1024 * 1024, first.storeBytes * 0.5);
  for (let i = 0, st = first; st.journalBytes + 2 * big.length < threshold && i < 1000; i++) {
    await churn.request('state/set', { namespace: 'churn', key: `b${i % 500}`, value: big });
    st = await churn.request('status/get', {});
  }
  const offset = b.proc.stderr.length;
  let stop = false;
  const samples: Array<{ end: number; ms: number }> = [];
  const loop = (async () => {
    for (let k = 0; !stop; k++) {
      const t0 = now();
      await writer.request('state/set', { namespace: 'bench', key: `s${k % 100}`, value: smallValue(k) });
      samples.push({ end: now(), ms: now() - t0 });
    }
  })();
  try {
    await sleep(300);
    const trigger = now();
    for (let j = 0; j < 20 && snapshotsIn(b, offset).length === 0; j++) {
      await churn.request('state/set', { namespace: 'churn', key: `x${j}`, value: big });
      await sleep(50);
    }
    for (let t = now(); snapshotsIn(b, offset).length === 0 && now() - t < 20_000;) await sleep(20);
    await sleep(500);
    stop = true;
    await loop;
    return { during: summarize(samples.filter((s) => s.end >= trigger).map((s) => s.ms)), snapshot: snapshotsIn(b, offset)[0] };
  } finally {
    stop = true;
    await loop;
  }
}

interface WriteAckRun { dbBytes: number; startMs: number; storeOpenMs: number; ack: Summary; stats: PhaseStats }

export interface WriteAckFigures {
  small: WriteAckRun;
  large: WriteAckRun & { stall: SnapshotStall };
}

/**
 * Both brokers run at once and the writes alternate between them (small db, large db, small,
 * …), so whatever else the machine does at the time weighs on both figures alike.
 */
export async function measureWriteAcks(quick: boolean, log: (s: string) => void): Promise<WriteAckFigures> {
  const n = quick ? 500 : 2000;
  const warm = quick ? 300 : 1000;
  const hs = [benchHome(), benchHome()];
  log('write-ack: pre-building a ~100 KB and a ~50 MB database');
  const dbBytes = [await prebuild(hs[0], (db) => fillState(db, 40, 1000)), await prebuild(hs[1], (db) => fillState(db, 200, 250_000))];
  const bs: BrokerProc[] = [];
  const cs: PeerClient[] = [];
  try {
    for (const h of hs) bs.push(await startBroker(h));
    for (const h of hs) cs.push(...await connectClients(h, 2, 'w'));
    const lat: number[][] = [[], []];
    log(`write-ack: ${n} sequential state/set to each, alternating between the two brokers`);
    const write = async (k: 0 | 1, i: number) => {
      const t0 = now();
      await cs[k * 2].request('state/set', { namespace: 'bench', key: `k${i % 100}`, value: smallValue(i) });
      if (i >= warm) lat[k].push(now() - t0);
    };
    // Nested, to note the CPU use and the snapshots of each broker over the same interval.
    const outer = await phase(bs[0], () => phase(bs[1], async () => {
      for (let i = 0; i < n + warm; i++) {
        await write(0, i);
        await write(1, i);
      }
    }));
    log('write-ack: small writes while a background snapshot of the large database runs');
    const stall = await snapshotStall(bs[1], cs[2], cs[3]);
    const run = (k: 0 | 1, st: PhaseStats): WriteAckRun => ({ dbBytes: dbBytes[k], startMs: bs[k].startMs, storeOpenMs: bs[k].storeOpenMs, ack: summarize(lat[k]), stats: st });
    return { small: run(0, outer.stats), large: { ...run(1, outer.result.stats), stall } };
  } finally {
    await closeClients(cs);
    await Promise.all(bs.map((b) => stopProc(b.proc)));
  }
}

export interface RssFigures {
  events: number;
  peers: number;
  dbBytes: number;
  startMs: number;
  storeOpenMs: number;
  idleMb: number;
  connectedMb: number;
  hwmMb: number;
}

export async function measureRss(quick: boolean, log: (s: string) => void): Promise<RssFigures> {
  const events = 100_000;
  const peers = 100;
  const h = benchHome();
  log(`rss: pre-building a store with ${events / 1000}k events`);
  const t = Date.now();
  const dbBytes = await prebuild(h, async (tx) => {
    for (let i = 0; i < events; i++) {
      await tx.run('INSERT INTO events (type, peer, at, data) VALUES (?, ?, ?, ?)',
        ['state_changed', `peer-${i % peers}`, t - events + i, JSON.stringify({ namespace: 'bench', key: `k${i % 1000}`, version: 1 + Math.floor(i / 1000) })]);
    }
  });
  const broker = await startBroker(h);
  let cs: PeerClient[] = [];
  try {
    await sleep(quick ? 300 : 1000);
    const idle = rssOf(broker.pid);
    log(`rss: connecting ${peers} peers`);
    cs = await connectClients(h, peers, 'r');
    await Promise.all(cs.map((c, i) => c.request('state/set', { namespace: 'rss', key: `k${i}`, value: smallValue(i) })));
    const status = await cs[0].request('status/get', {});
    await sleep(quick ? 500 : 2000);
    const connected = rssOf(broker.pid);
    return {
      events: status.counts.events, peers: status.counts.sessions, dbBytes, startMs: broker.startMs, storeOpenMs: broker.storeOpenMs, idleMb: idle.rssMb, connectedMb: connected.rssMb, hwmMb: connected.hwmMb,
    };
  } finally {
    await closeClients(cs);
    await stopProc(broker.proc);
  }
}
