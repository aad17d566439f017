/**
 * The shared plan as the command line shows it: the plan as a tree (phases, their tasks,
 * contracts, proposals waiting), task listings, what a proposal changes, the overlaps a claim
 * is warned about, and a plan file's issues by their path. Pure: text in, text out, so each is
 * unit-tested; other peers' words (titles, names, notes) go through `printable`.
 */
import { plural } from '../core/plural';
import { printable } from '../core/printable';
import { statusOf, waitingOn, type StatusOf } from '../core/readiness';
import type { Overlap, PlanChange, PlanView, Proposal, Task, TaskStatus } from '../protocol/plan';
import { alignColumns, table } from './format';

/** A proposal as `plan/get` lists it: without its plan. */
export type ProposalSummary = Omit<Proposal, 'plan'>;

/** One glyph per status, so a tree reads at a glance; the word beside it says the same for everyone else. */
const glyphs: Record<TaskStatus, string> = { todo: '○', in_progress: '◐', review: '◑', blocked: '✗', done: '✓' };

/** `in_progress` → `in progress`. */
export const statusWord = (status: TaskStatus): string => status.replace('_', ' ');

/** `◐ in progress`. */
export const statusLabel = (status: TaskStatus): string => `${glyphs[status]} ${statusWord(status)}`;

/** Titles longer than this are cut in the tree and listings (`--json` has them whole). */
const titleWidth = 60;

function cut(text: string, width = titleWidth): string {
  const shown = printable(text);
  return shown.length <= width ? shown : `${shown.slice(0, width - 1)}…`;
}

const assignee = (t: Task): string => (t.assigneeName === null ? '-' : printable(t.assigneeName));

/**
 * What a task that is not done still waits for (its dependencies not done; none said without
 * `status`, the status of every task), that a todo task waits for nothing (`sayReady`), and
 * its note (why it is blocked, or started early).
 */
function taskRemarks(t: Task, status: StatusOf | undefined, sayReady = false): string {
  const waits = t.status === 'done' || !status ? [] : waitingOn(t, status);
  return [
    waits.length > 0 ? `needs ${waits.join(', ')}` : sayReady && status && t.status === 'todo' ? 'ready' : '',
    t.note ? cut(t.note) : '',
  ].filter(Boolean).join('; ');
}

/** `login-api  api  v2  approved  POST /api/login  src/api.ts#login`. */
function contractRows(plan: PlanView): string[][] {
  return plan.contracts.map((c) => [
    c.id, c.kind, `v${c.version}`, c.status, cut(c.name),
    c.file ? printable(c.file) + (c.symbol ? `#${printable(c.symbol)}` : '') : '',
  ]);
}

/**
 * The plan as a tree: its title and version, each phase with its tasks (status, id, title,
 * assignee, what it still needs), the contracts, and the proposals waiting with how to see,
 * accept or reject them. Task rows line up across phases.
 */
export function formatPlan(plan: PlanView, proposals: readonly ProposalSummary[]): string {
  const status = statusOf(plan.phases.flatMap((p) => p.tasks));
  const indent = '  ';
  // One set of columns for every task row, so the tree lines up from phase to phase.
  const taskRows = plan.phases.flatMap((p) => p.tasks.map((t) => [statusLabel(t.status), t.id, cut(t.title), assignee(t), taskRemarks(t, status)]));
  const taskLines = alignColumns(taskRows);
  const lines = [`${printable(plan.title)} (version ${plan.version})`, `project ${printable(plan.project)}`];
  if (plan.description.trim()) lines.push(cut(plan.description, 200));
  const tasks = [...status.values()];
  lines.push(`${plural(tasks.length, 'task')}: ${taskStatusCounts(tasks)}`);
  let next = 0;
  for (const phase of plan.phases) {
    lines.push('', `${phase.id}  ${printable(phase.title)}`);
    if (phase.tasks.length === 0) lines.push(`${indent}(no tasks)`);
    for (let i = 0; i < phase.tasks.length; i++) lines.push(indent + taskLines[next++]);
  }
  if (plan.contracts.length > 0) {
    lines.push('', 'contracts', ...alignColumns(contractRows(plan)).map((l) => indent + l));
  }
  if (proposals.length > 0) lines.push('', formatProposalsWaiting(proposals));
  return lines.join('\n');
}

/** `2 done, 1 in progress, 3 todo`: the statuses present, in the order work moves. */
export function taskStatusCounts(statuses: readonly TaskStatus[]): string {
  const order: TaskStatus[] = ['done', 'review', 'in_progress', 'blocked', 'todo'];
  const counts = order.map((s) => [s, statuses.filter((x) => x === s).length] as const).filter(([, n]) => n > 0);
  return counts.length === 0 ? 'none' : counts.map(([s, n]) => `${n} ${statusWord(s)}`).join(', ');
}

/** The proposals waiting, one line each, and the commands that see, accept or reject one. */
export function formatProposalsWaiting(proposals: readonly ProposalSummary[]): string {
  const rows = proposals.map((p) => [`#${p.id}`, `by ${printable(p.authorName)} (${p.source})`, plural(p.changes.length, 'change'), `against version ${p.baseVersion}`]);
  return [
    `${plural(proposals.length, 'proposal')} waiting`,
    ...alignColumns(rows).map((l) => `  ${l}`),
    `see one: peermesh plan show-proposal ID; then peermesh plan accept ID, or peermesh plan reject ID --reason TEXT`,
  ].join('\n');
}

const changeSigns: Record<PlanChange['change'], string> = { added: '+', removed: '-', changed: '~' };

/** What accepting a proposal changes: `+ task login-form`, `~ contract api: spec`, `- task old: in progress by bob: goes with it`. */
export function formatChanges(changes: readonly PlanChange[]): string {
  if (changes.length === 0) return '  (no changes: it is the plan as it is)';
  return changes.map((c) => {
    const fields = c.change === 'changed' && c.fields.length > 0 ? `: ${c.fields.join(', ')}` : '';
    const note = c.note ? ` (${printable(c.note)})` : '';
    return `  ${changeSigns[c.change]} ${c.what} ${c.id}${fields}${note}`;
  }).join('\n');
}

/** What a proposal's changes are, by its state: a waiting one's are against the plan now. */
const changesAre: Record<ProposalSummary['status'], string> = {
  pending: 'accepting it changes, against the plan now',
  accepted: 'it changed',
  rejected: 'it would have changed, against the plan it was made for',
  superseded: 'it would have changed, against the plan it was made for',
};

/** A proposal: who made it, against which version, its state, what it changes, and what to run next while it waits. */
export function formatProposal(p: ProposalSummary): string {
  const head = `proposal #${p.id} by ${printable(p.authorName)} (${p.source}) against plan version ${p.baseVersion}: ${p.status}, ${plural(p.changes.length, 'change')}`;
  const lines = [head, `what ${changesAre[p.status]}:`, formatChanges(p.changes)];
  if (p.status === 'pending') lines.push(acceptHint(p.id));
  return lines.join('\n');
}

/** How to accept or reject proposal `id`. */
export function acceptHint(id: number): string {
  return `accept it: peermesh plan accept ${id}\nreject it: peermesh plan reject ${id} [--reason TEXT]`;
}

/**
 * Tasks under headers, in plan order. With `all` (every task of the project, to tell which
 * dependencies are done), a task that cannot start yet says what it needs, and a todo task
 * that can says `ready`.
 */
export function formatTasks(tasks: readonly Task[], all: readonly Task[] = []): string {
  if (tasks.length === 0) return 'no tasks';
  const status = all.length > 0 ? statusOf(all) : undefined;
  return table(['ID', 'STATUS', 'ASSIGNEE', 'PHASE', 'TITLE'], tasks.map((t) => {
    const remark = taskRemarks(t, status, true);
    return [t.id, statusLabel(t.status), t.assigneeName ?? '-', t.phase, cut(t.title) + (remark ? ` (${remark})` : '')];
  }));
}

/** One task in one line: `login-form "Login form": ◐ in progress, bob`. */
export function formatTask(t: Task): string {
  const who = t.assigneeName === null ? 'unassigned' : printable(t.assigneeName);
  return `${t.id} "${cut(t.title)}": ${statusLabel(t.status)}, ${who}${t.note ? ` (${cut(t.note)})` : ''}`;
}

/**
 * Other peers' work on the files a task changes, one warning each: a claim (`bob holds a lock on
 * src/a.ts (#12)`) or another task in progress (`bob is on task api-x, which changes src/api/**`).
 */
export function formatOverlaps(warnings: readonly Overlap[]): string {
  return warnings.map((w) => {
    const who = printable(w.peerName);
    const file = printable(w.path);
    return w.kind === 'lock'
      ? `warning: ${who} holds a lock on ${file}${w.lockId === undefined ? '' : ` (#${w.lockId})`}`
      : `warning: ${who} is on task ${w.task ?? '?'}, which changes ${file}`;
  }).join('\n');
}

/** A validation issue's path as the plan file spells it: `phases[1].tasks[0].dependsOn[0]`. */
export function issuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the plan)';
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`)).join('');
}

