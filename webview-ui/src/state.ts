/**
 * The dashboard's state, as signals: what the host sent (peers, plan), the moves waiting for the
 * host's answer, and the view's own state (tab, open phases, filters), which survives the view
 * being hidden and shown again (`getState` / `setState`).
 */
import { computed, effect, signal } from '@preact/signals';
import type { TaskStatus } from '../../src/protocol/plan';
import {
  withTasks, type DashboardActivity, type DashboardDebate, type DashboardDebateDetail, type DashboardDelta, type DashboardPeer, type DashboardPlan,
  type DashboardTask, type WebviewToHostMessage,
} from '../../src/protocol/webview';

export interface VsCodeApi {
  postMessage(message: WebviewToHostMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export const vscode = acquireVsCodeApi();

/** The board's columns, in order. */
export const columns = ['todo', 'in_progress', 'review', 'blocked', 'done'] as const satisfies readonly TaskStatus[];
export const columnTitles: Record<TaskStatus, string> = { todo: 'To do', in_progress: 'In progress', review: 'Review', blocked: 'Blocked', done: 'Done' };
export const statusIcons: Record<TaskStatus, string> = { todo: 'circle-large-outline', in_progress: 'play-circle', review: 'eye', blocked: 'error', done: 'pass-filled' };

export type Tab = 'board' | 'roadmap' | 'debates' | 'deltas' | 'activity' | 'peers';

/** What the view keeps across hiding: which tab, which phases are folded, the filters. */
interface ViewState {
  tab: Tab;
  /** Roadmap phases the person opened (true) or closed (false); the rest follow the default (the current phase open). */
  phaseOpen: Record<string, boolean>;
  /** Show only this peer's tasks (id), or everyone's. */
  peer: string | null;
  /** Show only this phase's tasks (id), or every phase's. */
  phase: string | null;
  /** The deltas feed's filters: one kind, one severity, or all. */
  deltaKind: string | null;
  deltaSeverity: string | null;
  /** The activity feed's filters: one peer (id), one event type, or all. */
  activityPeer: string | null;
  activityType: string | null;
  /** How far each tab was scrolled. */
  scroll: Partial<Record<Tab, number>>;
}

const saved = (vscode.getState() ?? {}) as Partial<ViewState>;
export const tab = signal<Tab>(saved.tab ?? 'board');
export const phaseOpen = signal<Readonly<Record<string, boolean>>>(saved.phaseOpen ?? {});
export const peerFilter = signal<string | null>(saved.peer ?? null);
export const phaseFilter = signal<string | null>(saved.phase ?? null);
export const deltaKindFilter = signal<string | null>(saved.deltaKind ?? null);
export const deltaSeverityFilter = signal<string | null>(saved.deltaSeverity ?? null);
export const activityPeerFilter = signal<string | null>(saved.activityPeer ?? null);
export const activityTypeFilter = signal<string | null>(saved.activityType ?? null);
export const scrolled = signal<Partial<Record<Tab, number>>>(saved.scroll ?? {});
effect(() => vscode.setState({
  tab: tab.value, phaseOpen: phaseOpen.value, peer: peerFilter.value, phase: phaseFilter.value,
  deltaKind: deltaKindFilter.value, deltaSeverity: deltaSeverityFilter.value,
  activityPeer: activityPeerFilter.value, activityType: activityTypeFilter.value, scroll: scrolled.value,
} satisfies ViewState));

export const version = signal<string | undefined>(undefined);
export const peers = signal<DashboardPeer[]>([]);
export const plan = signal<DashboardPlan | null>(null);
export const debates = signal<DashboardDebate[]>([]);
export const deltas = signal<DashboardDelta[]>([]);
export const activity = signal<DashboardActivity[]>([]);
/** The debate open on the Debates tab (its id; its whole text once the host sent it). */
export const openDebateId = signal<number | null>(null);
export const openDebate = signal<DashboardDebateDetail | null>(null);
/** Rulings sent and not answered yet: request id → debate id. */
export const pendingRulings = signal<ReadonlyMap<number, number>>(new Map());
/** Whether the host's first snapshot has come. */
export const loaded = signal(false);

/** Cards moved here and not yet answered: task id → the status shown meanwhile. */
export const pendingMoves = signal<ReadonlyMap<string, { requestId: number; status: TaskStatus }>>(new Map());
/** What the page last said about a move (shown, and read out by screen readers). */
export const announcement = signal('');

/**
 * The plan the host sent, keeping the task objects of the one before where a task did not
 * change: the board redraws only the cards whose task did.
 */
export function setPlan(next: DashboardPlan | null): void {
  const before = new Map((plan.value?.phases ?? []).flatMap((p) => p.tasks).map((t) => [t.id, t]));
  const same = (t: DashboardTask): DashboardTask => {
    const old = before.get(t.id);
    return old && JSON.stringify(old) === JSON.stringify(t) ? old : t;
  };
  plan.value = next && { ...next, phases: next.phases.map((p) => ({ ...p, tasks: p.tasks.map(same) })) };
}

/**
 * Tasks changed and nothing else did: each replaces the task with its id; the rest keep their
 * objects. False, and nothing changed, when the page has no plan or not one of those tasks.
 */
export function setTasks(changed: DashboardTask[]): boolean {
  const known = new Set((plan.value?.phases ?? []).flatMap((p) => p.tasks).map((t) => t.id));
  if (!plan.value || !changed.every((task) => known.has(task.id))) return false;
  plan.value = withTasks(plan.value, changed);
  return true;
}

/** Every task, as the board shows it now: with moves waiting for the host's answer applied. */
export const tasks = computed<DashboardTask[]>(() => {
  const moving = pendingMoves.value;
  return (plan.value?.phases ?? []).flatMap((phase) => phase.tasks).map((task) => {
    const move = moving.get(task.id);
    return move ? movedTask(task, move.status) : task;
  });
});

/** A task shown in another column while its move waits: the same object for the same move, so its card is not redrawn each time. */
const moved = new WeakMap<DashboardTask, { status: TaskStatus; task: DashboardTask }>();
function movedTask(task: DashboardTask, status: TaskStatus): DashboardTask {
  const known = moved.get(task);
  if (known?.status === status) return known.task;
  const shown = { ...task, status };
  moved.set(task, { status, task: shown });
  return shown;
}

/** The tasks the filters let through. */
export const shownTasks = computed(() => tasks.value.filter((task) =>
  (peerFilter.value === null || task.assignee?.id === peerFilter.value) && (phaseFilter.value === null || task.phase === phaseFilter.value)));

let nextRequest = 1;

/** The card to focus after the next render of the board (it moved, so it was rebuilt elsewhere). */
export const focusAfterRender: { taskId?: string } = {};

/** Moves a card to `status` at once, and asks the host to move its task; the answer keeps it there or puts it back. */
export function moveCard(task: DashboardTask, status: TaskStatus): void {
  if (task.status === status) return;
  const requestId = nextRequest++;
  pendingMoves.value = new Map(pendingMoves.value).set(task.id, { requestId, status });
  announcement.value = `Moving “${task.title}” to ${columnTitles[status]}…`;
  vscode.postMessage({ type: 'moveTask', requestId, taskId: task.id, status });
}

/**
 * The host's answer to a move: the card stays (the tasks the host sent before this answer have it
 * there) or goes back, saying why.
 */
export function moveAnswered(requestId: number, taskId: string, ok: boolean, reason: string | undefined): void {
  const move = pendingMoves.value.get(taskId);
  if (!move || move.requestId !== requestId) return;
  const title = plan.value?.phases.flatMap((p) => p.tasks).find((t) => t.id === taskId)?.title ?? taskId;
  const rest = new Map(pendingMoves.value);
  rest.delete(taskId);
  // Put back, the card is rebuilt in its old column: the focus goes with it.
  if (!ok) focusAfterRender.taskId = taskId;
  pendingMoves.value = rest;
  announcement.value = ok ? `Moved “${title}” to ${columnTitles[move.status]}.` : `“${title}” stays where it was: ${reason ?? 'the move was refused'}.`;
}

/** Opens a debate (null: back to the list), and asks the host for it whole. */
export function showDebate(id: number | null): void {
  openDebateId.value = id;
  if (openDebate.value?.id !== id) openDebate.value = null;
  if (id !== null) vscode.postMessage({ type: 'openDebate', debateId: id });
}

/** Sends the person's ruling: proposal `pick`, or their own words. */
export function rule(debateId: number, ruling: { pick: number } | { text: string }): void {
  const requestId = nextRequest++;
  pendingRulings.value = new Map(pendingRulings.value).set(requestId, debateId);
  announcement.value = 'Sending your ruling…';
  vscode.postMessage({ type: 'decideDebate', requestId, debateId, ...ruling });
}

/** The host's answer to a ruling. */
export function ruled(requestId: number, debateId: number, ok: boolean, reason: string | undefined): void {
  if (!pendingRulings.value.has(requestId)) return;
  const rest = new Map(pendingRulings.value);
  rest.delete(requestId);
  pendingRulings.value = rest;
  announcement.value = ok ? `Your ruling on debate #${debateId} went to its participants.` : `The ruling was not recorded: ${reason ?? 'refused'}.`;
  if (openDebateId.value === debateId) showDebate(debateId);
}
