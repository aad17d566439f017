/**
 * The core's public face: the services the broker dispatches into. `createMesh()` in
 * `mesh.ts` builds them over one `SqlStore` (sql.ts). Every method that reads or writes the
 * store is asynchronous and runs in one transaction (its checks with it); every mutating
 * method appends its event(s) in that same transaction. Failures reject with a {@link BrokerError} and a reason.
 */
import type {
  LineSpan, ListedStateEntry, Lock, WorktreeClaim, Message, MeshEvent, MeshEventOf, Peer, Scope, StateEntry, EventType, MessageKind, OwnStatus, SaveGuardChoice,
} from '../protocol/entities';
import type * as z from 'zod';
import type { Debate, DebateStatus, DebateSummary, Delta, DeltaDraft, SyncQueue, TurnInput } from '../protocol/coordination';
import type { LockTarget, Recipients, RequestParams } from '../protocol/methods';
import type { debateRequests } from '../protocol/requests/debate';
import type { deltaRequests } from '../protocol/requests/delta';
import type { EditRecord } from '../protocol/requests/edits';
import type { TextChange } from '../protocol/requests/locks';
import type { LockAnswer, LockRequest } from '../protocol/requests/release';
import type { StatusCounts } from '../protocol/requests/status';
import type {
  Contract, ContractKind, ContractStatus, Overlap, PlanInput, PlanSource, PlanView, Proposal, Task, TaskStatus,
} from '../protocol/plan';

/** Registration data after validation (defaults applied). */
export interface PeerIntroData {
  name: string;
  kind: Peer['kind'];
  /** The MCP client's own name, for a bridge (see `Peer.client`). */
  client?: string | null;
  pid: number | null;
  cwd: string | null;
  workspace: string | null;
  summary: string;
}

export interface PeersService {
  /** New peer with a fresh id; `sessionHash` is the sha256 of its session secret. Emits peer_joined. */
  register(intro: PeerIntroData, sessionHash: string): Promise<Peer>;
  /**
   * Same peer again after a reconnect. Throws `unauthorized` if the hash does not match.
   * Emits peer_joined, and peer_status (`connected: true`) if it was disconnected or gone.
   */
  resume(peerId: string, sessionHash: string): Promise<Peer>;
  /**
   * The connection dropped; the grace period starts (locks kept until it ends). Pending lock
   * waits of the peer are rejected (`unavailable`): their answer could not be delivered.
   * Emits peer_status (`disconnected`, `connected: false`).
   */
  disconnected(peerId: string): Promise<void>;
  /**
   * For a broker taking over an existing store (start-up, fail-over): no live peer is
   * connected to it yet, so each gets a fresh grace period, ended by `resume` or by `sweep`.
   * Returns how many peers were marked.
   */
  markAllDisconnected(): Promise<number>;
  /** Left on purpose: gone now, its locks released now. Emits peer_left. */
  leave(peerId: string): Promise<void>;
  /**
   * Records a request of the peer: `lastSeen` always, `lastActive` (it shows as working) when
   * the request was `active`, a call of its own (see `showsActivity` in protocol/methods.ts).
   * Cheap: not journaled every time.
   */
  touch(peerId: string, request: { active: boolean }): Promise<void>;
  get(peerId: string): Promise<Peer | undefined>;
  /** Throws `notFound` with a clear message. */
  require(peerId: string): Promise<Peer>;
  /** Finds a live peer by id or by name. */
  find(idOrName: string): Promise<Peer | undefined>;
  /** The one live peer whose agent process is the first of `pids` any peer names; none when several do. */
  forAgent(pids: readonly number[]): Promise<Peer | undefined>;
  /** Peers in the caller's scope: machine = all, workspace = same workspace, repo = same git root. */
  list(callerId: string, scope: Scope, includeGone: boolean): Promise<Peer[]>;
  /**
   * Changes the peer's own summary, status or name. `idle` holds until it says `working`;
   * `working` counts as a call of its own. Emits summary_changed / peer_status for what changed.
   */
  update(peerId: string, change: { summary?: string; status?: OwnStatus; name?: string }): Promise<Peer>;
}

export interface MessagesService {
  /** Stores one message per recipient, stamped with the sender; emits message_sent per message. */
  send(from: string, to: Recipients, kind: MessageKind, body: string, replyTo?: number): Promise<Message[]>;
  /**
   * The peer's messages (with `unreadOnly` false, older than message `before` when given);
   * queued ones returned here become delivered (`message_delivered`), unless `peek`.
   */
  inbox(peerId: string, unreadOnly: boolean, limit: number, peek?: boolean, before?: number): Promise<{ messages: Message[]; unread: number }>;
  /**
   * The peer's queued messages for its model, requests and alerts first, as many as fit
   * `budget` characters of bodies (the first always, cut if need be); they become delivered
   * (`message_delivered` each). `more`: still queued; `unread`: not yet read.
   */
  deliver(peerId: string, budget: number, max: number): Promise<{ messages: Array<Message & { truncated: boolean }>; more: number; unread: number }>;
  /** The newest `limit` messages the peer sent (older than `before`, when given), oldest first, with their recipients' states. */
  sent(peerId: string, limit: number, before?: number): Promise<Message[]>;
  /** Marks the peer's unread messages read; a queued one was seen too (`message_delivered`). */
  markRead(peerId: string, ids: number[]): Promise<number>;
  /**
   * Claims the threads of requests sent to `peerId` and marks them read, all or none: throws
   * `alreadyClaimed` naming the ids another peer claimed (and by whom), claiming nothing.
   */
  claim(peerId: string, ids: number[]): Promise<{ messages: Message[]; updated: number }>;
  ack(peerId: string, ids: number[]): Promise<number>;
  get(id: number): Promise<Message | undefined>;
  /**
   * The newest `limit` messages between any peers, oldest first: only those from or to `peer`
   * (an id, or a live peer's name) and older than message `before` when given. Only a person's
   * peer (`personKinds`) may read them, else `unauthorized`; `notFound` for an unknown `peer`.
   * Changes no state.
   */
  traffic(callerId: string, filter: { limit: number; peer?: string; before?: number }): Promise<Message[]>;
}

export interface StateService {
  get(namespace: string, key: string): Promise<StateEntry | undefined>;
  /** `ifVersion`: compare-and-set (0 = must not exist); throws `versionMismatch` with `{ currentVersion }`. */
  set(author: string, namespace: string, key: string, value: unknown, opts?: { ifVersion?: number; ttlSeconds?: number }): Promise<StateEntry>;
  delete(author: string, namespace: string, key: string, ifVersion?: number): Promise<boolean>;
  /**
   * Live entries whose key starts with `prefix`, in key order: after `page.after` when given,
   * values bigger than `page.valueBytes` as JSON left out (null, with their `bytes`).
   */
  list(namespace: string, prefix: string, limit: number, page?: { after?: string; valueBytes?: number }): Promise<ListedStateEntry[]>;
}

/** How to claim: see {@link LocksService.acquire}. */
export interface AcquireOptions {
  reason: string;
  ttlSeconds?: number;
  waitMs?: number;
  signal?: AbortSignal;
  /**
   * False: the holder's own live locks that overlap the target conflict like another's
   * (nothing is renewed), and its own earlier waiting requests are ahead. Default true.
   */
  reentrant?: boolean;
}

/** Asking a claim's holder to let go: see core/lock-requests.ts. */
export interface LockRequestsService {
  /**
   * Asks the holder of lock `lockId`, or of each lock in the way of `target`, to let go, with
   * `reason`; with `waitMs`, also waits (queued FIFO) for the target and returns it `granted`.
   */
  request(caller: string, which: { lockId?: number; target?: LockTarget }, opts: { reason: string; waitMs?: number; signal?: AbortSignal }): Promise<{ requests: LockRequest[]; granted?: Lock }>;
  /** The holder answers request `id`: release, deny (with a reason) or narrow to startLine–endLine. */
  answer(caller: string, id: number, how: { answer: LockAnswer; reason?: string; startLine?: number; endLine?: number }): Promise<{ request: LockRequest; lock?: Lock }>;
  /** Requests awaiting the caller's answer, and its own answered since it last looked (`seen` marks them). */
  news(caller: string, opts: { seen?: boolean }): Promise<{ toYou: LockRequest[]; answered: LockRequest[] }>;
}

export interface LocksService {
  /**
   * Claims `target` for `holder`. Re-acquiring the same target renews it (`renewed: true`),
   * unless `reentrant` is false. Without `waitMs` (or 0) a conflict throws `lockConflict` at
   * once, naming holder, reason and time left; with it, the request queues FIFO until it can
   * be granted or the wait ends (then `timeout`, still naming the holder) or `signal` aborts
   * (then `cancelled`).
   */
  acquire(holder: string, target: LockTarget, opts: AcquireOptions): Promise<{ lock: Lock; renewed: boolean; alsoClaimed?: WorktreeClaim[] }>;
  /** Releases the holder's lock(s) on exactly that target, or the lock with that id. */
  release(holder: string, which: { target?: LockTarget; lockId?: number }): Promise<Lock[]>;
  /**
   * Releases every lock of the holder, or those on the file or under the folder `path`, in one
   * transaction (a `lock_released` event each); none held is not an error.
   */
  releaseAll(holder: string, filter?: { path?: string }): Promise<Lock[]>;
  /**
   * The person (a peer of kind `vscode-window` or `cli`; anyone else: `unauthorized`) releases
   * lock `lockId` whoever holds it (`notFound` if no live lock has that id). Emits
   * `lock_released` (reason `forced`, the caller as its peer, its name in `by`), and sends the
   * holder, if connected, an `alert` from the caller; `alerted` says whether it did.
   */
  forceRelease(caller: string, lockId: number, reason?: string): Promise<{ released: Lock; alerted: boolean }>;
  /**
   * Records the person's choice after the editor warned before saving `path` over the claims
   * `lockIds`: emits `save_guarded` with the ones still held and their holders' names.
   */
  saveGuarded(caller: string, guard: { path: string; lockIds: number[]; choice: SaveGuardChoice }): Promise<void>;
  /**
   * Extends the holder's lock `lockId`, or its locks on `target` (a range: exactly it; a file:
   * all in it; a folder: all under it), or with neither every lock it holds, by `ttlSeconds`
   * from now, in one transaction (a `lock_renewed` event each). Throws `notFound` (`notHolder`
   * when another peer holds it) if that matches no lock of the holder.
   */
  renew(holder: string, which: { lockId?: number; target?: LockTarget }, ttlSeconds?: number): Promise<Lock[]>;
  /** Locks of other peers that conflict with `target`. */
  check(caller: string, target: LockTarget): Promise<Lock[]>;
  /** Other peers' waiting requests an acquire of `target` now would queue behind: how many, and the first one's holder. */
  queuedFor(caller: string, target: LockTarget): Promise<{ ahead: number; first: string } | undefined>;
  /** Claims overlapping `target` on the same file in other worktrees of its repository: warnings, not conflicts. */
  alsoClaimed(caller: string, target: LockTarget): Promise<WorktreeClaim[]>;
  /**
   * The text of `file` changed in the caller's editor before it was saved (the whole text, or
   * changes to the text whose hash is `baseHash`): its ranged claims follow their code.
   * `needText` when the changes cannot be applied; `tracked: false` for a file no ranged
   * claim covers.
   */
  fileChanged(caller: string, file: string, change: { hash: string; text?: string; baseHash?: string; changes?: readonly TextChange[] }): Promise<{ tracked: boolean; needText?: boolean; moved: Lock[] }>;
  /**
   * Claims of others overlapping `ranges` of `file` (empty: the whole file), for an agent about
   * to edit them; `caller` null for a hook that matched no peer (every claim is another's).
   * With `claim` and no conflict, the caller takes a claim on each range too (its own exact
   * range is renewed), in the same transaction. `asPerson`: the edit is the person's, so claims
   * of the person's peers (`personKinds`) are its own too.
   */
  guardEdit(caller: string | null, file: string, ranges: readonly LineSpan[], claim?: { ttlSeconds: number; reason: string }, asPerson?: boolean): Promise<{ conflicts: Lock[]; claimed: Lock[] }>;
  list(filter: { path?: string; holder?: string; callerCwd?: string | null }): Promise<Lock[]>;
}

export interface EditsService {
  /** The peer's agent changed `ranges` of `file` (empty: the whole file) with `tool`: emits `file_edited`. */
  record(peerId: string, file: string, ranges: readonly LineSpan[], tool: string): Promise<void>;
  /** Recorded edits of `file`, newest first; with `line`, those whose ranges hold it (whole-file edits always do). */
  list(callerId: string, file: string, line: number | undefined, limit: number): Promise<EditRecord[]>;
}

export interface EventsService {
  /** Events after `since`, of the given `types` only (all when none are given), typed by them. */
  read<T extends EventType = EventType>(since: number, types: readonly T[] | undefined, limit: number): Promise<{ events: Array<MeshEventOf<T>>; cursor: number }>;
  /**
   * Like read, but if nothing is newer than `since`, waits up to `waitMs` for it; `signal`
   * aborting ends the wait at once with `cancelled`.
   */
  wait<T extends EventType = EventType>(since: number, types: readonly T[] | undefined, limit: number, waitMs: number, signal?: AbortSignal): Promise<{ events: Array<MeshEventOf<T>>; cursor: number }>;
  lastSeq(): Promise<number>;
  /**
   * The audit trail (`events/audit`): events after seq `after` at or after `since` (epoch ms), of
   * `types` (all when none are given), oldest first, each with its peer's display name.
   */
  audit(filter: { since: number; after: number; types?: readonly EventType[]; limit: number }): Promise<{ entries: Array<{ event: MeshEvent; peerName: string | null }>; cursor: number }>;
}

/** A plan request's project: a folder inside it, or the caller's own workspace when absent. */
export type ProjectRef = string | undefined;

/**
 * The shared plan of each project (see protocol/plan.ts and requests/plan.ts, whose JSDoc states
 * each rule). A project is the git root (else the folder) of the given folder, or of the
 * caller's own workspace.
 */
export interface PlansService {
  get(caller: string, project: ProjectRef): Promise<{ plan: PlanView | null; proposals: Array<Omit<Proposal, 'plan'>> }>;
  /** Stores the plan when the project has none, else records a proposal with its changes. */
  submit(caller: string, project: ProjectRef, plan: PlanInput, source: PlanSource): Promise<{ plan: PlanView | null; proposal: Proposal | null }>;
  proposal(caller: string, id: number): Promise<Proposal>;
  accept(caller: string, id: number): Promise<PlanView>;
  reject(caller: string, id: number, reason: string): Promise<Omit<Proposal, 'plan'>>;
  tasks(caller: string, project: ProjectRef, filter: { status?: TaskStatus[]; assignee?: string }): Promise<Task[]>;
  /** Atomic: one winner among racing claimers; `notReady` unless dependencies are done or `force` says why. */
  claim(caller: string, project: ProjectRef, task: string, force?: string): Promise<{ task: Task; warnings: Overlap[] }>;
  update(caller: string, project: ProjectRef, task: string, change: { status?: TaskStatus; assignee?: string | null; note?: string; force?: string }): Promise<{ task: Task; warnings: Overlap[] }>;
  contract(caller: string, project: ProjectRef, change: { id: string; kind?: ContractKind; name?: string; file?: string | null; symbol?: string | null; spec?: string; status?: ContractStatus }): Promise<Contract>;
  /** The tasks the caller holds, and those newly assigned to it by others (`seen` marks them shown). */
  mine(caller: string, seen: boolean): Promise<{ held: Array<Task & { project: string }>; assigned: Array<Task & { project: string }> }>;
}

/** A delta as an agent pushes it: the `delta/push` request but its project (defaults apply). */
export type DeltaPush = Omit<RequestParams<'delta/push'>, 'project'>;

/**
 * Context deltas of each project (see protocol/coordination.ts and requests/delta.ts, whose
 * JSDoc states each rule; deltas.ts says how they are routed).
 */
export interface DeltasService {
  /** Routes and stores the delta (a contract_change bumps its contracts first); `decision` is the broker's own. */
  push(caller: string, project: ProjectRef, delta: DeltaPush): Promise<Delta>;
  list(caller: string, project: ProjectRef, filter: { since?: number; blocking?: boolean; mine?: boolean; limit?: number }): Promise<{ deltas: Delta[]; more: boolean; drafts: DeltaDraft[] }>;
  get(caller: string, id: number): Promise<Delta>;
  /** Acks the deltas; returns those newly acked (acked before, or the caller's own: skipped). `notFound` naming unknown ids. */
  ack(caller: string, ids: readonly number[]): Promise<number[]>;
  /** Unacked blocking deltas routed to the caller, others not shown yet, and its drafts new since shown (`seen` marks them shown). */
  mine(caller: string, seen: boolean): Promise<{ blocking: Delta[]; fresh: Delta[]; drafts: DeltaDraft[] }>;
  /** Pushes the caller's open draft as its contract_change; the draft is confirmed. */
  confirm(caller: string, draft: DraftConfirm): Promise<Delta>;
  /** Dismisses the caller's open drafts; returns those dismissed now. `notFound` naming ids not its own. */
  dismiss(caller: string, ids: readonly number[]): Promise<number[]>;
}

/** What confirming a draft takes (see `delta/confirm`). */
export type DraftConfirm = z.input<typeof deltaRequests['delta/confirm']['params']>;

/** What starting a debate takes (see `debate/start`), the project aside. */
export type DebateStart = Omit<z.input<typeof debateRequests['debate/start']['params']>, 'project'>;

/**
 * Structured debates of each project (see protocol/coordination.ts and requests/debate.ts,
 * whose JSDoc states each rule).
 */
export interface DebatesService {
  /** Starts a debate with the caller as its first participant, and takes the caller's first turn. */
  start(caller: string, project: ProjectRef, input: DebateStart): Promise<Debate>;
  respond(caller: string, id: number, turn: z.input<typeof TurnInput>): Promise<Debate>;
  get(caller: string, id: number): Promise<Debate>;
  list(caller: string, project: ProjectRef, filter: { status?: DebateStatus[]; limit?: number }): Promise<DebateSummary[]>;
  /** The person's ruling: a proposal picked, or text of their own. */
  decide(caller: string, id: number, ruling: { pick?: number; text?: string }): Promise<Debate>;
  /** Debates awaiting the caller's turn, and those that moved since it was last shown them (`seen` marks them shown). */
  mine(caller: string, seen: boolean): Promise<{ yourTurn: DebateSummary[]; changed: DebateSummary[] }>;
}

/** The landing queue: one FIFO token per branch of a repository (see protocol/requests/sync.ts, whose JSDoc states each rule). */
export interface SyncService {
  /**
   * The branch's token for `caller`: granted, renewed, or a place in line (kept when asked
   * again). With `waitMs`, waits for its turn (at least until the holder ahead could be
   * declared stale); a wait that ends without it answers `acquired: false`, the place kept.
   * `signal` aborting ends the wait with `cancelled`.
   */
  acquire(caller: string, project: ProjectRef, branch: string, opts?: { ttlSeconds?: number; waitMs?: number; signal?: AbortSignal }): Promise<{ queue: SyncQueue; acquired: boolean; position: number }>;
  /** Gives the token back, passing it on, or leaves the line; `notHolder` when neither. */
  release(caller: string, project: ProjectRef, branch: string): Promise<SyncQueue>;
  /** The project's queues that have a holder or waiters (only `branch`'s when given). */
  status(caller: string, project: ProjectRef, branch?: string): Promise<SyncQueue[]>;
  /** The queues where the caller holds or waits, over every repository. */
  mine(caller: string): Promise<SyncQueue[]>;
}

/** The core's share of the status counts (declared in `protocol/requests/status.ts`); sessions are the broker's. */
export type MeshCounts = Omit<StatusCounts, 'sessions'>;

export interface Mesh {
  readonly peers: PeersService;
  readonly messages: MessagesService;
  readonly state: StateService;
  readonly locks: LocksService;
  readonly events: EventsService;
  readonly edits: EditsService;
  readonly plans: PlansService;
  readonly deltas: DeltasService;
  readonly debates: DebatesService;
  readonly sync: SyncService;
  readonly lockRequests: LockRequestsService;
  counts(): Promise<MeshCounts>;
  /** Expires locks and state, ends grace periods of vanished peers, prunes by retention. */
  sweep(): Promise<void>;
  /** Called with every appended event once its transaction has committed (never for rolled-back ones). */
  onEvent(listener: (event: MeshEvent) => void): () => void;
  /** Called with each stored message (one per recipient). */
  onMessage(listener: (message: Message) => void): () => void;
  /** Stops timers and rejects pending waits with `unavailable`. */
  dispose(): void;
}
