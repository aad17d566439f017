/**
 * The peer role. `PeerClient.connect` finds the broker of this mesh home or, if none answers
 * and this process may host one, becomes it (exclusive bind = election). When the broker
 * goes away, the client races to take over after a short random delay and resumes its peer
 * identity (same id, locks, inbox) on whichever broker wins.
 */
import { CancellationTokenSource, ResponseError, type MessageConnection } from 'vscode-jsonrpc/node';
import type WebSocket from 'ws';
import { Broker, type BrokerOptions } from '../broker/broker';
import { candidatePorts, readSecret, type MeshHome } from '../home/home';
import { proof } from '../protocol/handshake';
import { nullLogger, type Logger } from '../core/logger';
import { BrokerError } from '../protocol/errors';
import type { MeshEvent, Message, Peer } from '../protocol/entities';
import { limits } from '../protocol/limits';
import {
  notifications, requests, type BrokerInfo, type PeerIntro, type RequestMethod, type RequestParams,
  type RequestResult,
} from '../protocol/methods';
import { retrySafe } from '../protocol/requests/spec';
import { loadSqlJs } from '../store/sqljs';
import { lostElection, scanPorts } from './connect';

/** What a hosted broker is given besides where it lives and logs. */
export type HostedBrokerOptions = Omit<BrokerOptions, 'home' | 'port' | 'logger'>;

export interface PeerClientOptions {
  home: MeshHome;
  intro: PeerIntro;
  /** Use this port instead of the ones derived from the home. */
  port?: number;
  logger?: Logger;
  /** May this process host the broker when none answers? (False for one-shot CLI commands.) */
  canHost: boolean;
  /**
   * May this process host the replacement when the broker it was connected to goes away, even
   * though `canHost` is false? (The MCP bridge: it starts a detached broker at first, but takes
   * over itself on fail-over, which is faster than starting a process.)
   */
  hostOnFailover?: boolean;
  /**
   * Settings for a broker this process ends up hosting; a function is asked each time one
   * starts (a restart or a fail-over then applies settings changed since).
   */
  brokerOptions?: HostedBrokerOptions | (() => HostedBrokerOptions);
  /** When no broker answers and this process may not host: start one elsewhere. Called once. */
  startBroker?: () => Promise<void> | void;
  /** Give up connecting after this long. */
  connectTimeoutMs?: number;
  /** Receive every mesh event as a push (`onEvent`). */
  subscribeEvents?: boolean;
  /** Resume this saved identity instead of registering (falls back to registering if unknown). */
  identity?: PeerIdentity;
  /**
   * False: when the broker does not know `identity` on the first connect, fail (`notFound` or
   * `unauthorized`) instead of registering a new peer, so the caller can register under its
   * own lock and save the new identity (the terminal's identity files). Default true.
   */
  registerIfUnknown?: boolean;
}

/** What a peer needs to resume itself on any broker of the mesh. */
export interface PeerIdentity {
  peerId: string;
  sessionSecret: string;
}

export type ConnectionState = 'connected' | 'reconnecting' | 'closed';

/** How to send one request. */
export interface RequestOptions {
  /** Cancels the request (the broker answers `cancelled` if it was still waiting). */
  signal?: AbortSignal;
  /**
   * Sent by this program on its own (a view refreshing after a pushed event, a catch-up), not
   * for its agent or person: it does not make the peer `working` (`_meta.background`).
   */
  background?: boolean;
}

type Listener<T> = (value: T) => void;

/** How long an answer may take beyond any wait the request asked for. */
const answerWithinMs = 30_000;

export class PeerClient {
  peer!: Peer;
  broker!: BrokerInfo;
  /** The broker this process hosts, if it won the election. */
  hostedBroker: Broker | undefined;
  private conn: MessageConnection | undefined;
  private ws: WebSocket | undefined;
  private sessionSecret = '';
  private secret = '';
  private state: ConnectionState = 'reconnecting';
  /** Settles when the reconnect attempt under way does, if any: requests wait on it. */
  private ready: Promise<void> = Promise.resolve();
  private closed = false;
  private startedBroker = false;
  /** Joined a broker once: from then on an unknown identity is always registered afresh. */
  private joined = false;
  private readonly log: Logger;
  private readonly listeners = {
    message: new Set<Listener<Message>>(),
    event: new Set<Listener<MeshEvent>>(),
    state: new Set<Listener<ConnectionState>>(),
  };

  private constructor(private readonly opts: PeerClientOptions) {
    this.log = opts.logger ?? nullLogger;
  }

  static async connect(opts: PeerClientOptions): Promise<PeerClient> {
    const client = new PeerClient(opts);
    client.secret = await readSecret(opts.home);
    if (opts.identity) {
      client.peer = { id: opts.identity.peerId } as Peer;
      client.sessionSecret = opts.identity.sessionSecret;
    }
    await client.establish(opts.identity !== undefined);
    // A peer that may have to take over the broker loads the database engine now, not then.
    if ((opts.canHost || opts.hostOnFailover) && !client.hostedBroker) void loadSqlJs();
    return client;
  }

  /** The identity to resume this peer with later (keep it secret). */
  get identity(): PeerIdentity {
    return { peerId: this.peer.id, sessionSecret: this.sessionSecret };
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  onMessage(l: Listener<Message>): () => void {
    this.listeners.message.add(l);
    return () => this.listeners.message.delete(l);
  }

  onEvent(l: Listener<MeshEvent>): () => void {
    this.listeners.event.add(l);
    return () => this.listeners.event.delete(l);
  }

  onStateChange(l: Listener<ConnectionState>): () => void {
    this.listeners.state.add(l);
    return () => this.listeners.state.delete(l);
  }

  /**
   * Sends a request, waiting out a fail-over if one is under way. A request cut off by a
   * fail-over is sent again if its spec says `retry: 'safe'`; otherwise it fails with
   * `unavailable`.
   */
  async request<M extends RequestMethod>(method: M, params: RequestParams<M>, options: RequestOptions = {}): Promise<RequestResult<M>> {
    const { signal, background } = options;
    const wire = background ? { ...params, _meta: { background: true } } : params;
    // The broker answers a frame over its limit without reading it: refuse it here, in the caller's terms.
    // (No method in these words: the caller knows what it asked; the method is in the data.)
    const bytes = Buffer.byteLength(JSON.stringify({ jsonrpc: '2.0', id: Number.MAX_SAFE_INTEGER, method, params: wire }));
    if (bytes > limits.frameBytes) {
      throw new BrokerError('invalidInput', `the request is ${bytes} bytes, more than the ${limits.frameBytes / (1024 * 1024)} MiB a request may be`, { method });
    }
    for (let attempt = 0; ; attempt++) {
      await this.ready;
      if (this.closed) throw new BrokerError('unavailable', 'the PeerMesh client is closed');
      const conn = this.conn!;
      // Cancelling sends `$/cancelRequest`; the broker answers `cancelled` if it was still waiting.
      const cancel = new CancellationTokenSource();
      const onAbort = () => cancel.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) cancel.cancel();
      // An answer that never comes must not hang the caller: allow any wait it asked for, plus slack.
      const answerMs = answerDeadlineMs((params as { waitMs?: unknown }).waitMs);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          cancel.cancel();
          reject(new BrokerError('unavailable', `the broker did not answer within ${Math.round(answerMs / 1000)} s`, { method }));
        }, answerMs);
      });
      try {
        const raw = await Promise.race([conn.sendRequest(method, wire, cancel.token), timedOut]);
        return requests[method].result.parse(raw) as RequestResult<M>;
      } catch (e) {
        if (e instanceof ResponseError && e.data && typeof e.data === 'object' && 'reason' in e.data) {
          throw BrokerError.fromWire(e.message, e.data);
        }
        const lost = conn !== this.conn || this.state !== 'connected';
        if (lost && retrySafe(requests[method], wire) && attempt < 3) continue;
        if (lost) throw new BrokerError('unavailable', 'the broker went away during the request; it may or may not have been applied', { method });
        throw e instanceof ResponseError ? new BrokerError('invalidInput', e.message) : e;
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        cancel.dispose();
      }
    }
  }

  /** Leaves the mesh (locks released at once unless `leave` is false) and closes. */
  /**
   * Stops the broker this client hosts, its store saved. The client then fails over like every
   * peer of that broker: an election, and its session resumed (same id, claims and inbox).
   */
  async stopHostedBroker(): Promise<void> {
    const broker = this.hostedBroker;
    if (!broker) throw new Error('this client hosts no broker');
    this.hostedBroker = undefined;
    await broker.close();
  }

  async close(leave = true): Promise<void> {
    if (this.closed) return;
    if (leave && this.state === 'connected') await this.request('mesh/leave', {}).catch(() => undefined);
    this.closed = true;
    this.setState('closed');
    this.conn?.dispose();
    this.ws?.close();
    await this.hostedBroker?.close();
  }

  private setState(s: ConnectionState): void {
    if (this.state === s) return;
    this.state = s;
    for (const l of this.listeners.state) l(s);
  }

  /** Finds or becomes the broker, then registers (first time) or resumes. */
  private async establish(resume: boolean, failover = false): Promise<void> {
    const mayHost = this.opts.canHost || (failover && this.opts.hostOnFailover === true);
    const deadline = Date.now() + (this.opts.connectTimeoutMs ?? 15_000);
    const ports = candidatePorts(this.opts.home, this.opts.port);
    const foreign: string[] = [];
    for (let round = 0; !this.closed; round++) {
      const { connected, free, busy, retryAfterMs, foreign: passed } = await scanPorts(ports, this.secret, 10_000);
      if (connected) {
        await this.adopt(connected.port, connected.ws, connected.conn, connected.hello.nonce, connected.hello.broker, resume);
        return;
      }
      for (const why of passed.filter((w) => !foreign.includes(w))) {
        foreign.push(why);
        this.log.warn(`${why}; trying the next port`);
      }
      if (!busy && free !== undefined) {
        if (mayHost) await this.tryHost(free); // on success, the next round connects to it
        else if (this.opts.startBroker && !this.startedBroker) {
          this.startedBroker = true;
          await this.opts.startBroker();
        }
      }
      if (Date.now() > deadline) {
        const detail = foreign.length ? ` (${foreign.join('; ')})` : '';
        throw new BrokerError('unavailable', `could not reach or start a PeerMesh broker for ${this.opts.home.dir}${detail}`);
      }
      // A broker that is busy may say how long to wait (a refused hello): never less than that.
      await sleep(Math.max(retryAfterMs ?? 0, Math.min(20 + round * 20, 200)));
    }
  }

  private async tryHost(port: number): Promise<boolean> {
    let broker: Broker;
    try {
      const { brokerOptions } = this.opts;
      broker = await Broker.start({ ...(typeof brokerOptions === 'function' ? brokerOptions() : brokerOptions), home: this.opts.home, port, logger: this.log });
    } catch (e) {
      // Another process won the port, or still holds the store (finishing its shutdown).
      if (lostElection(e)) {
        this.log.debug(`not hosting: ${(e as Error).message}`);
        return false;
      }
      throw e;
    }
    if (this.closed) {
      await broker.close(); // closed while the broker was starting: nobody would own it
      return false;
    }
    this.hostedBroker = broker;
    return true;
  }

  private async adopt(port: number, ws: WebSocket, conn: MessageConnection, brokerNonce: string, broker: BrokerInfo, resume: boolean): Promise<void> {
    const peerProof = proof(this.secret, 'peer', port, brokerNonce);
    // A connection that drops during the handshake fails it (pending requests are rejected);
    // only an established one triggers a fail-over.
    const handshakeClose = conn.onClose(() => conn.dispose());
    conn.onNotification('push/message', (p: unknown) => {
      const parsed = notifications['push/message'].safeParse(p);
      if (parsed.success) for (const l of this.listeners.message) l(parsed.data.message);
    });
    conn.onNotification('push/event', (p: unknown) => {
      const parsed = notifications['push/event'].safeParse(p);
      if (parsed.success) for (const l of this.listeners.event) l(parsed.data.event);
    });
    try {
      let resumed = false;
      if (resume) {
        try {
          const r = await conn.sendRequest('mesh/resume', { proof: peerProof, peerId: this.peer.id, sessionSecret: this.sessionSecret });
          this.peer = requests['mesh/resume'].result.parse(r).peer;
          resumed = true;
        } catch (e) {
          // The new broker does not know us (its store was lost or reset): join afresh.
          const reason = e instanceof ResponseError ? BrokerError.fromWire(e.message, e.data).reason : undefined;
          if (reason !== 'notFound' && reason !== 'unauthorized') throw e;
          if (!this.joined && this.opts.registerIfUnknown === false) throw e;
          this.log.warn(`the broker does not know peer ${this.peer.id} (${(e as Error).message}); joining as a new peer`);
        }
      }
      if (!resumed) {
        const r = requests['mesh/register'].result.parse(await conn.sendRequest('mesh/register', { proof: peerProof, intro: this.opts.intro }));
        this.peer = r.peer;
        this.sessionSecret = r.sessionSecret;
      }
      if (this.opts.subscribeEvents) await conn.sendRequest('mesh/subscribe', { events: true });
    } catch (e) {
      handshakeClose.dispose();
      conn.dispose();
      ws.close();
      if (e instanceof ResponseError) throw BrokerError.fromWire(e.message, e.data);
      throw e;
    }
    handshakeClose.dispose();
    this.joined = true;
    this.conn = conn;
    this.ws = ws;
    this.broker = broker;
    conn.onClose(() => this.lost(conn));
    this.setState('connected');
    if (ws.readyState !== ws.OPEN) this.lost(conn); // closed in the instant between
    this.log.info(`${resume ? 'resumed' : 'joined'} as ${this.peer.name} (${this.peer.id}) on broker pid ${broker.pid} port ${broker.port}`);
  }

  /** The broker connection closed: race for the broker after a short random delay, then resume. */
  private lost(conn: MessageConnection): void {
    if (conn !== this.conn || this.closed || this.state !== 'connected') return;
    conn.dispose();
    this.setState('reconnecting');
    // A listener may close the client on the loss (a watch that ends with its broker): no election then.
    if (this.closed) return;
    this.log.warn('lost the broker; electing a new one');
    void this.reconnect();
  }

  /**
   * Tries until a broker is found. Each attempt is `ready`: the requests waiting on an attempt
   * that gives up (no broker within the connect timeout) fail with its `unavailable` error,
   * instead of waiting on a mesh that may never come back.
   */
  private async reconnect(): Promise<void> {
    while (!this.closed) {
      const attempt = (async () => {
        await sleep(Math.random() * 100);
        await this.establish(true, true);
      })();
      this.ready = attempt;
      try {
        await attempt;
        return;
      } catch (e) {
        if (this.closed) return;
        this.log.error(`reconnect failed: ${(e as Error).message}; retrying`);
      }
    }
  }
}

/**
 * How long to wait for the answer to a request that asked to wait `waitMs`, plus slack. Never
 * past the protocol's longest wait (the broker refuses a longer one), so the timer cannot
 * overflow: Node fires a timeout over 2^31-1 ms at once.
 */
function answerDeadlineMs(waitMs: unknown): number {
  const asked = typeof waitMs === 'number' && waitMs > 0 ? Math.min(waitMs, limits.waitMs) : 0;
  return asked + answerWithinMs;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
