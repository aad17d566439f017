/**
 * Opening a verified connection to a broker on one port. "Verified" means the other side
 * proved it knows this home's secret, so a foreign program on the port is told apart from a
 * PeerMesh broker, and one mesh never talks to another.
 */
import { ResponseError, type MessageConnection } from 'vscode-jsonrpc/node';
import WebSocket from 'ws';
import { newNonce, proof, proofMatches } from '../protocol/handshake';
import { BrokerError } from '../protocol/errors';
import { protocolVersion, requests, type RequestResult } from '../protocol/methods';
import { wsConnection } from '../protocol/transport';

/** Largest answer a peer accepts from the broker. */
const answerBytes = 64 * 1024 * 1024;

export type ConnectOutcome =
  | { kind: 'connected'; ws: WebSocket; conn: MessageConnection; hello: RequestResult<'mesh/hello'> }
  /** Nothing listens on the port: it is free to bind. */
  | { kind: 'refused' }
  /**
   * A PeerMesh broker is there but not serving now (starting or stopping, or too many
   * connections at once): try again soon, after `retryAfterMs` if it said.
   */
  | { kind: 'busy'; why: string; retryAfterMs?: number }
  /** Something else is on the port, or a broker of another mesh home. */
  | { kind: 'foreign'; why: string };

export async function connectTo(port: number, secret: string, timeoutMs: number): Promise<ConnectOutcome> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { handshakeTimeout: timeoutMs, maxPayload: answerBytes });
  // The broker's challenge rides the upgrade answer: proving the secret in the hello already
  // lets the broker tell this peer from a flood (it never rate-limits a proven hello).
  let challenge: string | undefined;
  ws.once('upgrade', (res) => {
    const header = res.headers['x-peermesh-nonce'];
    if (typeof header === 'string') challenge = header;
  });
  // A broker with too many connections waiting closes the oldest with 1013, "try again later".
  let closeCode: number | undefined;
  ws.once('close', (code) => (closeCode = code));
  const opened = await new Promise<ConnectOutcome | undefined>((resolve) => {
    ws.once('open', () => resolve(undefined));
    ws.once('unexpected-response', (_req, res) => {
      const marker = res.headers['x-peermesh-broker'];
      ws.terminate();
      resolve(marker ? { kind: 'busy', why: `broker answered ${res.statusCode} (${String(marker)})` } : { kind: 'foreign', why: `port ${port} answered HTTP ${res.statusCode}, not a PeerMesh broker` });
    });
    // A broker that is starting or stopping says so with a marked answer (above); a reset
    // carries no mark, so it is some other program, passed over for the next candidate.
    ws.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') resolve({ kind: 'refused' });
      else resolve({ kind: 'foreign', why: `port ${port}: ${e.message}` });
    });
  });
  if (opened) return opened;

  const conn = wsConnection(ws, { maxFrameBytes: answerBytes });
  conn.listen();
  const nonce = newNonce();
  const peerProof = challenge === undefined ? undefined : proof(secret, 'peer', port, challenge);
  try {
    const raw = await withTimeout(conn.sendRequest('mesh/hello', { protocol: protocolVersion, nonce, proof: peerProof }), timeoutMs, `port ${port} did not answer the PeerMesh handshake`);
    const hello = requests['mesh/hello'].result.parse(raw);
    if (!proofMatches(proof(secret, 'broker', port, nonce), hello.proof)) {
      throw new Error(`port ${port} is a PeerMesh broker of another mesh home (its secret differs)`);
    }
    return { kind: 'connected', ws, conn, hello };
  } catch (e) {
    conn.dispose();
    ws.terminate();
    if (closeCode === 1013) return { kind: 'busy', why: `the broker on port ${port} has too many connections waiting to join` };
    // A typed refusal comes only from a PeerMesh broker (say, of another protocol version):
    // hosting a second broker beside it would be wrong, so stop with its reason; unless it
    // only asks to wait.
    if (e instanceof ResponseError && typeof (e.data as { reason?: unknown } | undefined)?.reason === 'string') {
      const refusal = BrokerError.fromWire(`the PeerMesh broker on port ${port} refused the handshake: ${e.message}`, e.data);
      if (refusal.reason !== 'rateLimited') throw refusal;
      // Hellos that prove the secret are never rationed: rationed with a proof, this broker
      // does not know our secret. It is another mesh home's, whose flood must not stop us.
      if (peerProof !== undefined) return { kind: 'foreign', why: `port ${port} is a PeerMesh broker of another mesh home (it rations hellos with a proof of our secret)` };
      const retryAfterMs = typeof refusal.data?.retryAfterMs === 'number' ? refusal.data.retryAfterMs : undefined;
      return { kind: 'busy', why: refusal.message, retryAfterMs };
    }
    return { kind: 'foreign', why: (e as Error).message };
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(message)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/** What one look at every candidate port found. */
export interface PortScan {
  /** A verified broker of this home, connected. */
  connected?: Extract<ConnectOutcome, { kind: 'connected' }> & { port: number };
  /** The first port nothing listens on, if any. */
  free?: number;
  /** A broker is starting or stopping on some port, or busy: wait for it, bind nothing. */
  busy: boolean;
  /** The longest wait a busy broker asked for, in ms. */
  retryAfterMs?: number;
  /** Why each foreign port was passed over. */
  foreign: string[];
}

/**
 * Tries the candidate ports in order and stops at the first broker of this home. Every port is
 * looked at before any is called free: this home's broker may sit on a later port (an earlier
 * one was taken by another program when it started), and binding the free one would make two.
 */
export async function scanPorts(ports: readonly number[], secret: string, timeoutMs: number): Promise<PortScan> {
  const scan: PortScan = { busy: false, foreign: [] };
  for (const port of ports) {
    const outcome = await connectTo(port, secret, timeoutMs);
    if (outcome.kind === 'connected') return { ...scan, connected: { ...outcome, port } };
    if (outcome.kind === 'foreign') {
      scan.foreign.push(outcome.why);
    } else if (outcome.kind === 'busy') {
      scan.busy = true;
      if (outcome.retryAfterMs !== undefined) scan.retryAfterMs = Math.max(scan.retryAfterMs ?? 0, outcome.retryAfterMs);
    } else {
      scan.free ??= port;
    }
  }
  return scan;
}

/** Whether `Broker.start` failed because another process won: the port, or the store. */
export function lostElection(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'EADDRINUSE' || BrokerError.is(e, 'unavailable');
}
