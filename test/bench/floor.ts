/**
 * The physical floor beside each PeerMesh figure: the same traffic pattern against a bare `ws`
 * echo/relay server in its own process (echo-server.mjs), plus fdatasync of a small append.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { closedLoops, now, rssOf, sleep, startEcho, summarize, tempDir, withTimeout, type EchoProc, type Summary } from './util';

/** A request-sized payload (a JSON-RPC `state/set` frame is about this big). */
const payload = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'state/set', params: { namespace: 'bench', key: 'k1', value: { i: 1, pad: 'x'.repeat(100) } } });

class FloorClient {
  private waiters: Array<(text: string) => void> = [];
  private inbox: string[] = [];
  closedAt = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: WebSocket.RawData) => {
      const text = (data as Buffer).toString();
      const w = this.waiters.shift();
      if (w) w(text);
      else this.inbox.push(text);
    });
    ws.on('close', () => (this.closedAt = now()));
  }

  static open(port: number, id?: string): Promise<FloorClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/${id ? `?id=${id}` : ''}`);
    return withTimeout(new Promise<FloorClient>((resolve, reject) => {
      ws.once('open', () => resolve(new FloorClient(ws)));
      ws.once('error', reject);
    }), 10_000, `ws connect to ${port}`);
  }

  next(): Promise<string> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async roundTrip(text: string): Promise<void> {
    this.ws.send(text);
    await this.next();
  }

  close(): void {
    this.ws.terminate();
  }
}

async function openMany(port: number, n: number, prefix = ''): Promise<FloorClient[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => FloorClient.open(port, prefix ? `${prefix}${i}` : undefined)));
}

async function rtLatency(port: number, samples: number, prefix = ''): Promise<Summary> {
  const [c] = await openMany(port, 1);
  const out: number[] = [];
  for (let i = 0; i < samples + 300; i++) {
    const t0 = now();
    await c.roundTrip(prefix + payload);
    if (i >= 300) out.push(now() - t0);
  }
  c.close();
  return summarize(out);
}

/** `n` clients in a ring, each relaying one frame at a time to the next through the server. */
async function relayRing(port: number, n: number, durationMs: number): Promise<Summary> {
  const size = Math.max(2, n);
  const cs = await openMany(port, size, `r${n}-`);
  const out: number[] = [];
  let warm = 20 * n;
  await closedLoops(n, durationMs, async (w) => {
    const to = (w + 1) % size;
    const t0 = now();
    cs[w].ws.send(`@r${n}-${to}|${payload}`);
    await cs[to].next();
    if (warm-- <= 0) out.push(now() - t0);
  });
  for (const c of cs) c.close();
  return summarize(out);
}

async function rtRate(port: number, clients: number, durationMs: number): Promise<number> {
  const cs = await openMany(port, clients);
  let count = 0;
  const { elapsedMs } = await closedLoops(clients, durationMs, async (w) => {
    await cs[w].roundTrip(payload);
    count++;
  });
  for (const c of cs) c.close();
  return (count / elapsedMs) * 1000;
}

/** A small append + fdatasync, as the journal does for one write, measured here. */
export async function fdatasyncLatency(dir: string, samples: number): Promise<Summary> {
  const fh = await fs.open(path.join(dir, 'fsync-probe.jsonl'), 'a');
  const out: number[] = [];
  try {
    for (let i = 0; i < samples + 20; i++) {
      const t0 = now();
      await fh.write(payload + '\n');
      await fh.datasync();
      if (i >= 20) out.push(now() - t0);
    }
  } finally {
    await fh.close();
  }
  return summarize(out);
}

/** SIGKILL the server; time until a client has noticed and done a round-trip on a standby server. */
async function reconnectFloor(rounds: number): Promise<Summary> {
  const out: number[] = [];
  const standby = await startEcho();
  try {
    for (let r = 0; r < rounds; r++) {
      const victim = await startEcho();
      const c = await FloorClient.open(victim.port);
      await c.roundTrip(payload);
      const closed = new Promise<void>((resolve) => c.ws.once('close', () => resolve()));
      const killedAt = now();
      await victim.kill();
      await withTimeout(closed, 5000, 'close after SIGKILL');
      const c2 = await FloorClient.open(standby.port);
      await c2.roundTrip(payload);
      out.push(now() - killedAt);
      c2.close();
    }
  } finally {
    await standby.kill();
  }
  return summarize(out);
}

async function echoRss(echo: EchoProc, sockets: number): Promise<{ idleMb: number; connectedMb: number; hwmMb: number }> {
  await sleep(300);
  const idle = rssOf(echo.pid);
  const cs = await openMany(echo.port, sockets);
  for (const c of cs) await c.roundTrip(payload);
  await sleep(500);
  const withSockets = rssOf(echo.pid);
  for (const c of cs) c.close();
  return { idleMb: idle.rssMb, connectedMb: withSockets.rssMb, hwmMb: withSockets.hwmMb };
}

export interface FloorFigures {
  rt: Summary;
  relay: Record<'1' | '10' | '50', Summary>;
  rtPerSec1: number;
  rtPerSec50: number;
  fdatasync: Summary;
  syncRt: Summary;
  reconnect: Summary;
  rss: { idleMb: number; connectedMb: number; hwmMb: number };
}

export async function measureFloor(quick: boolean, log: (s: string) => void): Promise<FloorFigures> {
  const dir = tempDir('pm-bench-floor-');
  const d = quick ? 700 : 4000;
  const samples = quick ? 500 : 2000;
  const echo = await startEcho(path.join(dir, 'sync-echo.jsonl'));
  try {
    log('floor: ws round-trip and relay latency');
    const rt = await rtLatency(echo.port, samples);
    const relay = { '1': await relayRing(echo.port, 1, d), '10': await relayRing(echo.port, 10, d), '50': await relayRing(echo.port, 50, d) };
    log('floor: round-trips per second');
    const rtPerSec1 = await rtRate(echo.port, 1, d);
    const rtPerSec50 = await rtRate(echo.port, 50, d);
    log('floor: fdatasync, round-trip + fdatasync');
    const fdatasync = await fdatasyncLatency(dir, quick ? 200 : 1000);
    const syncRt = await rtLatency(echo.port, quick ? 200 : 1000, '!');
    log('floor: RSS of the echo server, reconnect after SIGKILL');
    const rss = await echoRss(echo, 100);
    const reconnect = await reconnectFloor(quick ? 2 : 5);
    return { rt, relay, rtPerSec1, rtPerSec50, fdatasync, syncRt, reconnect, rss };
  } finally {
    await echo.kill();
  }
}
