/**
 * One WebSocket connection to the broker: the handshake (hello → register or resume), then
 * validated requests dispatched into the core. Every response and push leaves only after the
 * journal holds what it acknowledges.
 */
import { randomBytes } from 'node:crypto';
import { ErrorCodes, ResponseError, type MessageConnection } from 'vscode-jsonrpc/node';
import type WebSocket from 'ws';
import type { Mesh } from '../core/api';
import type { Logger } from '../core/logger';
import { BrokerError, meshErrorCode } from '../protocol/errors';
import { admissionLimits } from '../protocol/limits';
import type { EventType, MeshEvent, Message } from '../protocol/entities';
import {
  describeZodError, zodIssues, isRequestMethod, preAuthMethods, protocolVersion, requests, showsActivity, splitMeta, type BrokerInfo,
  type ParsedParams, type RequestMeta, type RequestMethod, type Status,
} from '../protocol/methods';
import { wsConnection, type FrameGate } from '../protocol/transport';
import { handlers, type CallContext } from './handlers';
import { newNonce, proof, proofMatches, sha256 } from '../protocol/handshake';

/** What a session needs from the broker that owns it. */
export interface SessionHost {
  readonly mesh: Mesh;
  readonly secret: string;
  readonly info: BrokerInfo;
  readonly log: Logger;
  /**
   * Resolves when every change so far is on disk. On a full disk: rejects (`diskFull`) if a
   * change was journaled after `since` (a journal sequence number), else resolves at once.
   */
  durable(since?: number): Promise<void>;
  /** The journal's last sequence number, to pass to {@link durable} as `since`. */
  journalSeq(): number;
  status(): Promise<Status>;
  /** A session now speaks for `peerId`, beside any other live session of that peer (two terminals on one CLI identity). */
  bind(session: Session, peerId: string): void;
  /** The session proved it knows the secret: it no longer counts as waiting to join. */
  admitted(session: Session): void;
  /** 0 if a hello without a proof may be answered now, else how many ms until one may. */
  helloWaitMs(): number;
  closed(session: Session): void;
}

/** How long a handshake that arrived by the join deadline may still take to be answered, in ms. */
const handshakeGraceMs = 1000;

/**
 * What a hook's session (`mesh/attach`) may ask, beside the handshake: its news (messages, its
 * tasks, deltas, debates, landing tokens, its claims whose code is gone, release requests),
 * guards and records.
 */
const hookMethods: ReadonlySet<RequestMethod> = new Set([
  'messages/deliver', 'plan/mine', 'delta/mine', 'debate/mine', 'sync/mine', 'locks/list', 'locks/guardEdit', 'edits/record', 'peers/update',
  'release/mine',
]);

export class Session {
  peerId: string | undefined;
  private subscription: 'all' | ReadonlySet<EventType> | undefined;
  private left = false;
  /** A hook's session (`mesh/attach`): of its agent's peer, or of none (an observer). */
  private attached: 'peer' | 'observer' | undefined;
  /** A register or resume is under way (the store answers asynchronously). */
  private joining = false;
  private ended = false;
  private readonly conn: MessageConnection;
  badFrames = 0;
  private joinTimer: NodeJS.Timeout;
  /** One per request being handled: aborted when it is cancelled or the connection closes. */
  private readonly inFlight = new Set<AbortController>();
  /** The session proved it knows the secret: the limits on strangers no longer apply. */
  private proven = false;
  /** Frames received before that. */
  private strangerFrames = 0;
  /** Handshake requests received and not yet answered, before that. */
  private handshakesUnanswered = 0;

  /**
   * What a session that has not proved the secret may send: a few small handshake requests.
   * Anything else ends it before it is parsed or answered, so a program that does not know the
   * secret cannot make the broker parse, answer and hold answers it never reads.
   */
  private readonly gate: FrameGate = {
    frame: (bytes) => {
      if (this.proven) return true;
      // Every frame counts, answered or not: a frame that is not JSON gets an answer as well.
      if (bytes > admissionLimits.preAuthFrameBytes) {
        this.refuse(1009, `a frame before proving the mesh's secret may have ${admissionLimits.preAuthFrameBytes} bytes at most`);
      } else if (++this.strangerFrames > admissionLimits.preAuthRequests) {
        this.refuse(1008, `more than ${admissionLimits.preAuthRequests} requests before proving the mesh's secret`);
      } else if (this.ws.bufferedAmount > admissionLimits.preAuthBytes) {
        this.refuse(1008, 'answers left unread before proving the mesh\'s secret');
      } else {
        return true;
      }
      return false;
    },
    message: (method) => {
      if (this.proven) return true;
      if (method !== undefined && isRequestMethod(method) && preAuthMethods.has(method)) {
        this.handshakesUnanswered++;
        return true;
      }
      this.refuse(1008, `${method === undefined ? 'a response' : method.slice(0, 100)}: say mesh/hello, then register, resume or attach first`);
      return false;
    },
  };

  /**
   * `nonce`: the broker's challenge for this session, sent in the upgrade answer's
   * `x-peermesh-nonce` header as well as in `mesh/hello`, so a peer may prove itself in the
   * same round trip as it asks for the broker's proof (a hook has no time to spare).
   */
  constructor(private readonly ws: WebSocket, private readonly host: SessionHost, private readonly nonce: string = newNonce()) {
    this.conn = wsConnection(ws, {
      gate: this.gate,
      onBadFrame: (why) => {
        this.badFrames++;
        host.log.debug(`rejected a frame from ${this.peerId ?? 'an unregistered session'}: ${why}`);
      },
    });
    this.conn.onRequest(async (method, params, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      this.inFlight.add(abort);
      try {
        return await this.handle(method, params, abort.signal);
      } finally {
        this.inFlight.delete(abort);
        if (this.handshakesUnanswered > 0 && isRequestMethod(method) && preAuthMethods.has(method)) this.handshakesUnanswered--;
      }
    });
    this.conn.onClose(() => {
      this.ended = true;
      clearTimeout(this.joinTimer);
      // Nobody is left to answer: waits (long-polls, lock queues) end now, not at their deadline.
      for (const abort of this.inFlight) abort.abort();
      this.inFlight.clear();
      this.conn.dispose();
      host.closed(this);
    });
    this.conn.listen();
    // A connection that never proves the secret holds a socket for nothing: it gets a few seconds.
    this.joinTimer = setTimeout(() => this.joinDeadline(false), admissionLimits.joinWithinMs);
    this.joinTimer.unref();
  }

  /**
   * The join deadline has passed. After a long synchronous stall (a snapshot, a VACUUM) Node
   * runs expired timers before it reads what arrived meanwhile, so the verdict waits for that
   * read (setImmediate runs after it); a handshake received and not yet answered gets one short
   * grace. It is cut off after the close frame, not after its answer: a silent one never answers.
   */
  private joinDeadline(graced: boolean): void {
    setImmediate(() => {
      if (this.proven || this.ended) return;
      if (!graced && this.handshakesUnanswered > 0) {
        this.joinTimer = setTimeout(() => this.joinDeadline(true), handshakeGraceMs);
        this.joinTimer.unref();
        return;
      }
      this.close(4001, `register or resume within ${admissionLimits.joinWithinMs / 1000} s`);
      this.terminate();
    });
  }

  /** True if the session ended on purpose (`mesh/leave`), so no grace period applies. */
  get hasLeft(): boolean {
    return this.left;
  }

  pushMessage(message: Message): void {
    if (message.to === this.peerId) void this.conn.sendNotification('push/message', { message });
  }

  pushEvent(event: MeshEvent): void {
    if (this.subscription === 'all' || this.subscription?.has(event.type)) void this.conn.sendNotification('push/event', { event });
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  /** Ends a session that has not proved the secret and sends more than a handshake needs. */
  refuse(code: number, why: string): void {
    if (this.ended) return;
    this.host.log.debug(`closed an unregistered session: ${why}`);
    this.close(code, why);
    this.terminate();
  }

  /**
   * Makes room for a newer connection (too many are waiting to join): "try again later". The
   * socket goes a moment after the close frame: destroyed at once with input unread, it would
   * be reset, and the reset may drop the close frame.
   */
  evict(): void {
    this.close(1013, 'too many connections waiting to join the mesh; try again');
    setTimeout(() => this.terminate(), admissionLimits.lingerMs).unref();
  }

  private async handle(method: string, raw: unknown, signal: AbortSignal): Promise<unknown> {
    try {
      if (!isRequestMethod(method)) {
        throw new ResponseError(ErrorCodes.MethodNotFound, `unknown method "${method.slice(0, 100)}"`, { reason: 'invalidInput' });
      }
      const { params, meta } = splitMeta(method, raw);
      const parsed = requests[method].params.safeParse(params ?? {});
      // No method in the words (its caller names what it did in its own terms); it is in the data.
      if (!parsed.success) throw new BrokerError('invalidInput', describeZodError(parsed.error), { method, issues: zodIssues(parsed.error) });
      const since = this.host.journalSeq();
      const result = await this.dispatch(method, parsed.data, meta, signal);
      await this.host.durable(since);
      return result;
    } catch (e) {
      if (e instanceof ResponseError) throw e;
      if (BrokerError.is(e)) throw new ResponseError(meshErrorCode, e.message, e.toData());
      this.host.log.error(e as Error);
      throw new ResponseError(meshErrorCode, `internal broker error: ${(e as Error).message}`, { reason: 'internal' });
    }
  }

  private async dispatch(method: RequestMethod, params: unknown, meta: RequestMeta, signal: AbortSignal): Promise<unknown> {
    if (this.attached === 'observer' && method === 'locks/guardEdit') {
      const p = params as ParsedParams<'locks/guardEdit'>;
      return this.host.mesh.locks.guardEdit(null, p.path, p.ranges, p.claim, p.asPerson);
    }
    if (this.attached === 'peer' && !hookMethods.has(method) && !preAuthMethods.has(method)) {
      throw new BrokerError('unauthorized', `${method}: a hook's session may only ask ${[...hookMethods].join(', ')}`);
    }
    if (this.attached === 'peer' && method === 'peers/update' && Object.keys(params as object).some((k) => k !== 'status')) {
      throw new BrokerError('unauthorized', 'peers/update: a hook\'s session may only change the peer\'s status');
    }
    if (!preAuthMethods.has(method) && !this.peerId) {
      throw new BrokerError('unauthorized', this.attached === 'observer'
        ? `${method}: this hook's agent has no peer in the mesh (its PeerMesh MCP server is not connected); only locks/guardEdit without a claim is open to it`
        : `${method}: register or resume first`);
    }
    switch (method) {
      case 'mesh/hello':
        return this.hello(params as ParsedParams<'mesh/hello'>);
      case 'mesh/register':
        return this.register(params as ParsedParams<'mesh/register'>);
      case 'mesh/resume':
        return this.resume(params as ParsedParams<'mesh/resume'>);
      case 'mesh/attach':
        return this.attach(params as ParsedParams<'mesh/attach'>);
      default: {
        const peerId = this.peerId!;
        try {
          await this.host.mesh.peers.touch(peerId, { active: showsActivity(method, params, meta) });
        } catch (e) {
          // Recording "last seen" is a convenience: a full disk must not fail a read over it.
          if (!BrokerError.is(e, 'diskFull')) throw e;
        }
        const handler = handlers[method] as (ctx: CallContext, p: unknown) => unknown;
        return handler(this.context(peerId, signal), params);
      }
    }
  }

  private hello(p: ParsedParams<'mesh/hello'>) {
    if (p.proof !== undefined && proofMatches(this.expectedProof(), p.proof)) {
      this.admit();
    } else {
      // Only a program that does not know the secret gets here: its hellos are rationed, so a
      // flood of them costs the broker a bounded amount of work. Nothing else is refused.
      this.ration();
    }
    if (p.protocol !== protocolVersion) {
      throw new BrokerError('invalidInput', `this broker speaks protocol ${protocolVersion}, the peer ${p.protocol}; update PeerMesh`);
    }
    return { proof: proof(this.host.secret, 'broker', this.host.info.port, p.nonce), nonce: this.nonce, broker: this.host.info };
  }

  /**
   * The session proved it knows the secret: it is no flood, so neither the join deadline nor
   * the cap on waiting connections applies to it any more (its register may be slow on a busy disk).
   */
  private admit(): void {
    this.proven = true;
    clearTimeout(this.joinTimer);
    this.host.admitted(this);
  }

  /** A handshake without a valid proof takes a token of the bucket, or is refused `rateLimited`. */
  private ration(): void {
    const retryAfterMs = this.host.helloWaitMs();
    if (retryAfterMs > 0) {
      throw new BrokerError('rateLimited', `too many handshakes without a proof of the mesh's secret; try again in ${retryAfterMs} ms`, { retryAfterMs });
    }
  }

  /** The proof a peer that knows the secret sends for this session. */
  private expectedProof(): string {
    return proof(this.host.secret, 'peer', this.host.info.port, this.nonce);
  }

  private checkProof(given: string): void {
    if (!proofMatches(this.expectedProof(), given)) {
      // A wrong proof costs the broker as much as a hello without one: rationed alike.
      this.ration();
      throw new BrokerError('unauthorized', 'wrong broker secret proof: this peer does not share the mesh home\'s secret');
    }
    this.admit();
    if (this.peerId || this.joining || this.attached) throw new BrokerError('invalidInput', 'this session is already registered');
  }

  /** Runs a register or resume, one at a time, and binds the session to the peer it yields. */
  private async join<R extends { peer: { id: string } }>(proofGiven: string, fn: () => Promise<R>): Promise<R> {
    this.checkProof(proofGiven);
    this.joining = true;
    try {
      const result = await fn();
      this.host.bind(this, result.peer.id);
      this.peerId = result.peer.id;
      // The connection closed while the store answered: the peer is disconnected as if it had
      // closed after joining.
      if (this.ended) this.host.closed(this);
      return result;
    } finally {
      this.joining = false;
    }
  }

  private register(p: ParsedParams<'mesh/register'>) {
    return this.join(p.proof, async () => {
      const sessionSecret = randomBytes(24).toString('hex');
      return { peer: await this.host.mesh.peers.register(p.intro, sha256(sessionSecret)), sessionSecret };
    });
  }

  private resume(p: ParsedParams<'mesh/resume'>) {
    return this.join(p.proof, async () => ({ peer: await this.host.mesh.peers.resume(p.peerId, sha256(p.sessionSecret)) }));
  }

  /**
   * A hook joins its agent's peer for one short session. The session is not bound as one of
   * the peer's connections: pushes do not go to it, and its end does not disconnect the peer.
   */
  private async attach(p: ParsedParams<'mesh/attach'>) {
    this.checkProof(p.proof);
    if (this.attached) throw new BrokerError('invalidInput', 'this session is already attached');
    const peer = await this.host.mesh.peers.forAgent(p.pids);
    this.attached = peer ? 'peer' : 'observer';
    if (peer) this.peerId = peer.id;
    return { peer: peer ?? null };
  }

  private context(peerId: string, signal: AbortSignal): CallContext {
    return {
      peerId,
      signal,
      mesh: this.host.mesh,
      status: () => this.host.status(),
      subscribe: (events) => {
        this.subscription = events === true ? 'all' : events === false ? undefined : new Set(events);
      },
      leave: () => {
        this.left = true;
        return this.host.mesh.peers.leave(peerId);
      },
    };
  }
}
