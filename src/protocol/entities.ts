/**
 * The records the broker stores and sends: peers, messages, state entries, locks, events.
 * These schemas are the single source of truth for their shapes; `src/core` uses the types.
 */
import { z } from 'zod';
import { limits } from './limits';

export const peerKinds = [
  'claude-code', 'cursor', 'copilot', 'codex', 'aider', 'windsurf', 'cline',
  'vscode-window', 'cli', 'unknown',
] as const;
/** What kind of program a peer is; detected from MCP `clientInfo` and the parent process. */
export const PeerKind = z.enum(peerKinds);
export type PeerKind = z.infer<typeof PeerKind>;

/** active: connected and recently seen; away: connected but idle or said so; gone: disconnected. */
export const PeerStatus = z.enum(['active', 'away', 'gone']);
export type PeerStatus = z.infer<typeof PeerStatus>;

/** Which peers a listing or broadcast reaches, seen from the caller. */
export const Scope = z.enum(['machine', 'workspace', 'repo']);
export type Scope = z.infer<typeof Scope>;

export const Peer = z.object({
  /** Stable id, kept across reconnects and broker fail-over (e.g. `p-3f9a2c`). */
  id: z.string(),
  /** Display name, unique among live peers (a suffix is added on clashes). */
  name: z.string(),
  kind: PeerKind,
  pid: z.number().int().nullable(),
  /** Working directory of the agent. */
  cwd: z.string().nullable(),
  /** Workspace folder (the editor's, or the cwd for terminal agents). */
  workspace: z.string().nullable(),
  /** Real git root of the workspace, computed by the broker; null outside a repo. */
  gitRoot: z.string().nullable(),
  gitBranch: z.string().nullable(),
  /** "What I'm working on", set by the peer. */
  summary: z.string(),
  status: PeerStatus,
  /** Epoch milliseconds. */
  connectedAt: z.number(),
  lastSeen: z.number(),
});
export type Peer = z.infer<typeof Peer>;

export const MessageKind = z.enum(['text', 'request', 'reply', 'status_check', 'dismiss', 'alert']);
export type MessageKind = z.infer<typeof MessageKind>;

/** queued: stored; delivered: the recipient's agent has seen it; read; acked: answered or done. */
export const MessageState = z.enum(['queued', 'delivered', 'read', 'acked']);
export type MessageState = z.infer<typeof MessageState>;

export const Message = z.object({
  id: z.number().int(),
  /** Sender peer id, stamped by the broker from the session (never from the caller). */
  from: z.string(),
  fromName: z.string(),
  /** Recipient peer id (a broadcast is stored as one message per recipient). */
  to: z.string(),
  kind: MessageKind,
  body: z.string(),
  /** Id of the first message of the thread; equals `id` for a new thread. */
  threadId: z.number().int(),
  replyTo: z.number().int().nullable(),
  /** True when sent to several peers at once. */
  broadcast: z.boolean(),
  state: MessageState,
  createdAt: z.number(),
  deliveredAt: z.number().nullable(),
  readAt: z.number().nullable(),
  ackedAt: z.number().nullable(),
});
export type Message = z.infer<typeof Message>;

export const StateEntry = z.object({
  namespace: z.string(),
  key: z.string(),
  value: z.unknown(),
  /** 1 on creation, +1 on every write. */
  version: z.number().int(),
  author: z.string(),
  updatedAt: z.number(),
  expiresAt: z.number().nullable(),
});
export type StateEntry = z.infer<typeof StateEntry>;

export const Lock = z.object({
  id: z.number().int(),
  /** Absolute, normalized path of the file. */
  path: z.string(),
  /** Root the path belongs to (git root, else workspace), and the path relative to it. */
  root: z.string().nullable(),
  relPath: z.string(),
  /** Inclusive 1-based line range; both null for a whole-file lock. */
  startLine: z.number().int().nullable(),
  endLine: z.number().int().nullable(),
  holder: z.string(),
  holderName: z.string(),
  reason: z.string(),
  createdAt: z.number(),
  expiresAt: z.number(),
});
export type Lock = z.infer<typeof Lock>;

export const eventTypes = [
  'peer_joined', 'peer_left', 'peer_status', 'summary_changed',
  'message_sent', 'state_changed', 'state_deleted',
  'lock_acquired', 'lock_released', 'lock_expired', 'lock_renewed',
] as const;
export const EventType = z.enum(eventTypes);
export type EventType = z.infer<typeof EventType>;

export const MeshEvent = z.object({
  /** Monotonic sequence number; read with `since`. */
  seq: z.number().int(),
  type: EventType,
  /** Peer that caused it, if any. */
  peer: z.string().nullable(),
  at: z.number(),
  /** Small type-specific payload (ids, paths, keys; never message bodies). */
  data: z.record(z.string(), z.unknown()),
});
export type MeshEvent = z.infer<typeof MeshEvent>;

/** Sent with a `lockConflict` error: who holds it, why, and for how long. */
export const LockConflictData = z.object({
  holder: z.string(),
  holderName: z.string(),
  reason: z.string(),
  expiresInMs: z.number(),
  lock: Lock,
});
export type LockConflictData = z.infer<typeof LockConflictData>;

// Input pieces shared by several requests.
export const PathInput = z.string().min(1).max(limits.path).describe('File path, absolute or relative to the peer\'s cwd');
export const LineInput = z.number().int().min(1).max(10_000_000);
export const TtlInput = z.number().int().min(1).max(limits.ttlSeconds);
export const WaitInput = z.number().int().min(0).max(limits.waitMs);
