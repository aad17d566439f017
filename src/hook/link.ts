/**
 * The hook's line to the broker: read the mesh home's secret and `broker.json`, open one
 * WebSocket, prove the secret (`mesh/hello`), and join the session of the agent's peer
 * (`mesh/attach`, naming the agent's process). Built for a process that lives a few
 * milliseconds: no schemas, no retries, no waiting for a broker to start. Any miss (no home,
 * no broker, a refused port, a foreign program, a slow answer) is `undefined`, and the hook
 * answers its client's no-op.
 *
 * JSON-RPC is spoken by hand (a request is one text frame, its answer matched by id), over
 * socket.ts's small WebSocket client, because loading the libraries the rest of PeerMesh uses
 * would cost more start-up time than the whole conversation takes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { homeFiles } from '../home/location';
import type { Peer } from '../protocol/entities';
import { newNonce, proof, proofMatches } from '../protocol/handshake';
import { protocolVersion } from '../protocol/protocol-version';
import { connectText, type TextSocket } from './socket';

export interface HookLink {
  /** The agent's peer; null when the agent's process has no peer of its own in this mesh. */
  peer: Peer | null;
  request<T>(method: string, params: object): Promise<T>;
  close(): void;
}

/** A JSON-RPC error answer, with the broker's typed reason when it gave one. */
export class LinkError extends Error {
  constructor(message: string, readonly reason?: string) {
    super(message);
  }
}

function readSetup(home: string): { secret: string; port: number } | undefined {
  try {
    const secret = readFileSync(path.join(home, homeFiles.secret), 'utf8').trim();
    const { port } = JSON.parse(readFileSync(path.join(home, homeFiles.broker), 'utf8')) as { port?: unknown };
    return secret.length >= 32 && typeof port === 'number' && Number.isInteger(port) ? { secret, port } : undefined;
  } catch {
    return undefined;
  }
}

/** Opens the link, or undefined (quietly) when there is no broker of this home to talk to. */
export async function openLink(home: string, pids: readonly number[], timeoutMs: number): Promise<HookLink | undefined> {
  const setup = readSetup(home);
  if (!setup) return undefined;
  const ws = await connectText(setup.port, timeoutMs);
  if (!ws) return undefined;
  const link = rpc(ws);
  // The broker's challenge came with the upgrade: the hello and the attach go in one round
  // trip. The attach proof is bound to this port and this session's nonce, so even a program
  // that took the port cannot use it elsewhere; the broker's own proof is checked before
  // anything else is asked.
  const challenge = ws.headers['x-peermesh-nonce'];
  try {
    if (!challenge) throw new Error('not a PeerMesh broker of this protocol');
    const nonce = newNonce();
    // The proof rides the hello too, so the broker never rations this hook's hello in a flood.
    const peerProof = proof(setup.secret, 'peer', setup.port, challenge);
    const [hello, attached] = await Promise.all([
      link.request<{ proof: string; nonce: string }>('mesh/hello', { protocol: protocolVersion, nonce, proof: peerProof }),
      link.request<{ peer: Peer | null }>('mesh/attach', { proof: peerProof, pids }),
    ]);
    if (hello.nonce !== challenge || !proofMatches(proof(setup.secret, 'broker', setup.port, nonce), hello.proof)) throw new Error('not this home\'s broker');
    return { ...link, peer: attached.peer };
  } catch {
    link.close();
    return undefined;
  }
}

function rpc(ws: TextSocket): Omit<HookLink, 'peer'> {
  let next = 1;
  let closed: string | undefined;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const failAll = (why: string) => {
    closed = why;
    for (const w of waiting.values()) w.reject(new LinkError(why, 'unavailable'));
    waiting.clear();
  };
  ws.onText((data) => {
    let msg: { id?: unknown; result?: unknown; error?: { message?: string; data?: { reason?: string } } };
    try {
      msg = JSON.parse(data) as typeof msg;
    } catch {
      return;
    }
    const w = typeof msg.id === 'number' ? waiting.get(msg.id) : undefined;
    if (!w) return; // a push, or an answer nobody waits for
    waiting.delete(msg.id as number);
    if (msg.error) w.reject(new LinkError(msg.error.message ?? 'the broker refused the request', msg.error.data?.reason));
    else w.resolve(msg.result);
  });
  ws.onClose(failAll);
  return {
    request<T>(method: string, params: object): Promise<T> {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        if (closed !== undefined) return reject(new LinkError(closed, 'unavailable'));
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
      });
    },
    close: () => ws.close(),
  };
}
