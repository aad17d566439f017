/**
 * Opening a verified connection to a broker on one port. "Verified" means the other side
 * proved it knows this home's secret, so a foreign program on the port is told apart from a
 * PeerMesh broker, and one mesh never talks to another.
 */
import type { MessageConnection } from 'vscode-jsonrpc/node';
import WebSocket from 'ws';
import { newNonce, proof, proofMatches } from '../broker/home';
import { BrokerError } from '../protocol/errors';
import { protocolVersion, requests, type RequestResult } from '../protocol/methods';
import { wsConnection } from '../protocol/transport';

export type ConnectOutcome =
  | { kind: 'connected'; ws: WebSocket; conn: MessageConnection; hello: RequestResult<'mesh/hello'> }
  /** Nothing listens on the port: it is free to bind. */
  | { kind: 'refused' }
  /** A PeerMesh broker is there but not serving now (starting or stopping): try again soon. */
  | { kind: 'busy'; why: string }
  /** Something else is on the port, or a broker of another mesh home. */
  | { kind: 'foreign'; why: string };

export async function connectTo(port: number, secret: string, timeoutMs: number): Promise<ConnectOutcome> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { handshakeTimeout: timeoutMs, maxPayload: 64 * 1024 * 1024 });
  const opened = await new Promise<ConnectOutcome | undefined>((resolve) => {
    ws.once('open', () => resolve(undefined));
    ws.once('unexpected-response', (_req, res) => {
      const marker = res.headers['x-peermesh-broker'];
      ws.terminate();
      resolve(marker ? { kind: 'busy', why: `broker answered ${res.statusCode} (${String(marker)})` } : { kind: 'foreign', why: `port ${port} answered HTTP ${res.statusCode}, not a PeerMesh broker` });
    });
    ws.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') resolve({ kind: 'refused' });
      else if (e.code === 'ECONNRESET') resolve({ kind: 'busy', why: 'connection reset' });
      else resolve({ kind: 'foreign', why: `port ${port}: ${e.message}` });
    });
  });
  if (opened) return opened;

  const conn = wsConnection(ws);
  conn.listen();
  const nonce = newNonce();
  try {
    const raw = await withTimeout(conn.sendRequest('mesh/hello', { protocol: protocolVersion, nonce }), timeoutMs, `port ${port} did not answer the PeerMesh handshake`);
    const hello = requests['mesh/hello'].result.parse(raw);
    if (!proofMatches(proof(secret, 'broker', nonce), hello.proof)) {
      throw new Error(`port ${port} is a PeerMesh broker of another mesh home (its secret differs)`);
    }
    return { kind: 'connected', ws, conn, hello };
  } catch (e) {
    conn.dispose();
    ws.terminate();
    if (BrokerError.is(e)) throw e;
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
