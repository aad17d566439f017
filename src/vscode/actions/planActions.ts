/**
 * The person's moves on the shared plan: Claim a task, Set Status… of one, Open Files of one,
 * and Review Proposal… (accept or reject a plan that waits). Each takes a Plan view row, an id,
 * or nothing (then it asks which). A task that waits for others is not an error: it says which,
 * and offers to start anyway with a reason the agents see. Claiming files other peers work on
 * is allowed, with a warning naming them.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import { BrokerError } from '../../protocol/errors';
import { limits } from '../../protocol/limits';
import { taskStatuses, type Overlap, type Proposal, type Task, type TaskStatus } from '../../protocol/plan';
import type { PlanModel } from '../mesh/planModel';
import { inert } from '../messageText';
import { describeOverlaps, globCharacters, insideProject, statusLabels } from '../plan/planText';
import type { ProposalDocuments } from '../plan/proposalDocuments';
import { ProposalNode, TaskNode } from '../trees/planTree';
import { clientOf, type ActionContext } from './context';
import { messagePeer } from './messageActions';
import { cancelled } from './prompts';

/** What the plan actions need besides the window's mesh. */
export interface PlanActionContext extends ActionContext {
  readonly plan: PlanModel;
  readonly proposals: ProposalDocuments;
}

const statusIcons: Record<TaskStatus, string> = { todo: 'circle-large-outline', in_progress: 'play-circle', review: 'eye', blocked: 'error', done: 'pass-filled' };

/** The project folder plan requests name, or a clear error for a window without one. */
export function projectOf(ctx: PlanActionContext): string {
  clientOf(ctx.mesh); // out of the mesh: its error says why, before "open a folder" would mislead
  const project = ctx.plan.project;
  if (!project) throw new Error('open a folder first: a plan belongs to a project folder');
  return project;
}

async function taskArg(ctx: PlanActionContext, arg: unknown, title: string, offer: (task: Task) => boolean): Promise<Task> {
  if (arg instanceof TaskNode) return arg.task;
  if (typeof arg === 'string') {
    const task = ctx.plan.task(arg);
    if (!task) throw new Error(`the plan has no task "${arg}"`);
    return task;
  }
  const tasks = ctx.plan.tasks().filter(offer);
  if (tasks.length === 0) throw new Error(ctx.plan.plan ? 'no task of the plan fits' : 'this project has no plan yet');
  const picked = await ctx.prompts.pick(tasks.map((task) => ({
    label: `$(${statusIcons[task.status]}) ${inert(task.title)}`,
    description: [task.id, statusLabels[task.status], task.assigneeName && inert(task.assigneeName)].filter(Boolean).join(' · '),
    task,
  })), { title, placeHolder: 'A task of the plan', matchOnDescription: true });
  return picked?.task ?? cancelled();
}

/**
 * Runs a move; when the task waits for others (`notReady`), names them and offers to start
 * anyway, asking why (the reason goes to the broker as `force`). Undefined when the person
 * does not start it.
 */
async function startingAnyway<T>(ctx: PlanActionContext, task: Task, run: (force?: string) => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    if (!BrokerError.is(error, 'notReady')) throw error;
    const open = (error.data?.open as Array<{ id: string; status: TaskStatus }> | undefined) ?? [];
    const waits = open.map((t) => `${t.id} (${statusLabels[t.status] ?? t.status})`).join(', ') || 'tasks that are not done';
    const choice = await ctx.prompts.notify('warning', inert(`PeerMesh: task ${task.id} waits for ${waits}.`), {}, 'Start Anyway…');
    if (choice !== 'Start Anyway…') return undefined;
    const reason = await ctx.prompts.input({
      title: `Start ${task.id} before the tasks it waits for`,
      prompt: 'Why start now? Other agents see this.',
      validateInput: (value) => (value.trim() === '' ? 'Say why, so the others know.' : value.length > limits.reason ? `At most ${limits.reason} characters.` : undefined),
    });
    if (reason === undefined) cancelled();
    return run(reason.trim());
  }
}

/** Shows (without waiting) who else works on the task's files. */
function warnOverlaps(ctx: PlanActionContext, task: Task, warnings: readonly Overlap[]): void {
  if (warnings.length === 0) return;
  ctx.log.info(`[plan] task ${task.id} overlaps: ${describeOverlaps(warnings)}`);
  void ctx.prompts.notify('warning', inert(`PeerMesh: you took task ${task.id}, but ${describeOverlaps(warnings)}.`), {});
}

/** Why `task` is blocked, as the person says it (agents see it beside the task); dismissing cancels. */
async function askWhyBlocked(ctx: PlanActionContext, task: Task): Promise<string> {
  const note = await ctx.prompts.input({
    title: `Why is ${inert(task.title)} blocked?`,
    prompt: 'Agents see this beside the task.',
    validateInput: (value) => (value.trim() === '' ? 'Say what it waits for.' : value.length > limits.reason ? `At most ${limits.reason} characters.` : undefined),
  });
  return note ?? cancelled();
}

/**
 * A card moved on the dashboard's board: task `taskId` to `status`, as the broker's rules allow
 * the person (blocked asks why). Throws what stands in the way, in the person's terms: the
 * board puts the card back and shows it. No "start anyway" here: the Plan view offers that.
 */
export async function moveTask(ctx: PlanActionContext, taskId: string, status: TaskStatus): Promise<Task> {
  const task = ctx.plan.task(taskId);
  if (!task) throw new Error(`the plan has no task "${taskId}" any more`);
  if (task.status === status) return task;
  const project = projectOf(ctx);
  const note = status === 'blocked' ? (await askWhyBlocked(ctx, task)).trim() : undefined;
  const { task: moved, warnings } = await clientOf(ctx.mesh).request('plan/update', { project, task: task.id, status, ...(note !== undefined && { note }) });
  ctx.log.info(`[plan] this window moved task ${task.id} to ${status} on the dashboard`);
  warnOverlaps(ctx, moved, warnings);
  await ctx.plan.refresh();
  return moved;
}

/** Claim: the task becomes this window's, in progress. Undefined when it is taken, or the person does not start it early. */
export async function claimTask(ctx: PlanActionContext, arg?: unknown): Promise<Task | undefined> {
  const task = await taskArg(ctx, arg, 'Claim a task', (t) => t.status === 'todo');
  const project = projectOf(ctx);
  const client = clientOf(ctx.mesh);
  try {
    const moved = await startingAnyway(ctx, task, (force) => client.request('plan/claim', { project, task: task.id, ...(force && { force }) }));
    if (!moved) return undefined;
    ctx.log.info(`[plan] this window claimed task ${task.id}`);
    warnOverlaps(ctx, moved.task, moved.warnings);
    await ctx.plan.refresh();
    return moved.task;
  } catch (error) {
    if (!BrokerError.is(error, 'alreadyClaimed')) throw error;
    const by = String(error.data?.byName ?? 'another peer');
    const choice = await ctx.prompts.notify('warning', inert(`PeerMesh: task ${task.id} is taken by ${by}.`), {}, 'Message Them');
    if (choice === 'Message Them' && typeof error.data?.by === 'string') await messagePeer(ctx, error.data.by, `About task ${task.id}: `);
    await ctx.plan.refresh();
    return undefined;
  }
}

/** Set Status…: any status but its own; blocked asks why. */
export async function setTaskStatus(ctx: PlanActionContext, arg?: unknown): Promise<Task | undefined> {
  const task = await taskArg(ctx, arg, 'Set the status of…', () => true);
  const picked = await ctx.prompts.pick(taskStatuses.filter((s) => s !== task.status).map((status) => ({
    label: `$(${statusIcons[status]}) ${statusLabels[status]}`,
    description: status === 'todo' && task.assignee ? 'unassigns it' : status === 'in_progress' && !task.assignee ? 'claims it for you' : undefined,
    status,
  })), { title: `Status of ${inert(task.title)}`, placeHolder: `now ${statusLabels[task.status]}` });
  const status = picked?.status ?? cancelled();
  const note = status === 'blocked' ? await askWhyBlocked(ctx, task) : undefined;
  const project = projectOf(ctx);
  const client = clientOf(ctx.mesh);
  const moved = await startingAnyway(ctx, task, (force) => client.request('plan/update', {
    project, task: task.id, status, ...(note !== undefined && { note: note.trim() }), ...(force && { force }),
  }));
  if (!moved) return undefined;
  ctx.log.info(`[plan] this window moved task ${task.id} to ${status}`);
  warnOverlaps(ctx, moved.task, moved.warnings);
  await ctx.plan.refresh();
  return moved.task;
}


/**
 * Open Files: the task's files that exist open in editors; its globs' matches are offered in a
 * quick pick first. Returns the files opened.
 */
export async function openTaskFiles(ctx: PlanActionContext, arg?: unknown): Promise<vscode.Uri[]> {
  const task = await taskArg(ctx, arg, 'Open the files of…', (t) => t.files.length > 0);
  const root = ctx.plan.plan?.project ?? projectOf(ctx);
  const exact: vscode.Uri[] = [];
  const matched = new Map<string, vscode.Uri>();
  for (const pattern of task.files.filter((f) => insideProject(root, f))) {
    if (globCharacters.test(pattern)) {
      for (const uri of await vscode.workspace.findFiles(new vscode.RelativePattern(vscode.Uri.file(root), pattern), undefined, 500)) matched.set(uri.toString(), uri);
    } else {
      const uri = vscode.Uri.file(path.resolve(root, pattern));
      if (await isFile(uri)) exact.push(uri);
    }
  }
  let chosen: vscode.Uri[] = [];
  if (matched.size > 0) {
    const items = [...matched.values()].map((uri) => ({ label: path.relative(root, uri.fsPath), uri })).sort((a, b) => a.label.localeCompare(b.label));
    const picked = await ctx.prompts.pickMany(items, { title: `Files of ${inert(task.title)}`, placeHolder: `Matches of ${inert(task.files.filter((f) => globCharacters.test(f)).join(', '))}` });
    if (picked === undefined && exact.length === 0) cancelled();
    chosen = (picked ?? []).map((item) => item.uri);
  }
  const open = [...exact, ...chosen];
  if (open.length === 0) {
    void ctx.prompts.notify('info', inert(`PeerMesh: none of the files of task ${task.id} exist yet (${task.files.join(', ')}).`), {});
    return [];
  }
  for (const uri of open) await vscode.window.showTextDocument(uri, { preview: open.length === 1 });
  return open;
}

async function isFile(uri: vscode.Uri): Promise<boolean> {
  try {
    return ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.File) !== 0;
  } catch {
    return false;
  }
}

/**
 * Review Proposal…: shows what accepting it would change (a Markdown document beside) and asks
 * Accept or Reject…; dismissed, it keeps waiting in the Plan view. Takes a Plan view row, a
 * proposal id, or a proposal as `plan/submit` returned it.
 */
export async function reviewProposal(ctx: PlanActionContext, arg?: unknown): Promise<'accepted' | 'rejected' | undefined> {
  const client = clientOf(ctx.mesh);
  const proposal = isFullProposal(arg) ? arg
    : (await client.request('plan/proposal', { id: await proposalId(ctx, arg) })).proposal;
  if (proposal.status !== 'pending') throw new Error(`proposal ${proposal.id} is ${proposal.status} already`);
  const current = (await client.request('plan/get', { project: proposal.project })).plan;
  await ctx.proposals.show(ctx.proposals.write(proposal, current));
  const count = (c: string) => proposal.changes.filter((x) => x.change === c).length;
  const choice = await ctx.prompts.notify('info', inert(`PeerMesh: proposal ${proposal.id} from ${proposal.authorName} changes the plan: `
    + `${count('added')} added, ${count('changed')} changed, ${count('removed')} removed.`), {}, 'Accept', 'Reject…');
  if (choice === 'Accept') {
    const plan = (await client.request('plan/accept', { id: proposal.id })).plan;
    ctx.log.info(`[plan] this window accepted proposal ${proposal.id}: the plan is at version ${plan.version}`);
    void vscode.window.setStatusBarMessage(`$(check) Plan updated to version ${plan.version}`, 4000);
  } else if (choice === 'Reject…') {
    const reason = await ctx.prompts.input({
      title: `Reject proposal ${proposal.id}`,
      prompt: `Why? ${inert(proposal.authorName)} sees this (optional).`,
      validateInput: (value) => (value.length > limits.reason ? `At most ${limits.reason} characters.` : undefined),
    });
    if (reason === undefined) cancelled();
    await client.request('plan/reject', { id: proposal.id, reason: reason.trim() });
    ctx.log.info(`[plan] this window rejected proposal ${proposal.id}`);
  } else {
    return undefined;
  }
  await ctx.plan.refresh();
  return choice === 'Accept' ? 'accepted' : 'rejected';
}

function isFullProposal(arg: unknown): arg is Proposal {
  return typeof arg === 'object' && arg !== null && typeof (arg as Proposal).id === 'number' && typeof (arg as Proposal).plan === 'object';
}

async function proposalId(ctx: PlanActionContext, arg: unknown): Promise<number> {
  if (arg instanceof ProposalNode) return arg.proposal.id;
  if (typeof arg === 'number') return arg;
  const pending = ctx.plan.proposals;
  if (pending.length === 0) throw new Error('no proposal waits for review');
  const picked = await ctx.prompts.pick(pending.map((p) => ({
    label: `$(git-pull-request) Proposal ${p.id}`, description: `${inert(p.authorName)} · ${p.changes.length} changes`, id: p.id,
  })), { title: 'Review a proposal', placeHolder: 'A proposal that waits' });
  return picked?.id ?? cancelled();
}
