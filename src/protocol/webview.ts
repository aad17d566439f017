/**
 * The messages between the extension host and the dashboard webview, imported by both sides
 * (`src/vscode/dashboard/` and `webview-ui/src/`). Webview → host messages are imperative
 * (`ready`, `moveTask`); host → webview messages say what changed (`didChangeSnapshot`,
 * `didChangePlan`, `didChangeTasks`, `didMoveTask`). The protocol is a handshake, a full
 * snapshot, then changes: the webview says `ready` whenever its page (re)loads, and the host
 * answers with the whole state, so a re-opened view never starts from stale data; later changes
 * come one part at a time, and a plan whose tasks alone changed as those tasks.
 *
 * This file is compiled into the browser bundle too: type-only imports from the rest of
 * `src/protocol`, no runtime dependencies. The host checks every message the webview posts
 * (src/vscode/dashboard/messages.ts).
 */
import type { EventType, PeerKind, PeerStatus } from './entities';
import type { DebateStatus, DeltaKind, DeltaSeverity, EscalationReason } from './coordination';
import type { ContractKind, ContractStatus, TaskStatus } from './plan';

/** One peer as the dashboard shows it (a display subset of the wire `Peer`). */
export interface DashboardPeer {
  /** Stable peer id, e.g. `p-3f9a2c`. */
  id: string;
  /** Display name, unique among live peers. */
  name: string;
  kind: PeerKind;
  /** The MCP client's own name, when the kind is `unknown` (e.g. `mcp-inspector`). */
  client?: string;
  status: PeerStatus;
  /** "What I'm working on", as set by the peer; may be empty. */
  summary: string;
}

/** One task of the plan as the board and the roadmap show it. */
export interface DashboardTask {
  id: string;
  /** Its phase's id. */
  phase: string;
  title: string;
  status: TaskStatus;
  /** Who works on it (or did it): name and kind; null when nobody. */
  assignee: { id: string; name: string; kind: PeerKind | null } | null;
  files: string[];
  /** The tasks it waits for, and which of them are not done yet. */
  dependsOn: string[];
  waitingFor: string[];
  /** The contracts it codes against (ids). */
  contracts: string[];
  /** Why it is blocked, or why it started early. */
  note: string | null;
  /** Another peer's claims (not its assignee's) touch its files: who. */
  overlaps: string[];
  /** Contracts it codes against that changed and its assignee has not acked yet. */
  changedContracts: string[];
  /** Blocking deltas about it that its assignee has not acked yet (ids). */
  unackedDeltas: number[];
}

export interface DashboardPhase {
  id: string;
  title: string;
  tasks: DashboardTask[];
}

export interface DashboardContract {
  id: string;
  kind: ContractKind;
  name: string;
  version: number;
  status: ContractStatus;
}

/** The window's project plan, as the dashboard shows it. */
export interface DashboardPlan {
  title: string;
  phases: DashboardPhase[];
  contracts: DashboardContract[];
}

/** A debate of the project, as the dashboard lists it. */
export interface DashboardDebate {
  id: number;
  topic: string;
  status: DebateStatus;
  round: number;
  maxRounds: number;
  /** Participants' names. */
  participants: string[];
  /** Names of those yet to take their turn this round. */
  awaiting: string[];
  /** Why it came to the person, once it did. */
  escalation: EscalationReason | null;
}

/** One participant's turn, as the debate's page shows it. */
export interface DashboardTurn {
  peerName: string;
  position: string;
  constraints: string[];
  alternatives: string[];
  /** The proposal it made this turn, its number. */
  proposal: number | null;
  /** The proposal it accepts after this turn. */
  accepts: number | null;
}

/** One debate whole: its turns round by round, its proposals, the ruling once there is one. */
export interface DashboardDebateDetail extends DashboardDebate {
  rounds: Array<{ round: number; turns: DashboardTurn[] }>;
  proposals: Array<{ n: number; peerName: string; round: number; text: string }>;
  ruling: { text: string; byName: string; proposal: number | null } | null;
}

/** A context delta, as the feed shows it. */
export interface DashboardDelta {
  id: number;
  kind: DeltaKind;
  severity: DeltaSeverity;
  summary: string;
  authorName: string;
  createdAt: number;
  /** Those it was routed to, and whether each has acked it. */
  recipients: Array<{ name: string; acked: boolean }>;
}

/** One event of the mesh, as the activity feed reads it. */
export interface DashboardActivity {
  seq: number;
  at: number;
  type: EventType;
  /** The peer that caused it (id and name); null for the broker. */
  peer: string | null;
  peerName: string;
  /** What happened, in words (a message between peers: its words). */
  text: string;
}

/** Everything the dashboard renders, sent whole after `ready`. */
export interface DashboardSnapshot {
  /** Version of the PeerMesh extension that produced the snapshot. */
  version: string;
  /** Peers in the configured scope, in display order. */
  peers: DashboardPeer[];
  /** The window's project plan; null when it has none. */
  plan: DashboardPlan | null;
  /** The project's debates: awaiting the person first, then open ones, then settled ones. */
  debates: DashboardDebate[];
  /** The project's latest deltas, newest first. */
  deltas: DashboardDelta[];
  /** The mesh's recent events, newest first. */
  activity: DashboardActivity[];
}

/** The webview's page has loaded and its message listener is installed; send a snapshot. */
export interface ReadyMessage {
  type: 'ready';
}

/** The person moved a card (dragged it, or with the keyboard): set the task's status. The host answers `didMoveTask`. */
export interface MoveTaskMessage {
  type: 'moveTask';
  /** Echoed in the answer. */
  requestId: number;
  taskId: string;
  status: TaskStatus;
}

/** The person opened a debate: send it whole (`didLoadDebate`). */
export interface OpenDebateMessage {
  type: 'openDebate';
  debateId: number;
}

/** The person ruled on a debate: proposal `pick`, or their own `text`. The host answers `didDecideDebate`. */
export interface DecideDebateMessage {
  type: 'decideDebate';
  requestId: number;
  debateId: number;
  pick?: number;
  text?: string;
}

/** Messages the webview posts to the extension host. */
export type WebviewToHostMessage = ReadyMessage | MoveTaskMessage | OpenDebateMessage | DecideDebateMessage;

/** The full dashboard state; replaces whatever the webview showed before. */
export interface DidChangeSnapshotMessage {
  type: 'didChangeSnapshot';
  snapshot: DashboardSnapshot;
}

/** The peers changed: the new list. */
export interface DidChangePeersMessage {
  type: 'didChangePeers';
  peers: DashboardPeer[];
}

/**
 * The plan whole: its shape changed (phases, tasks added or gone, contracts, its title), or it is
 * gone (null), or the page missed a change (it was hidden).
 */
export interface DidChangePlanMessage {
  type: 'didChangePlan';
  plan: DashboardPlan | null;
}

/**
 * Tasks changed and nothing else in the plan did (a move, a claim, a flag): those tasks whole,
 * each to replace the task with its id where it is. The host sends `didChangePlan` instead when
 * the plan's shape changed.
 */
export interface DidChangeTasksMessage {
  type: 'didChangeTasks';
  tasks: DashboardTask[];
}

/** How a `moveTask` went: moved, or refused with the reason (the card goes back). */
export interface DidMoveTaskMessage {
  type: 'didMoveTask';
  requestId: number;
  taskId: string;
  ok: boolean;
  /** Why not, in the person's terms. */
  reason?: string;
}

/** The debates changed: the new list. */
export interface DidChangeDebatesMessage {
  type: 'didChangeDebates';
  debates: DashboardDebate[];
}

/** A debate whole, as asked (`openDebate`), or again because it changed while open; or why it could not be read. */
export interface DidLoadDebateMessage {
  type: 'didLoadDebate';
  debateId: number;
  debate?: DashboardDebateDetail;
  error?: string;
}

/** How a ruling went: recorded and sent to the participants, or refused with the reason. */
export interface DidDecideDebateMessage {
  type: 'didDecideDebate';
  requestId: number;
  debateId: number;
  ok: boolean;
  reason?: string;
}

/** The deltas changed (a new one, an ack): the new feed. */
export interface DidChangeDeltasMessage {
  type: 'didChangeDeltas';
  deltas: DashboardDelta[];
}

/** New events in the mesh: the recent feed. */
export interface DidChangeActivityMessage {
  type: 'didChangeActivity';
  activity: DashboardActivity[];
}

/** Messages the extension host posts to the webview. */
export type HostToWebviewMessage = DidChangeSnapshotMessage | DidChangePeersMessage | DidChangePlanMessage | DidChangeTasksMessage | DidMoveTaskMessage
  | DidChangeDebatesMessage | DidLoadDebateMessage | DidDecideDebateMessage | DidChangeDeltasMessage | DidChangeActivityMessage;

const hostToWebviewTypes: ReadonlySet<string> = new Set<HostToWebviewMessage['type']>([
  'didChangeSnapshot', 'didChangePeers', 'didChangePlan', 'didChangeTasks', 'didMoveTask', 'didChangeDebates', 'didLoadDebate', 'didDecideDebate', 'didChangeDeltas', 'didChangeActivity',
]);

function hasType(value: unknown, types: ReadonlySet<string>): boolean {
  return typeof value === 'object' && value !== null && types.has(String((value as { type?: unknown }).type));
}

/** Guards the webview against `message` events that do not come from the host protocol. */
export function isHostToWebviewMessage(value: unknown): value is HostToWebviewMessage {
  return hasType(value, hostToWebviewTypes);
}

/**
 * `plan` with `changed` (a `didChangeTasks`) in place: each replaces the task with its id; the
 * phases and tasks that did not change keep their objects, so only their cards are redrawn.
 */
export function withTasks(plan: DashboardPlan, changed: readonly DashboardTask[]): DashboardPlan {
  const byId = new Map(changed.map((task) => [task.id, task]));
  return {
    ...plan,
    phases: plan.phases.map((phase) => (phase.tasks.some((task) => byId.has(task.id))
      ? { ...phase, tasks: phase.tasks.map((task) => byId.get(task.id) ?? task) }
      : phase)),
  };
}

/**
 * Ends an exhaustive `switch (msg.type)`: adding a message type without handling it is a
 * compile error, and an unexpected value at run time is a clear error rather than silence.
 */
export function assertNever(value: never): never {
  throw new Error(`Unexpected message: ${JSON.stringify(value)}`);
}
