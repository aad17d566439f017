/**
 * Errors that cross the wire carry a typed `reason`, so callers branch on data and never on
 * message text: `BrokerError.is(e, 'lockConflict')`. Messages name no wire method or field
 * path: an MCP tool, a command line and an editor each tell their user in their own words,
 * from the reason and its `data`.
 */
export const errorReasons = [
  /**
   * The input failed validation; `message` says which field and why. When the broker's schema
   * refused a request's params, `data.issues` lists `{ path, message }` (path: the wire
   * field, dotted) and `data.method` the request.
   */
  'invalidInput',
  /** A frame was not JSON, or not JSON-RPC, or too large. */
  'badFrame',
  /** The caller has not registered, or its proof or session secret is wrong. */
  'unauthorized',
  /** The lock (or part of it) is held by another peer; `data` is a {@link LockConflictData}. */
  'lockConflict',
  /** The caller asked to release or renew a lock it does not hold. */
  'notHolder',
  /**
   * Some of the messages to claim are claimed by another peer already, so none was claimed:
   * `data.claimed` lists `{ id, by, byName }` for each of them. For a task: another peer holds
   * it, `data` is `{ task, by, byName, status }`.
   */
  'alreadyClaimed',
  /**
   * A task cannot start: tasks it depends on are not done. `data.open` lists `{ id, title,
   * status }` of each; starting anyway takes a reason (`force`).
   */
  'notReady',
  /** Compare-and-set failed: `data` has `{ currentVersion }`. */
  'versionMismatch',
  /** The peer, message, key or lock does not exist; for peers, `data.missing` lists the names not found. */
  'notFound',
  /** A wait (lock queue, long-poll) ended without success. */
  'timeout',
  /** The caller cancelled the request (JSON-RPC `$/cancelRequest`) before it was granted. */
  'cancelled',
  /** The broker is shutting down or not reachable. */
  'unavailable',
  /**
   * Too many handshakes at once from programs that did not prove they know the mesh's secret:
   * try again after `data.retryAfterMs` milliseconds.
   */
  'rateLimited',
  /**
   * The disk holding the mesh home is full, so the broker cannot save changes; it keeps serving
   * reads and accepts changes again by itself once space is freed. `data.applied` is false when
   * nothing was changed (retry later), true when the change was already made in memory: it is
   * visible to others and is saved by itself once space returns (lost only if the broker stops
   * before that). `data.dir` is the folder that needs space.
   */
  'diskFull',
  /**
   * The broker's files on disk are damaged and it refused to start rather than drop
   * acknowledged writes; the message names the kept copy and the fix (`peermesh doctor` too).
   */
  'storeCorrupt',
  /** Something that should not happen; logged by the broker. */
  'internal',
] as const;

export type ErrorReason = (typeof errorReasons)[number];

/** JSON-RPC error code used for every PeerMesh error; the reason is in `data.reason`. */
export const meshErrorCode = -32000;

export class BrokerError extends Error {
  override readonly name = 'BrokerError';
  constructor(
    readonly reason: ErrorReason,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
  }

  static is(e: unknown, reason?: ErrorReason): e is BrokerError {
    return e instanceof BrokerError && (reason === undefined || e.reason === reason);
  }

  /** The JSON-RPC `error.data` payload. */
  toData(): { reason: ErrorReason } & Record<string, unknown> {
    return { ...this.data, reason: this.reason };
  }

  /** Rebuilds a BrokerError from a JSON-RPC error (code, message, data). */
  static fromWire(message: string, data: unknown): BrokerError {
    const d = (data ?? {}) as Record<string, unknown>;
    const reason = errorReasons.includes(d.reason as ErrorReason) ? (d.reason as ErrorReason) : 'internal';
    const { reason: _ignored, ...rest } = d;
    return new BrokerError(reason, message, rest);
  }
}
