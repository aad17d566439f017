/**
 * Size limits for everything that crosses the wire. One place, so the broker, the
 * MCP tools and the CLI reject the same inputs with the same words.
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
  /** Longest a request may wait (lock wait, event long-poll), in milliseconds. */
  waitMs: 10 * 60 * 1000,
} as const;
