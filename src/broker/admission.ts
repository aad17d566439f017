/**
 * Who may wait at the broker's door. A connection is "waiting" from the moment it is accepted
 * until it proves it knows the mesh's secret (a `mesh/hello` with the peer's proof, a register,
 * resume or attach). A PeerMesh program waits a few milliseconds; a flood (silent TCP sockets,
 * upgrade requests that never end, WebSockets that never say hello) waits forever if let. So:
 * a deadline for the upgrade request, a cap on how many may wait (the longest-waiting one
 * makes room for the next, so a flood can neither lock newcomers out nor exhaust the file
 * descriptors), and a token bucket for hellos that carry no proof.
 *
 * The join deadline after the upgrade is the session's own (see Session).
 */
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../core/logger';
import { TokenBucket } from '../core/token-bucket';
import { admissionLimits } from '../protocol/limits';

/**
 * What an evicted connection that has not upgraded is told: a PeerMesh broker, busy. Encoded
 * once: in a flood it is written thousands of times a second.
 */
const busyAnswer = Buffer.from('HTTP/1.1 503 Service Unavailable\r\nx-peermesh-broker: busy\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: 0\r\n\r\n', 'latin1');

/**
 * Tells a connection that has not upgraded that this is a PeerMesh broker, busy, and closes it.
 * The socket goes a moment after the answer is written: destroyed at once with input unread,
 * it would be reset, and the reset may drop the answer.
 */
function sayBusy(socket: net.Socket): void {
  socket.end(busyAnswer);
  setTimeout(() => socket.destroy(), admissionLimits.lingerMs).unref();
}

/** Accept failures (out of file descriptors, say) are logged at most this often. */
const acceptWarningEveryMs = 60_000;

interface Waiting {
  /** Ends the connection to make room for a newer one. */
  evict(): void;
  /** The upgrade-request deadline, until the request is complete. */
  timer?: NodeJS.Timeout;
  /** Stops counting the bytes it sends (it proved itself, or is gone). */
  stopCounting?(): void;
}

/** What the admission may do to an upgraded connection's session. */
export interface WaitingSession {
  /** Makes room for a newer connection ("try again later"). */
  evict(): void;
  /** Ends it: it sent more bytes than a handshake needs. */
  overflow(): void;
}

export class Admission {
  /** In arrival order, so the first is the one that has waited longest. */
  private readonly waiting = new Map<net.Socket, Waiting>();
  private readonly hellos = new TokenBucket(
    { burst: admissionLimits.helloBurst, perSecond: admissionLimits.helloPerSecond },
    { now: () => performance.now() },
  );
  private evictions = 0;
  private lastAcceptWarning = -Infinity;

  constructor(private readonly log: Logger) {}

  /** A TCP connection was accepted. */
  accepted(socket: net.Socket): void {
    if (this.waiting.size >= admissionLimits.waiting) this.evictOldest();
    const w: Waiting = { evict: () => sayBusy(socket) };
    // After a long synchronous stall Node runs expired timers before it reads what arrived
    // meanwhile: the verdict waits for that read (setImmediate runs after it), so a request
    // already in the socket clears the deadline first.
    w.timer = setTimeout(() => setImmediate(() => {
      if (this.waiting.get(socket) !== w || w.timer === undefined) return;
      this.forget(socket);
      sayBusy(socket);
    }), admissionLimits.upgradeWithinMs);
    w.timer.unref();
    this.waiting.set(socket, w);
    socket.once('close', () => this.forget(socket));
  }

  /** Its upgrade request is complete: the upgrade deadline no longer applies. */
  requested(socket: net.Socket): void {
    const w = this.waiting.get(socket);
    clearTimeout(w?.timer);
    if (w) w.timer = undefined;
  }

  /**
   * It is a WebSocket now: evicting it closes the session. The bytes it sends are counted as
   * they arrive, so a huge frame is cut off long before the broker holds it whole.
   */
  upgraded(socket: net.Socket, session: WaitingSession): void {
    const w = this.waiting.get(socket);
    if (!w) return;
    w.evict = () => session.evict();
    let received = 0;
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= admissionLimits.preAuthBytes) return;
      this.forget(socket);
      session.overflow();
    };
    socket.on('data', count);
    w.stopCounting = () => socket.off('data', count);
  }

  /** It proved it knows the secret: it no longer waits, and no longer counts. */
  admitted(socket: net.Socket): void {
    this.forget(socket);
  }

  /** 0 if a hello without a proof may be answered now, else how many ms until one may. */
  helloWaitMs(): number {
    return this.hellos.take();
  }

  /** The server could not accept a connection (EMFILE, ENFILE…): the broker keeps serving. */
  acceptFailed(e: Error): void {
    const now = performance.now();
    if (now - this.lastAcceptWarning < acceptWarningEveryMs) return;
    this.lastAcceptWarning = now;
    this.log.warn(`could not accept a connection: ${e.message} (${this.waiting.size} connections waiting to join)`);
  }

  /**
   * Closes every waiting connection: their deadlines go with the admission, and a server that
   * never started would otherwise leave them open for good.
   */
  dispose(): void {
    for (const socket of [...this.waiting.keys()]) {
      this.forget(socket);
      socket.destroy();
    }
  }

  private evictOldest(): void {
    const [socket, w] = this.waiting.entries().next().value as [net.Socket, Waiting];
    this.forget(socket);
    w.evict();
    // One line per thousand, not per socket: a flood must not flood the log as well.
    if (this.evictions++ % 1000 === 0) {
      this.log.warn(`more than ${admissionLimits.waiting} connections waiting to join: closing the longest-waiting ones (${this.evictions} so far)`);
    }
  }

  private forget(socket: net.Socket): void {
    const w = this.waiting.get(socket);
    if (!w) return;
    clearTimeout(w.timer);
    w.stopCounting?.();
    this.waiting.delete(socket);
  }
}
