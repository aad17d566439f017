/**
 * The plan's tasks, for the agents that do them: mesh_task. List what is open (or one status,
 * or one peer's), claim a task (atomic: of agents racing for it one wins; the claim warns of
 * other peers' claims and tasks on its files), move it (status, note, assignee), and mark it
 * done (which names the tasks that became ready). The broker enforces the rules
 * (requests/plan.ts); refusals come back in this tool's words (errors.ts).
 */
import * as z from 'zod';
import { BrokerError } from '../../protocol/errors';
import { limits } from '../../protocol/limits';
import { PlanId, TaskStatus, type Overlap, type Task } from '../../protocol/plan';
import { plural, someOf } from '../../core/plural';
import { printable } from '../../core/printable';
import { madeReady, statusOf } from '../../core/readiness';
import { callText, fitList, moreLine } from '../budget';
import type { MeshClient } from '../mesh-session';
import { defineTool } from '../tool';
import { type OverlapView, contractLine, contractView, overlapLine, overlapView, taskLine, taskView } from '../plan-views';
import { projectOf } from './plan';

const item = z.record(z.string(), z.unknown());

/** Characters of a claimed task's detail shown with the claim (mesh_plan show has it whole). */
const detailShown = 1500;

/** A refusal about `task` made to name it (the force call of `notReady` needs its id). */
async function about<T>(task: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (BrokerError.is(e, 'notReady') || BrokerError.is(e, 'alreadyClaimed')) throw new BrokerError(e.reason, e.message, { task, ...e.data });
    throw e;
  }
}

/** The task id, or a refusal showing the call: a model fresh from mesh_plan's `id` tends to pass that. */
function needTask(task: string | undefined, action: string): string {
  if (!task) throw new BrokerError('invalidInput', `${action} needs the task's id as task (not id): mesh_task action="${action}" task="<id>"; mesh_task lists them`);
  return task;
}

function warningLines(warnings: readonly Overlap[]): { views: OverlapView[]; lines: string[] } {
  const fit = fitList(warnings.map(overlapView), overlapLine, 4096);
  const rest = warnings.length - fit.items.length;
  if (fit.items.length === 0) return { views: [], lines: [] };
  return { views: fit.items, lines: ['Overlaps: talk to them before editing these:', ...fit.lines.map((l) => `- ${l}`), ...(rest > 0 ? [`- and ${rest} more`] : [])] };
}

/** mesh_task: list, claim, update and finish tasks of the plan. */
export const taskTool = defineTool({
  name: 'mesh_task',
  title: 'Tasks of the shared plan',
  description: 'Tasks of the shared plan. list the open ones (ready = can start), claim one before working on it (you get its detail, files and overlaps with others), update its status or note, done when finished. Your task and tasks given to you appear under pending.',
  input: {
    action: z.enum(['list', 'claim', 'update', 'done']).optional().describe('Default list'),
    task: PlanId.optional().describe('claim/update/done: the task id'),
    status: TaskStatus.optional().describe('update: the new status; list: only these'),
    assignee: z.string().min(1).max(limits.name).nullable().optional().describe('update: give it to this peer (null: nobody); list: only theirs ("me")'),
    note: z.string().max(limits.reason).optional().describe('update/done: why blocked, what is left'),
    force: z.string().trim().min(1).max(limits.reason).optional().describe('claim: why start before its dependencies are done'),
    project: z.string().min(1).max(limits.path).optional().describe('Another project\'s folder (default: yours)'),
    cursor: z.string().max(80).optional().describe('From more'),
  },
  // Items are left open here (plan-views.ts types them): every tools/list carries this.
  output: {
    tasks: z.array(item).optional(), task: item.optional(), warnings: z.array(item).optional(), nowReady: z.array(z.string()).optional(), more: z.string().optional(),
  },
  // Each change says so to the session (tasksChanged), so the result's news shows it.
  async run(args, client, ctx) {
    const { project, where } = projectOf(ctx, args.project);
    const self = client.peer.id;
    const assignee = args.assignee === 'me' ? self : args.assignee;
    switch (args.action ?? 'list') {
      case 'list':
        return list(client, project, { ...where, status: args.status, assignee: args.assignee ?? undefined }, args.cursor);
      case 'claim': {
        const id = needTask(args.task, 'claim');
        const r = await about(id, () => client.request('plan/claim', { project, task: id, force: args.force }));
        ctx.session.tasksChanged();
        return claimed(r.task, r.warnings, client, project, where);
      }
      case 'update': {
        const id = needTask(args.task, 'update');
        if (args.status === undefined && assignee === undefined && args.note === undefined) throw new BrokerError('invalidInput', 'update needs status, assignee or note');
        // Said here in this tool's words (the broker's refusal cannot name the argument).
        if (args.status === 'blocked' && !args.note?.trim()) {
          throw new BrokerError('invalidInput', `blocked needs a note saying why: mesh_task action="update" task="${id}" status="blocked" note="<why>"`);
        }
        const r = await about(id, () => client.request('plan/update', { project, task: id, status: args.status, assignee, note: args.note, force: args.force }));
        ctx.session.tasksChanged();
        const warnings = warningLines(r.warnings);
        const view = taskView(r.task, self);
        return { text: [`Task ${taskLine(view)}.`, ...warnings.lines].join('\n'), data: { task: view, ...(warnings.views.length && { warnings: warnings.views }) } };
      }
      case 'done': {
        const id = needTask(args.task, 'done');
        const r = await about(id, () => client.request('plan/update', { project, task: id, status: 'done', note: args.note }));
        ctx.session.tasksChanged();
        // What this unblocked: todo tasks waiting on it whose dependencies are now all done.
        const { tasks } = await client.request('plan/tasks', { project });
        const status = statusOf(tasks);
        const nowReady = madeReady(id, tasks, status).map((t) => t.id);
        const next = nowReady.length > 0
          ? ` Now ready: ${someOf(nowReady.map(printable))} (${callText('mesh_task', { action: 'claim', task: nowReady[0], ...where })}).`
          : '';
        return {
          text: `Task ${printable(id)} is done.${next} Release your locks on its files (mesh_lock release) and clear your summary if you are finished.`,
          data: { task: taskView(r.task, self, status), nowReady: nowReady.slice(0, 50) },
        };
      }
    }
  },
});

/** A claim: the task with what the agent needs to start it, and the overlaps to talk about. */
async function claimed(task: Task, warnings: readonly Overlap[], client: MeshClient, project: string | undefined, where: { project?: string }) {
  const view = taskView(task, client.peer.id, undefined, true);
  const contracts = task.contracts.length > 0
    ? ((await client.request('plan/get', { project })).plan?.contracts ?? []).filter((c) => task.contracts.includes(c.id)).map(contractView)
    : [];
  const detail = task.detail.length > detailShown ? task.detail.slice(0, detailShown) : task.detail;
  const cut = detail.length < task.detail.length ? ` [cut; whole: ${callText('mesh_plan', { action: 'show', id: task.id, ...where })}]` : '';
  const w = warningLines(warnings);
  const lines = [
    `You hold task ${taskLine(view)}.`,
    ...(detail ? [`detail: ${printable(detail)}${cut}`] : []),
    ...contracts.map((c) => `contract ${contractLine(c)} (spec: ${callText('mesh_plan', { action: 'show', id: c.id, ...where })})`),
    ...w.lines,
    `Claim its files with mesh_lock before editing; ${callText('mesh_task', { action: 'done', task: task.id, ...where })} when finished.`,
  ];
  return {
    text: lines.join('\n'),
    data: { task: { ...view, ...(detail && { detail }), ...(contracts.length > 0 && { contracts }) }, ...(w.views.length > 0 && { warnings: w.views }) },
  };
}

/** The project's tasks, or undefined when it has no plan. */
async function planTasks(client: MeshClient, project: string | undefined): Promise<Task[] | undefined> {
  const { tasks } = await client.request('plan/tasks', { project });
  if (tasks.length > 0) return tasks;
  // No tasks: a plan without any, or no plan at all (which the agent should hear about).
  return (await client.request('plan/get', { project })).plan ? tasks : undefined;
}

/**
 * The tasks of one status, or one peer's, or (neither given) the open ones, in plan order, a
 * page at a time after the task id of `cursor`.
 */
async function list(client: MeshClient, project: string | undefined, filter: { project?: string; status?: TaskStatus; assignee?: string }, cursor?: string) {
  const self = client.peer.id;
  const tasks = await planTasks(client, project);
  if (!tasks) return { text: 'No tasks: this project has no plan yet (mesh_plan makes one).', data: { tasks: [] } };
  const status = statusOf(tasks);
  const who = filter.assignee === 'me' ? self : filter.assignee;
  const matches = tasks.filter((t) => (filter.status ? t.status === filter.status : who !== undefined || t.status !== 'done')
    && (who === undefined || t.assignee === who || t.assigneeName === who));
  let from = 0;
  if (cursor !== undefined) {
    from = matches.findIndex((t) => t.id === cursor) + 1;
    if (from === 0) throw new BrokerError('invalidInput', `cursor "${cursor}" is not one mesh_task gave (or that task is gone): call mesh_task without it`);
  }
  const views = matches.slice(from).map((t) => taskView(t, self, status, true));
  const page = fitList(views, taskLine);
  const more = page.cut ? callText('mesh_task', { ...filter, cursor: page.items[page.items.length - 1].id }) : undefined;
  const what = filter.status ?? (who === undefined ? 'open' : '');
  const whose = who === undefined ? '' : who === self ? ' of yours' : ` of ${printable(filter.assignee ?? '')}`;
  const ready = views.filter((v) => v.ready).length;
  const head = `${plural(matches.length, `${what ? `${what} ` : ''}task`)}${whose}${ready > 0 ? `, ${ready} ready to claim` : ''}${from > 0 ? ` (from after ${printable(cursor ?? '')})` : ''}:`;
  const text = matches.length === 0 ? `No ${what ? `${what} ` : ''}tasks${whose}.` : [head, ...page.lines, ...(more ? [moreLine(more)] : [])].join('\n');
  return { text, data: { tasks: page.items, ...(more && { more }) } };
}
