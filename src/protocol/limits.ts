/**
 * Size limits for everything that crosses the wire, and how long and how many connections the
 * broker lets wait before they prove themselves. One place, so the broker, the MCP tools and
 * the CLI reject the same inputs with the same words.
 */
export const limits = {
  /** Largest WebSocket frame the broker accepts, in bytes. */
  frameBytes: 1024 * 1024,
  /**
   * Longest line `peermesh mcp` reads from its agent, in bytes: one JSON-RPC message. Four
   * times the frame limit, so a request the broker would take fits even with every character
   * escaped; a longer line is answered with an error and skipped up to its newline.
   */
  mcpLineBytes: 4 * 1024 * 1024,
  /** Longest file path, in characters. */
  path: 4096,
  /** Most components (folders and the file) of a file path, once resolved against the peer's cwd. */
  pathDepth: 256,
  /** Peer display names, kinds, client names. */
  name: 200,
  /** "What I'm working on". */
  summary: 1000,
  /** Lock reasons, dismiss notes and other one-liners. */
  reason: 500,
  /** A symbol's dotted name (`AuthService.refresh`), in characters. */
  symbol: 500,
  /** Message bodies, in characters. */
  messageBody: 64 * 1024,
  /** State namespaces and keys. */
  key: 256,
  /** A state value, serialized as JSON, in characters. */
  stateValue: 256 * 1024,
  /** Items in any list parameter (recipients, ids, types). */
  list: 200,
  /** Largest page of any listing. */
  page: 1000,
  /** Longest TTL anyone may ask for: one day, in seconds. */
  ttlSeconds: 24 * 60 * 60,
  /** Edits in one report of an editor's unsaved changes (`locks/fileChanged`); more go as the whole text. */
  textChanges: 10_000,
  /** Longest a request may wait (lock wait, event long-poll), in milliseconds. */
  waitMs: 10 * 60 * 1000,
} as const;

/**
 * Connections that have not yet shown they know the mesh's secret ("waiting": accepted, upgraded
 * or not, with no proven `mesh/hello`, register, resume or attach). A PeerMesh program gets past
 * this within milliseconds of connecting, so these bounds only ever meet programs that do not.
 */
export const admissionLimits = {
  /**
   * Waiting connections held at once. One more closes the one that has waited longest (an
   * upgraded one with close code 1013, "try again later"; one not yet upgraded with a marked
   * 503): a newcomer proves itself long before it would be the oldest, so a flood cannot hold
   * it out, and the broker's file descriptors stay far below a 512 limit whatever comes.
   */
  waiting: 128,
  /** A TCP connection that has not sent a whole WebSocket upgrade request by then is closed, in ms. */
  upgradeWithinMs: 3000,
  /**
   * An upgraded connection that has not proved the secret by then (a hello with the proof, a
   * register, resume or attach) is closed (4001), in ms.
   */
  joinWithinMs: 5000,
  /**
   * `mesh/hello`s without the peer's proof (programs that do not know the secret) answered at
   * once; past it they are refused `rateLimited` with `retryAfterMs`. A hello with a valid
   * proof (every PeerMesh peer and hook) is never refused.
   */
  helloBurst: 20,
  /** Such hellos answered per second once the burst is spent. */
  helloPerSecond: 10,
  /**
   * Requests a connection may send before it has proved the secret; one more, or any method
   * but `mesh/hello`, `mesh/register`, `mesh/resume` and `mesh/attach`, closes it (1008). A
   * PeerMesh program needs two (a hello, then a register, resume or attach).
   */
  preAuthRequests: 4,
  /** Largest frame such a connection may send, in bytes; a larger one closes it (1009) unanswered. */
  preAuthFrameBytes: 8 * 1024,
  /**
   * Bytes such a connection may send in all, counted as they arrive (so a huge frame is cut
   * off before the broker holds it whole), and bytes of answers it may leave unread.
   */
  preAuthBytes: 64 * 1024,
  /**
   * How long an evicted connection is kept after its marked 503 or close frame is written, in
   * ms, so that it is read rather than lost to a reset.
   */
  lingerMs: 100,
} as const;
