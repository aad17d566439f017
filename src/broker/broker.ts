/**
 * The broker role: owns the store and the core, serves peers over a loopback WebSocket.
 *
 * Starting one is the election: `Broker.start` first binds the port exclusively (the kernel
 * lets exactly one process win), and only the winner opens the store. A loser gets
 * EADDRINUSE and connects as a peer instead (`scanPorts` and `lostElection` in
 * src/client/connect.ts).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { promises as fs } from 'node:fs';
import { WebSocketServer } from 'ws';
import type { Mesh } from '../core/api';
import { systemClock } from '../core/clock';
import { nullLogger, type Logger } from '../core/logger';
import { createMesh } from '../core/mesh';
import { cachingProbe, nodeWorkspaceProbe } from '../core/workspace';
import { version } from '../core/version';
import type { MeshEvent, Message } from '../protocol/entities';
import { BrokerError } from '../protocol/errors';
import { admissionLimits, limits } from '../protocol/limits';
import type { BrokerInfo, Status } from '../protocol/methods';
import { DurableStore } from '../store/store';
import { readBrokerFile, readSecret, writeBrokerFile, type MeshHome } from '../home/home';
import { newNonce } from '../protocol/handshake';
import { Admission } from './admission';
import { Session, type SessionHost } from './peer-connection';

export interface BrokerOptions {
  home: MeshHome;
  port: number;
  logger?: Logger;
  lockTtlSeconds?: number;
  graceMs?: number;
  /** How long a peer shows as working after a call of its own, in ms (60 s). */
  workingWindowMs?: number;
  retention?: { messagesMs?: number; eventsMs?: number; auditMs?: number };
  /** Rounds a debate gets, and how long an open one waits for a turn, in ms (see MeshOptions). */
  debate?: { maxRounds?: number; idleMs?: number };
  /** How long a release request waits for the holder's answer before it escalates to the person, in ms (see MeshOptions). */
  lockRequestEscalateMs?: number;
  /** Exit (call `onIdle`) after this long with no sessions. */
  idleExitMs?: number;
  onIdle?: () => void;
  /** How often expiry, grace periods and retention are applied. */
  sweepEveryMs?: number;
  /** Called when the broker has stopped, for whatever reason (asked to, or its journal failed). */
  onClosed?: () => void;
}

/** Bytes a WebSocket frame may have before the socket is closed outright (1009). */
const hardFrameLimit = 8 * limits.frameBytes;

export class Broker implements SessionHost {
  readonly info: BrokerInfo;
  private readonly sessions = new Set<Session>();
  /** Live sessions of each peer: usually one; a peer may connect more than once (a CLI in two terminals). */
  private readonly byPeer = new Map<string, Set<Session>>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: hardFrameLimit });
  /** Each upgrade's session nonce, until the upgrade answer carries it (see Session). */
  private readonly nonces = new WeakMap<http.IncomingMessage, string>();
  /** Each session's socket, to tell the admission when the session has proved itself. */
  private readonly sockets = new WeakMap<Session, net.Socket>();
  private readonly timers: NodeJS.Timeout[] = [];
  private idleSince = Date.now();
  private outbox: Array<{ event?: MeshEvent; message?: Message }> = [];
  private pushScheduled = false;
  private closing: Promise<void> | undefined;
  /** Set once Broker.start has resolved: from then on its owner hears of the stop through `onClosed`. */
  private announced = false;

  private constructor(
    private readonly server: http.Server,
    private readonly admission: Admission,
    readonly mesh: Mesh,
    private readonly store: DurableStore,
    readonly secret: string,
    readonly log: Logger,
    private readonly opts: BrokerOptions,
  ) {
    this.info = { instanceId: randomUUID(), version, pid: process.pid, port: opts.port, startedAt: Date.now() };
    mesh.onEvent((event) => this.queuePush({ event }));
    mesh.onMessage((message) => this.queuePush({ message }));
    this.wss.on('headers', (headers, req) => {
      const nonce = this.nonces.get(req);
      if (nonce) headers.push(`x-peermesh-nonce: ${nonce}`);
    });
    const sweep = setInterval(() => this.sweep(), opts.sweepEveryMs ?? 1000);
    this.timers.push(sweep);
    if (opts.idleExitMs) {
      const idle = setInterval(() => {
        if (this.sessions.size === 0 && Date.now() - this.idleSince >= opts.idleExitMs!) {
          this.log.info(`no peers for ${Math.round(opts.idleExitMs! / 1000)} s; exiting`);
          opts.onIdle?.();
        }
      }, Math.min(1000, opts.idleExitMs));
      this.timers.push(idle);
    }
    for (const t of this.timers) t.unref();
  }

  /**
   * Binds `port` on 127.0.0.1 (rejects with EADDRINUSE if another process has it), then loads
   * the store. Connections that arrive while the store loads wait for it.
   */
  static async start(opts: BrokerOptions): Promise<Broker> {
    const log = opts.logger ?? nullLogger;
    const server = http.createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('PeerMesh broker: connect with a WebSocket\n');
    });
    // From the first connection on, also while the store loads: a flood may come at any time.
    const admission = new Admission(log);
    server.on('connection', (socket: net.Socket) => admission.accepted(socket));
    await listenExclusive(server, opts.port);
    // Once listening, a failed accept (EMFILE: out of file descriptors) is logged, never thrown.
    server.on('error', (e) => admission.acceptFailed(e));
    let broker: Broker | undefined;
    const pendingUpgrades: Array<{ socket: net.Socket; accept: () => void }> = [];
    server.on('upgrade', (req, socket, head) => {
      admission.requested(socket as net.Socket);
      const accept = () => broker!.upgrade(req, socket as net.Socket, head);
      if (broker) accept();
      else pendingUpgrades.push({ socket: socket as net.Socket, accept });
    });
    let store: DurableStore | undefined;
    try {
      const secret = await readSecret(opts.home);
      store = await DurableStore.open({
        dir: opts.home.storeDir,
        logger: log,
        // Nothing can be acknowledged any more: stop, so a peer takes over from the disk.
        onFailure: () => void broker?.close(),
      });
      const mesh = createMesh(store.db, {
        clock: systemClock,
        logger: log,
        workspace: cachingProbe(nodeWorkspaceProbe, systemClock),
        lockTtlSeconds: opts.lockTtlSeconds,
        graceMs: opts.graceMs,
        workingWindowMs: opts.workingWindowMs,
        retention: opts.retention,
        debate: opts.debate,
        lockRequestEscalateMs: opts.lockRequestEscalateMs,
      });
      // Peers of the previous broker have no connection here yet: their grace period starts now.
      await mesh.peers.markAllDisconnected();
      broker = new Broker(server, admission, mesh, store, secret, log, opts);
      // A full disk does not stop the broker: it serves reads and saves changes once it can.
      await store.durable().catch((e: unknown) => {
        if (!BrokerError.is(e, 'diskFull')) throw e;
      });
      await writeBrokerFile(opts.home, broker.info);
      log.info(`broker ${broker.info.instanceId.slice(0, 8)} listening on 127.0.0.1:${opts.port} (pid ${process.pid}, home ${opts.home.dir})`);
      for (const { accept } of pendingUpgrades.splice(0)) accept();
      broker.announced = true;
      return broker;
    } catch (e) {
      if (broker) await broker.close().catch(() => undefined);
      else await store?.close().catch(() => undefined);
      for (const { socket } of pendingUpgrades.splice(0)) socket.destroy();
      admission.dispose();
      // Whatever else it accepted (a request under way): no deadline is left to close it.
      server.close();
      server.closeAllConnections();
      throw e;
    }
  }

  durable(since?: number): Promise<void> {
    return this.store.durable(since);
  }

  journalSeq(): number {
    return this.store.stats().journalSeq;
  }

  async status(): Promise<Status> {
    const counts = await this.mesh.counts();
    const lastEventSeq = await this.mesh.events.lastSeq();
    const sizes = this.store.sizes();
    return {
      ...this.info,
      uptimeMs: Date.now() - this.info.startedAt,
      home: this.opts.home.dir,
      counts: { ...counts, sessions: this.sessions.size },
      lastEventSeq,
      storeBytes: sizes.storeBytes,
      journalBytes: sizes.journalBytes,
    };
  }

  bind(session: Session, peerId: string): void {
    let sessions = this.byPeer.get(peerId);
    if (!sessions) this.byPeer.set(peerId, (sessions = new Set()));
    sessions.add(session);
  }

  admitted(session: Session): void {
    const socket = this.sockets.get(session);
    if (socket) this.admission.admitted(socket);
  }

  helloWaitMs(): number {
    return this.admission.helloWaitMs();
  }

  closed(session: Session): void {
    this.sessions.delete(session);
    if (this.sessions.size === 0) this.idleSince = Date.now();
    const peerId = session.peerId;
    const sessions = peerId ? this.byPeer.get(peerId) : undefined;
    if (!peerId || !sessions?.delete(session)) return;
    // The peer is disconnected (its grace period starts) when its last session ends.
    if (sessions.size > 0) return;
    this.byPeer.delete(peerId);
    if (this.closing || session.hasLeft) return;
    this.mesh.peers.disconnected(peerId).catch((e: unknown) => this.log.error(e as Error));
  }

  /** Stops serving: sessions are closed (peers will elect a new broker), the store is snapshotted. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const t of this.timers) clearInterval(t);
      for (const s of this.sessions) s.close(1001, 'broker shutting down');
      // Peers get a moment to answer the close frame; whoever has not is cut off, so a silent
      // peer cannot hold the shutdown for the WebSocket close timeout.
      for (let waited = 0; this.sessions.size > 0 && waited < 500; waited += 20) await new Promise((r) => setTimeout(r, 20));
      for (const s of this.sessions) s.terminate();
      this.mesh.dispose();
      let failure: unknown;
      // The port stays bound (new upgrades get "closing") until the last snapshot is written,
      // so the broker that takes over never reads a store this one is still writing. The store
      // lets go of its files and LOCK even when that snapshot fails (a full disk): then the
      // failure is thrown, after broker.json is gone and the port is free.
      await this.store.close().catch((e: unknown) => (failure = e));
      await this.forgetBrokerFile().catch((e: unknown) => (failure ??= e));
      this.admission.dispose();
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
      this.log.info('broker stopped');
      // A broker that never started is reported by Broker.start's rejection instead.
      if (this.announced) this.opts.onClosed?.();
      if (failure) throw failure;
    })();
    return this.closing;
  }

  /** Removes broker.json if it still announces this broker. */
  private async forgetBrokerFile(): Promise<void> {
    const current = await readBrokerFile(this.opts.home);
    if (current?.instanceId === this.info.instanceId) await fs.rm(this.opts.home.brokerFile, { force: true });
  }

  private upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const host = req.headers.host ?? '';
    const allowedHosts = [`127.0.0.1:${this.opts.port}`, `localhost:${this.opts.port}`];
    // Browsers always send Origin; PeerMesh peers never do. Refusing it (and foreign Host
    // names) shuts out web pages and DNS-rebinding attacks on this loopback port.
    if (req.headers.origin !== undefined || !allowedHosts.includes(host) || this.closing) {
      // The header tells a PeerMesh peer that this is a broker refusing it, not a foreign program.
      // The socket goes once that is written, whether or not the other side ever closes it.
      socket.end(`HTTP/1.1 403 Forbidden\r\nx-peermesh-broker: ${this.closing ? 'closing' : 'refused'}\r\nconnection: close\r\n\r\n`, () => socket.destroy());
      return;
    }
    const nonce = newNonce();
    this.nonces.set(req, nonce);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new Session(ws, this, nonce);
      this.sessions.add(session);
      this.sockets.set(session, socket);
      this.admission.upgraded(socket, {
        evict: () => session.evict(),
        overflow: () => session.refuse(1009, `more than ${admissionLimits.preAuthBytes} bytes before proving the mesh's secret`),
      });
    });
  }

  private sweep(): void {
    this.mesh.sweep().catch((e: unknown) => {
      // The journal already said, once, that the disk is full.
      if (BrokerError.is(e, 'diskFull')) this.log.debug(`sweep postponed: ${e.message}`);
      else this.log.error(e as Error);
    });
  }

  /** Pushes go out in order, and only once the journal holds what they announce. */
  private queuePush(item: { event?: MeshEvent; message?: Message }): void {
    this.outbox.push(item);
    if (this.pushScheduled) return;
    this.pushScheduled = true;
    setImmediate(() => {
      this.pushScheduled = false;
      const batch = this.outbox;
      this.outbox = [];
      // written(), not durable(): on a full disk the pushes wait until their changes are saved.
      this.store.written().then(
        () => this.deliver(batch),
        (e: Error) => this.log.error(`not pushing ${batch.length} updates: ${e.message}`),
      );
    });
  }

  private deliver(batch: Array<{ event?: MeshEvent; message?: Message }>): void {
    for (const item of batch) {
      if (item.message) for (const s of this.byPeer.get(item.message.to) ?? []) s.pushMessage(item.message);
      if (item.event) for (const s of this.sessions) s.pushEvent(item.event);
    }
  }
}

function listenExclusive(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    // A long accept queue (the kernel caps it at net.core.somaxconn): in a flood, a newcomer's
    // connection then waits its turn in the queue instead of being dropped and retried by TCP
    // a second or more later. Queued connections cost the broker no file descriptor.
    server.listen({ port, host: '127.0.0.1', exclusive: true, backlog: 4096 });
  });
}
