/**
 * The records the broker stores and sends: peers, messages, state entries, locks, events.
 * These schemas are the single source of truth for their shapes; `src/core` uses the types.
 */
import * as z from 'zod';
import { limits } from './limits';
import {
  DebateChangedData, DebateStartedData, DebateTurnData, DeltaAckedData, DeltaPushedData, SyncAcquiredData, SyncQueuedData, SyncReleasedData,
  SyncStalledData,
  DeltaDraftedData,
} from './coordination';
import {
  ContractChangedData, PlanChangedData, PlanProposedData, PlanRejectedData, TaskClaimedData, TaskReleasedData, TaskUpdatedData,
} from './plan';

export const peerKinds = [
  'claude-code', 'cursor', 'copilot', 'codex', 'gemini', 'opencode', 'aider', 'windsurf', 'cline',
  'vscode-window', 'cli', 'unknown',
] as const;
/** What kind of program a peer is; detected from MCP `clientInfo` and the parent process. */
export const PeerKind = z.enum(peerKinds);
export type PeerKind = z.infer<typeof PeerKind>;

/** The kinds of peer that are the person (an editor window, the terminal), not an agent. */
export const personKinds: readonly PeerKind[] = ['vscode-window', 'cli'];

/**
 * Where a peer is, as the broker sees it:
 * - `working`: connected, and it made a call of its own (an agent's tool or hook call, a
 *   person's command) within the working window (60 s by default). Background requests (see
 *   `RequestMeta` in methods.ts), session plumbing and long-poll waits do not count.
 * - `idle`: connected, but no such call in the window, or it said so with `peers/update`.
 * - `disconnected`: its connection dropped and it keeps its claims: inside its grace period,
 *   or, for the person's terminal (kind `cli`), whenever no `peermesh` command is running.
 * - `gone`: it left, or its grace period ran out; its claims went with it.
 */
export const PeerStatus = z.enum(['working', 'idle', 'disconnected', 'gone']);
export type PeerStatus = z.infer<typeof PeerStatus>;

/** What a peer may say about itself (`peers/update`): it is idle, or working again. */
export const OwnStatus = PeerStatus.extract(['working', 'idle']);
export type OwnStatus = z.infer<typeof OwnStatus>;

/** Which peers a listing or broadcast reaches, seen from the caller. */
export const Scope = z.enum(['machine', 'workspace', 'repo']);
export type Scope = z.infer<typeof Scope>;

export const Peer = z.object({
  /** Stable id, kept across reconnects and broker fail-over (e.g. `p-3f9a2c`). */
  id: z.string(),
  /** Display name, unique among live peers (a suffix is added on clashes). */
  name: z.string(),
  kind: PeerKind,
  /**
   * The MCP client's own name (`clientInfo.name`, e.g. `mcp-inspector`), shown beside the kind
   * where the kind says little (`unknown`); null for peers that are not an MCP bridge. Printable
   * and short. Absent from older brokers, hence the default.
   */
  client: z.string().nullable().default(null),
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
  /** Its last request of any kind, background ones included (epoch ms). */
  lastSeen: z.number(),
  /** Its last call of its own, the kind that makes it `working` (epoch ms); null if none yet. */
  lastActive: z.number().nullable(),
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

/** An entry as a listing gives it: a value over the listing's `valueBytes` is left out. */
export const ListedStateEntry = StateEntry.extend({
  /** Set when the value was left out (it is then null): its size as JSON, in bytes. */
  bytes: z.number().int().optional(),
});
export type ListedStateEntry = z.infer<typeof ListedStateEntry>;

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
  /** How many requests of other peers are queued for (part of) it; given by `locks/list`. */
  waiting: z.number().int().optional(),
  /**
   * The repository the file belongs to (its common git directory, shared by every worktree of
   * it), when it is in one: claims on the same `relPath` in two worktrees of one repository
   * warn rather than conflict.
   */
  repo: z.string().nullable().optional(),
  /**
   * True when the code a ranged claim covered is gone from the file: the claim keeps its last
   * range (never widened, never dropped) until its holder re-takes or releases it.
   */
  anchorLost: z.boolean().optional(),
  /** The symbol a symbol claim was taken on (`AuthService.refresh`): its lines follow the symbol. */
  symbol: z.string().optional(),
  /**
   * True when a symbol claim's symbol, re-resolved after an edit, reaches into another peer's
   * claim: the claim keeps the lines the edit moved it to (never widened into the other claim)
   * until its holder re-takes it.
   */
  symbolBlocked: z.boolean().optional(),
});
export type Lock = z.infer<typeof Lock>;

/**
 * Another worktree's claim on the same file of the same repository: a warning, not a conflict,
 * since edits in two worktrees meet only at merge.
 */
export const WorktreeClaim = z.object({
  lock: Lock,
  /** The other worktree's root folder, and its checked-out branch (null when unknown). */
  worktree: z.string(),
  branch: z.string().nullable(),
});
export type WorktreeClaim = z.infer<typeof WorktreeClaim>;

export const eventTypes = [
  'peer_joined', 'peer_left', 'peer_status', 'summary_changed',
  'message_sent', 'state_changed', 'state_deleted',
  'lock_acquired', 'lock_released', 'lock_expired', 'lock_renewed', 'lock_moved', 'save_guarded',
  'message_delivered', 'file_edited',
  'plan_proposed', 'plan_changed', 'plan_rejected', 'task_claimed', 'task_updated', 'task_released', 'contract_changed',
  'delta_pushed', 'delta_acked', 'debate_started', 'debate_turn', 'debate_changed',
  'sync_queued', 'sync_acquired', 'sync_released', 'sync_stalled',
  'delta_drafted',
  'lock_release_requested', 'lock_request_answered', 'lock_request_escalated',
] as const;
export const EventType = z.enum(eventTypes);
export type EventType = z.infer<typeof EventType>;

// Event payloads: small (ids, paths, keys; never message bodies), one schema per event type.

/** `peer_joined`: a peer registered, or resumed its session after a reconnect or fail-over. */
export const PeerJoinedData = z.object({
  /** The peer's display name now (a resumed peer may get a new one if its old one was taken). */
  name: z.string(),
  kind: PeerKind,
  /** True when an existing peer resumed its session rather than registered anew. */
  resumed: z.boolean(),
});

/** `peer_left`: a peer left the mesh, or its grace period ran out; its claims went with it. */
export const PeerLeftData = z.object({
  /** The name it had. */
  name: z.string(),
  /** left: it said goodbye; timeout: it stayed disconnected past the grace period. */
  reason: z.enum(['left', 'timeout']),
});

/**
 * `peer_status`: a change the broker sees as it happens: the peer's connection dropped or came
 * back, it said it is idle or working, or it was renamed. Going from working to idle as the
 * working window runs out is not announced: `peers/list` computes it when asked, and
 * `lastActive` says how long it has been.
 */
export const PeerStatusData = z.object({
  /** Its status now. */
  status: PeerStatus,
  /**
   * False when the peer's connection dropped (it keeps its claims: `disconnected`), true when
   * it came back (a resume); absent when its connection did not change.
   */
  connected: z.boolean().optional(),
  /** On a rename: the new display name, and the one it had before. */
  name: z.string().optional(),
  previousName: z.string().optional(),
});

/** `summary_changed`: a peer said what it is working on now. */
export const SummaryChangedData = z.object({
  /** The new summary. */
  summary: z.string(),
});

/** `message_sent`: one per recipient (a broadcast makes several). The body is not included. */
export const MessageSentData = z.object({
  /** Message id. */
  id: z.number().int(),
  /** Recipient peer id. */
  to: z.string(),
  kind: MessageKind,
  /** Id of the first message of the thread. */
  threadId: z.number().int(),
  /** True when this is one of the copies of a broadcast. */
  broadcast: z.boolean(),
});

/** `state_changed`: an entry was written. The value is not included: read it with `state/get`. */
export const StateChangedData = z.object({
  namespace: z.string(),
  key: z.string(),
  /** The entry's version after the write. */
  version: z.number().int(),
});

/** `state_deleted`: an entry was deleted, or its TTL ran out (then the event has no peer). */
export const StateDeletedData = z.object({
  namespace: z.string(),
  key: z.string(),
  /** The version the entry had when it went. */
  version: z.number().int(),
  /** True when its TTL ran out rather than someone deleting it. */
  expired: z.boolean().optional(),
});

/** `lock_acquired`, `lock_renewed`, `lock_expired`: the lock as it is (or was) held. */
export const LockEventData = Lock.pick({
  id: true, path: true, root: true, relPath: true, startLine: true, endLine: true,
  holder: true, holderName: true, expiresAt: true, symbol: true,
});

/**
 * `lock_moved`: a ranged claim followed the code it covers through an edit (on disk or in an
 * editor). `from` is the range it had; the lock's own fields are the range it has now. With
 * `anchorLost` the covered code is gone: the range is the last one it had, and its holder is told.
 */
export const LockMovedData = LockEventData.extend({
  from: z.object({ startLine: z.number().int(), endLine: z.number().int() }),
  anchorLost: z.boolean(),
  /** A symbol claim that would now reach into another peer's claim (see `Lock.symbolBlocked`). */
  symbolBlocked: z.boolean().optional(),
});

/**
 * Why a lock was released: by its holder, because the holder left or its grace ran out, or
 * because the person took it from its holder (`locks/forceRelease`).
 */
export const LockReleaseReason = z.enum(['released', 'holder left', 'holder gone', 'forced']);
export type LockReleaseReason = z.infer<typeof LockReleaseReason>;

/**
 * `lock_released`: the lock as it was held, and why it was released. A forced release names
 * the peer that forced it in the event's `peer`, and its name in `by`.
 */
export const LockReleasedData = LockEventData.extend({
  reason: LockReleaseReason,
  /** On a forced release: the display name of the peer (the person's window or terminal) that forced it. */
  by: z.string().optional(),
});

/**
 * What the person chose when the editor warned before saving over other peers' claims:
 * `requested` asked the holder to release (`messaged`, a message to the holder, is what editors
 * before release requests recorded).
 */
export const SaveGuardChoice = z.enum(['saved', 'requested', 'messaged', 'cancelled']);
export type SaveGuardChoice = z.infer<typeof SaveGuardChoice>;

/**
 * `save_guarded`: the editor warned the person before saving a file other peers hold claims
 * on, and the person chose: saved anyway, asked the holder to release, or cancelled the save.
 */
export const SaveGuardedData = z.object({
  /** Absolute, normalized path of the file. */
  path: z.string(),
  /** The path relative to its root (git root, else workspace). */
  relPath: z.string(),
  /** The claims the warning named that were still held when it was recorded. */
  lockIds: z.array(z.number().int()),
  /** The display names of their holders, each once. */
  holders: z.array(z.string()),
  choice: SaveGuardChoice,
});

/**
 * `message_delivered`: a message was put in front of its recipient's model (in a tool result,
 * a hook's context, or its inbox listing), so its sender knows it was seen. The event's `peer`
 * is the recipient.
 */
export const MessageDeliveredData = z.object({
  /** Message id. */
  id: z.number().int(),
  /** Sender peer id. */
  from: z.string(),
});

/** An inclusive, 1-based range of lines. */
export const LineSpan = z.object({ startLine: z.number().int().min(1), endLine: z.number().int().min(1) });
export type LineSpan = z.infer<typeof LineSpan>;

/**
 * `file_edited`: a peer's agent changed lines of a file (reported by its hook after the edit),
 * for "who changed this" and for routing news to recent editors. Paths and line numbers only,
 * never contents.
 */
export const FileEditedData = z.object({
  /** Absolute, normalized path of the file. */
  path: z.string(),
  /** Root the path belongs to (git root, else workspace), and the path relative to it. */
  root: z.string().nullable(),
  relPath: z.string(),
  /** The lines that now hold the changed text; empty when the whole file changed (or was deleted). */
  ranges: z.array(LineSpan),
  /** The agent's tool that made the change (`Edit`, `apply_patch`, …). */
  tool: z.string(),
});

/**
 * How a release request stands: waiting for the holder (`open`), waiting past the time it had
 * and put to the person (`escalated`), or ended: the claim was released (by an answer or
 * otherwise), `denied`, `narrowed` to a smaller range, or `ended` because the claim went
 * another way (it expired, its holder left, the person took it) or the requester left.
 */
export const LockRequestStatus = z.enum(['open', 'escalated', 'released', 'denied', 'narrowed', 'ended']);
export type LockRequestStatus = z.infer<typeof LockRequestStatus>;

/**
 * `lock_release_requested`, `lock_request_answered`, `lock_request_escalated`: a peer asked the
 * holder of claim `lockId` to let go of (part of) it, the request was answered or ended
 * (`status`), or it waited past its time and is put to the person. The reasons are not
 * included: `release/mine` has them.
 */
export const LockRequestData = z.object({
  /** The request's id. */
  id: z.number().int(),
  lockId: z.number().int(),
  path: z.string(),
  relPath: z.string(),
  /** The lines asked for; null: the whole file. */
  startLine: z.number().int().nullable(),
  endLine: z.number().int().nullable(),
  holder: z.string(),
  holderName: z.string(),
  requester: z.string(),
  requesterName: z.string(),
  status: LockRequestStatus,
  /** When narrowed: the lines the holder kept. */
  kept: z.object({ startLine: z.number().int(), endLine: z.number().int() }).optional(),
});

const eventFields = {
  /** Monotonic sequence number; read with `since`. */
  seq: z.number().int(),
  /** Peer that caused it, if any. */
  peer: z.string().nullable(),
  /** Epoch milliseconds. */
  at: z.number(),
};

/** One entry of the event log: its type, and that type's payload in `data`. */
function eventOf<T extends EventType, D extends z.ZodType>(type: T, data: D) {
  return z.object({ ...eventFields, type: z.literal(type), data });
}

/**
 * An entry of the event log, discriminated by `type`: `event.type === 'lock_acquired'` makes
 * `event.data` a {@link LockEventData}. On the wire it is a plain object
 * `{ seq, type, peer, at, data }`.
 */
export const MeshEvent = z.discriminatedUnion('type', [
  eventOf('peer_joined', PeerJoinedData),
  eventOf('peer_left', PeerLeftData),
  eventOf('peer_status', PeerStatusData),
  eventOf('summary_changed', SummaryChangedData),
  eventOf('message_sent', MessageSentData),
  eventOf('state_changed', StateChangedData),
  eventOf('state_deleted', StateDeletedData),
  eventOf('lock_acquired', LockEventData),
  eventOf('lock_released', LockReleasedData),
  eventOf('lock_expired', LockEventData),
  eventOf('lock_renewed', LockEventData),
  eventOf('lock_moved', LockMovedData),
  eventOf('save_guarded', SaveGuardedData),
  eventOf('message_delivered', MessageDeliveredData),
  eventOf('file_edited', FileEditedData),
  eventOf('plan_proposed', PlanProposedData),
  eventOf('plan_changed', PlanChangedData),
  eventOf('plan_rejected', PlanRejectedData),
  eventOf('task_claimed', TaskClaimedData),
  eventOf('task_updated', TaskUpdatedData),
  eventOf('task_released', TaskReleasedData),
  eventOf('contract_changed', ContractChangedData),
  eventOf('delta_pushed', DeltaPushedData),
  eventOf('delta_acked', DeltaAckedData),
  eventOf('debate_started', DebateStartedData),
  eventOf('debate_turn', DebateTurnData),
  eventOf('debate_changed', DebateChangedData),
  eventOf('sync_queued', SyncQueuedData),
  eventOf('sync_acquired', SyncAcquiredData),
  eventOf('sync_released', SyncReleasedData),
  eventOf('sync_stalled', SyncStalledData),
  eventOf('delta_drafted', DeltaDraftedData),
  eventOf('lock_release_requested', LockRequestData),
  eventOf('lock_request_answered', LockRequestData),
  eventOf('lock_request_escalated', LockRequestData),
]);
export type MeshEvent = z.infer<typeof MeshEvent>;
/** The event of type `T`, e.g. `MeshEventOf<'message_sent'>`. */
export type MeshEventOf<T extends EventType> = Extract<MeshEvent, { type: T }>;
/** The payload of an event of type `T`. */
export type EventData<T extends EventType> = MeshEventOf<T>['data'];

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
export const PathInput = z.string().min(1, 'the path is empty: name a file').max(limits.path).describe('File path, absolute or relative to the peer\'s cwd');
export const LineInput = z.number().int().min(1).max(10_000_000);
export const TtlInput = z.number().int().min(1).max(limits.ttlSeconds);
export const WaitInput = z.number().int().min(0).max(limits.waitMs);
