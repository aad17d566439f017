/**
 * What is new for an agent, in the words its model reads: the messages a tool result or a
 * hook puts in front of it (requests and alerts first, then oldest to newest), bodies quoted
 * as one JSON string each so another peer's text cannot pass for PeerMesh's own lines; and
 * from the shared plan, the task it holds (one short line) and tasks newly assigned to it (a
 * line each, capped). Shared by the MCP server's `pending` part and the hooks' context;
 * imports types only, since the hook entry must load fast.
 */
import type { Message, MessageKind } from '../protocol/entities';
import type { Task, TaskStatus } from '../protocol/plan';
import { blockingLines, coordinationLines, draftLines, lostClaimLines, type CoordinationNews } from './coordination-news';
import { plural } from './plural';
import { printable } from './printable';

export interface NewsMessage {
  id: number;
  /** The sender's display name. */
  from: string;
  kind: MessageKind;
  body: string;
  /** The body was cut to the budget; mesh_inbox has it whole. */
  truncated: boolean;
  replyTo: number | null;
}

/** A task of the shared plan in the news: one the agent holds, or one newly assigned to it. */
export interface TaskNews {
  id: string;
  status: TaskStatus;
  /** A newly assigned task's title (a held one is named by id alone: it is the agent's own). */
  title?: string;
  /** Who assigned it, when known. */
  by?: string;
  /** Its project, when it is not the agent's own. */
  project?: string;
}

/** Empty parts are left out: this rides on every result while the agent holds a task. */
export interface TasksNews {
  /** The tasks the agent holds (in progress, in review, blocked): shown on every result. */
  held?: TaskNews[];
  /** Tasks others assigned to it, shown once. */
  assigned?: TaskNews[];
  /** Held or assigned tasks past the caps, not listed. */
  more?: number;
}

export interface News {
  /** Put in front of the model now: never shown again as news. */
  messages: NewsMessage[];
  /** Still waiting, not shown: the next result (or mesh_inbox) brings them. */
  more: number;
  /** Not yet read (acked, claimed or read in mesh_inbox), those just shown included. */
  unread: number;
  /** From the shared plan; absent when the agent holds no task and none is new. */
  tasks?: TasksNews;
  /** Deltas, debates and landing tokens; absent when none concerns the agent. */
  coordination?: CoordinationNews;
}

/** Characters of message bodies one result or hook carries, in all. */
export const newsBudget = 2000;
/** Messages one result or hook carries, at most. */
export const newsMax = 10;

export const noNews: News = { messages: [], more: 0, unread: 0 };

/** What `messages/deliver` answers, as news. */
export function toNews(r: { messages: ReadonlyArray<Message & { truncated: boolean }>; more: number; unread: number }): News {
  return {
    messages: r.messages.map((m) => ({ id: m.id, from: m.fromName, kind: m.kind, body: m.body, truncated: m.truncated, replyTo: m.replyTo })),
    more: r.more,
    unread: r.unread,
  };
}

/** Held tasks listed, at most; assigned ones listed, at most. */
const heldShown = 3;
const assignedShown = 5;

/** A task of `plan/mine` as news; `project` left out when it is the agent's own. */
function taskNews(t: Task & { project: string }, ownProject: string | null, nameOf?: (id: string) => string, withTitle = false): TaskNews {
  return {
    id: t.id, status: t.status,
    ...(withTitle && { title: t.title }),
    ...(withTitle && t.updatedBy && nameOf && { by: nameOf(t.updatedBy) }),
    ...(t.project !== ownProject && { project: t.project }),
  };
}

/**
 * What `plan/mine` answers, as news within the caps; undefined when the agent holds nothing
 * and nothing is new. `ownProject` (the agent's git root, else its folder) is left unnamed.
 */
export function toTasksNews(
  r: { held: ReadonlyArray<Task & { project: string }>; assigned: ReadonlyArray<Task & { project: string }> },
  ownProject: string | null,
  nameOf?: (id: string) => string,
): TasksNews | undefined {
  if (r.held.length === 0 && r.assigned.length === 0) return undefined;
  const held = r.held.slice(0, heldShown).map((t) => taskNews(t, ownProject, nameOf));
  const assigned = r.assigned.slice(0, assignedShown).map((t) => taskNews(t, ownProject, nameOf, true));
  const more = r.held.length - held.length + r.assigned.length - assigned.length;
  return { ...(held.length > 0 && { held }), ...(assigned.length > 0 && { assigned }), ...(more > 0 && { more }) };
}

const where = (t: TaskNews) => (t.project ? ` in ${printable(t.project)}` : '');

/**
 * The task lines: the held ones on one short line (`your task: login-form (in_progress)`), each
 * newly assigned one on its own, with the call that takes it. `withHeld` false leaves the held
 * line out (a hook after every tool call need not repeat it).
 */
export function taskLines(tasks: TasksNews | undefined, withHeld = true): string[] {
  if (!tasks) return [];
  const lines: string[] = [];
  if (withHeld && tasks.held) {
    const held = tasks.held.map((t) => `${printable(t.id)}${where(t)} (${t.status})`).join(', ');
    lines.push(`your task${tasks.held.length > 1 ? 's' : ''}: ${held}`);
  }
  for (const t of tasks.assigned ?? []) {
    const by = t.by ? `, from ${printable(t.by)}` : '';
    const take = t.status === 'todo' ? ` → mesh_task action="claim" task="${printable(t.id)}"${t.project ? ` project=${printable(JSON.stringify(t.project))}` : ''}` : '';
    lines.push(`new task for you: ${printable(t.id)}${where(t)} ${printable(JSON.stringify(t.title ?? ''))} (${t.status}${by})${take}`);
  }
  if (tasks.more) lines.push(`and ${plural(tasks.more, 'more task')} of yours → mesh_task assignee="me"`);
  return lines;
}

/** One line per message, then how many more wait. */
export function newsLines(news: News): string[] {
  const lines = news.messages.map((m) => {
    const what = m.kind === 'text' ? '' : `${m.kind.replace('_', ' ')} `;
    const re = m.replyTo === null ? '' : ` (re #${m.replyTo})`;
    const cut = m.truncated ? ' [cut short: mesh_inbox has it whole]' : '';
    const todo = m.kind === 'request' ? ' → claim it with mesh_inbox, or answer with mesh_send replyTo=' + m.id : '';
    // JSON quotes it on one line; printable escapes what JSON leaves raw (C1 and bidi controls).
    return `#${m.id} ${what}from ${printable(m.from)}${re}: ${printable(JSON.stringify(m.body))}${cut}${todo}`;
  });
  if (news.more > 0) lines.push(`and ${plural(news.more, 'more message')} → mesh_inbox`);
  return lines;
}

/**
 * The `pending:` part of a tool result's text: blocking deltas first, the agent's claims whose
 * code is gone and the contract changes its edits drafted, then the messages, the task lines,
 * and the debates, other deltas and landing tokens.
 */
export function pendingText(news: News): string {
  const first = [...blockingLines(news.coordination), ...lostClaimLines(news.coordination), ...draftLines(news.coordination)];
  return [...first, messagesPending(news), ...taskLines(news.tasks), ...coordinationLines(news.coordination)].join('\n');
}

function messagesPending(news: News): string {
  if (news.messages.length === 0) {
    if (news.more > 0) return `pending: ${plural(news.more, 'new message')} → mesh_inbox`;
    return news.unread > 0 ? `pending: nothing new (${news.unread} unread → mesh_inbox)` : 'pending: none';
  }
  return [`pending: ${plural(news.messages.length, 'new message')} for you:`, ...newsLines(news).map((l) => '  ' + l)].join('\n');
}

/**
 * The context a hook adds for the model, or undefined when there is nothing to say. The held
 * task is said when `withHeld` (a session start, a prompt) or along with other news; a newly
 * assigned task always.
 */
export function hookContext(news: News, self: string, withHeld = true): string | undefined {
  const hasMessages = news.messages.length > 0 || news.more > 0;
  const blocking = blockingLines(news.coordination);
  const lost = lostClaimLines(news.coordination);
  const drafts = draftLines(news.coordination);
  const others = coordinationLines(news.coordination);
  const tasks = taskLines(news.tasks, withHeld || hasMessages || news.tasks?.assigned !== undefined || others.length > 0 || lost.length > 0 || drafts.length > 0);
  if (!hasMessages && tasks.length === 0 && blocking.length === 0 && lost.length === 0 && drafts.length === 0 && others.length === 0) return undefined;
  const mesh = blocking.length + others.length === 0 ? [] : [
    `PeerMesh (${self}), from the other agents:`,
    ...[...blocking, ...others].map((l) => '- ' + l),
  ];
  const claims = lost.length === 0 ? [] : [`PeerMesh (${self}), your claims:`, ...lost.map((l) => '- ' + l)];
  const edits = drafts.length === 0 ? [] : [`PeerMesh (${self}), your edits:`, ...drafts.map((l) => '- ' + l)];
  const messages = hasMessages ? [
    `PeerMesh: new messages for you (${self}) from the other agents on this machine:`,
    ...newsLines(news).map((l) => '- ' + l),
    'Answer with the mesh_send tool (replyTo=<id>); mesh_inbox claims or acks them.',
  ] : [];
  const plan = tasks.length === 0 ? [] : [`PeerMesh${hasMessages ? '' : ` (${self})`}, the shared plan: ${tasks[0]}`, ...tasks.slice(1)];
  // Blocking deltas lead, then claims whose code is gone: the agent must not go on without them.
  return blocking.length > 0 ? [...mesh, ...claims, ...edits, ...messages, ...plan].join('\n') : [...claims, ...edits, ...messages, ...plan, ...mesh].join('\n');
}
