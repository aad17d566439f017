/**
 * What the model sees of the shared plan: tasks and contracts as small flat objects (empty
 * fields left out, peers by name, "you" for the agent itself) and one line of text each. A
 * todo task says whether it can start (`ready`) or what it waits on, which is what an agent
 * choosing its next task needs. Titles, notes and specs are other peers' words: every text
 * line shows them through `printable`.
 */
import { printable } from '../core/printable';
import { waitingOn, type StatusOf } from '../core/readiness';
import type { Contract, Overlap, PlanChange, Task } from '../protocol/plan';
import { clip } from './views';

export type TaskView = {
  id: string;
  title: string;
  status: string;
  /** Who holds it or did it: a name, or "you". */
  assignee?: string;
  /** A todo task whose dependencies are all done. */
  ready?: true;
  /** A todo task's dependencies that are not done yet. */
  waitsOn?: string[];
  files?: string[];
  note?: string;
  /**
   * Contracts it codes against that changed and its assignee has not acked yet, as
   * `users-api v2 (delta #7)`: the work may need redoing, and the ack call needs the delta.
   */
  changed?: string[];
};

/**
 * `status`: the plan's tasks' statuses, to say whether a todo task is ready (left out without
 * it). `withFiles`: listings an agent picks a task from show its files; the plan's tree does not.
 */
export function taskView(t: Task, selfId: string, status?: StatusOf, withFiles = false): TaskView {
  const waitsOn = t.status === 'todo' && status ? waitingOn(t, status) : [];
  return {
    id: t.id, title: t.title, status: t.status,
    ...(t.assignee && { assignee: t.assignee === selfId ? 'you' : (t.assigneeName ?? t.assignee) }),
    ...(t.status === 'todo' && status && waitsOn.length === 0 && { ready: true }),
    ...(waitsOn.length > 0 && { waitsOn }),
    ...(withFiles && t.files.length > 0 && { files: t.files }),
    ...(t.note && { note: t.note }),
    ...(t.changedContracts && { changed: t.changedContracts.map((c) => `${c.contract} v${c.version} (delta #${c.delta})`) }),
  };
}

/**
 * `login-form [todo, ready] "Login form"`, `api [in_progress, bob] "API" files: src/api/**`,
 * `api [in_progress, you] "API" contracts changed: login-api v2 (delta #7)`.
 */
export function taskLine(t: TaskView): string {
  const tags = [t.status, t.assignee && printable(t.assignee), t.ready && 'ready', t.waitsOn && `waits on ${t.waitsOn.map(printable).join(', ')}`]
    .filter(Boolean).join(', ');
  const files = t.files ? ` files: ${t.files.map(printable).join(', ')}` : '';
  const note = t.note ? ` note: ${clip(t.note, 200)}` : '';
  const changed = t.changed ? ` contracts changed: ${t.changed.map(printable).join(', ')}` : '';
  return `${printable(t.id)} [${tags}] ${printable(JSON.stringify(t.title))}${files}${note}${changed}`;
}

export type ContractView = {
  id: string;
  kind: string;
  name: string;
  version: number;
  status: string;
  /** The file that defines it, and the symbol in it. */
  at?: string;
};

export function contractView(c: Contract): ContractView {
  const at = c.file ? `${c.file}${c.symbol ? `#${c.symbol}` : ''}` : c.symbol ?? undefined;
  return { id: c.id, kind: c.kind, name: c.name, version: c.version, status: c.status, ...(at && { at }) };
}

/** `login-api (api, v2, proposed) "POST /api/login" at src/routes/login.ts#login`. */
export function contractLine(c: ContractView): string {
  return `${printable(c.id)} (${c.kind}, v${c.version}, ${c.status}) ${printable(JSON.stringify(c.name))}${c.at ? ` at ${printable(c.at)}` : ''}`;
}

/** `add task login-form`, `change contract login-api (spec): in progress by bob`. */
export function changeLine(c: PlanChange): string {
  const verb = c.change === 'added' ? 'add' : c.change === 'removed' ? 'remove' : 'change';
  const fields = c.change === 'changed' && c.fields.length > 0 ? ` (${c.fields.join(', ')})` : '';
  return `${verb} ${c.what}${c.what === 'plan' ? '' : ` ${printable(c.id)}`}${fields}${c.note ? `: ${printable(c.note)}` : ''}`;
}

/** Another peer's work on a claimed task's files: its lock, or its task. */
export type OverlapView = {
  peer: string;
  path: string;
  lock?: number;
  task?: string;
};

export function overlapView(o: Overlap): OverlapView {
  return { peer: o.peerName, path: o.path, ...(o.lockId !== undefined && { lock: o.lockId }), ...(o.task && { task: o.task }) };
}

/** `bob holds lock #4 on web/a.ts`, `carol works on task signup (web/**)`. */
export function overlapLine(o: OverlapView): string {
  return o.task !== undefined
    ? `${printable(o.peer)} works on task ${printable(o.task)} (${printable(o.path)})`
    : `${printable(o.peer)} holds ${o.lock !== undefined ? `lock #${o.lock}` : 'a lock'} on ${printable(o.path)}`;
}
