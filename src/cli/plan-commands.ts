/**
 * The shared plan on the command line: `peermesh plan` (show, import, accept, reject,
 * show-proposal), `peermesh tasks`, and `peermesh task claim|set|done`. Every command works on
 * one project: the one `--project DIR` is in, else the current folder's.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { plural } from '../core/plural';
import { printable } from '../core/printable';
import { madeReady, statusOf } from '../core/readiness';
import { BrokerError } from '../protocol/errors';
import { PlanId, PlanInput, TaskStatus, taskStatuses, type Overlap } from '../protocol/plan';
import { argument, defineCommand, option, type TableEntry } from './command-spec';
import {
  acceptHint, formatChanges, formatOverlaps, formatPlan, formatProposal, formatTask, formatTasks, issuePath,
} from './plan-format';
import { json, looking, numberedId, print, printJson, withClient } from './run-command';

/** Largest plan file read: a request carrying it must fit the broker's frame. */
const planFileBytes = 1024 * 1024;

export const projectOption = option.text('--project <dir>', "a folder of the project (default: the current folder's project)");

/** The folder the request names its project by: `--project` (which must be a folder), else the current one. */
export async function projectDir(given: string | undefined): Promise<string> {
  if (given === undefined) return process.cwd();
  const dir = path.resolve(given);
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) throw new BrokerError('invalidInput', `--project takes a folder of the project; there is no folder ${given}`);
  return dir;
}

/** A task id as the plan spells it, checked here so a typo is told in the command line's words. */
function taskId(text: string): string {
  if (PlanId.safeParse(text).success) return text;
  throw new BrokerError('invalidInput', `"${printable(text)}" is not a task id (as peermesh tasks lists them): 1 to 64 letters, digits, dots, dashes or underscores`);
}

const proposalId = (text: string): number => numberedId(text, 'proposal', 'peermesh plan');

/** `todo,in_progress` (or `in-progress`) → the statuses; anything else refused naming the choices. */
export function parseStatuses(text: string, flag = '--status'): TaskStatus[] {
  const none = () => new BrokerError('invalidInput', `${flag} takes ${taskStatuses.join(', ')} (several with commas), not "${printable(text)}"`);
  if (text.split(',').every((s) => s.trim() === '')) throw none();
  return text.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const status = TaskStatus.safeParse(s.replace(/[- ]/g, '_').toLowerCase());
    if (status.success) return status.data;
    throw new BrokerError('invalidInput', `${flag} takes ${taskStatuses.join(', ')} (several with commas), not "${printable(s)}"`);
  });
}

/** The file's text (or stdin's, for `-`), refusing one too big to send. */
async function readPlanFile(file: string): Promise<string> {
  const name = file === '-' ? 'stdin' : file;
  const tooBig = () => new BrokerError('invalidInput', `${name} is more than ${planFileBytes / 1024 / 1024} MiB; a plan is far smaller`);
  if (file !== '-') {
    const stat = await fs.stat(file).catch((e: NodeJS.ErrnoException) => {
      throw new BrokerError('invalidInput', `cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
    });
    if (!stat.isFile()) throw new BrokerError('invalidInput', `${file} is not a file`);
    if (stat.size > planFileBytes) throw tooBig();
    return fs.readFile(file, 'utf8');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > planFileBytes) throw tooBig();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The plan in `text`, or `invalidInput` listing every issue by its path (nothing is sent). */
export function readPlan(text: string, name: string): PlanInput {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new BrokerError('invalidInput', `${name} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = PlanInput.safeParse(value);
  if (parsed.success) return parsed.data;
  const { issues } = parsed.error;
  throw new BrokerError('invalidInput', `${name} is not a valid plan (${plural(issues.length, 'issue')}); nothing was stored`, {
    issues: issues.map((i) => ({ path: issuePath(i.path), message: i.message })),
  });
}

/** `notReady` lists what the task waits for, not the task: add it, so the error can name it. */
const naming = (task: string) => (e: unknown): never => {
  throw BrokerError.is(e, 'notReady') ? new BrokerError('notReady', e.message, { ...e.data, task }) : e;
};

/** The overlap warnings of a claim, on stderr: they are news about the result, not the result. */
function warn(warnings: readonly Overlap[]): void {
  if (warnings.length > 0) process.stderr.write(formatOverlaps(warnings) + '\n');
}

const proposalArgument = argument.required('the proposal id, as peermesh plan lists it (3 or #3)');
const taskArgument = argument.required('the task id, as peermesh tasks lists it');
const force = option.text('--force <reason>', 'start it although tasks it depends on are not done: why');

const plan: TableEntry = {
  name: 'plan',
  description: 'The project\'s shared plan: show it (the default), import one, accept or reject a proposed change.',
  subcommands: [
    defineCommand({
      name: 'show',
      isDefault: true,
      description: 'Show the plan as a tree: phases and their tasks (status, assignee, what each needs), contracts, proposals waiting (the default: peermesh plan).',
      arguments: {},
      options: { project: projectOption, json },
      examples: ['peermesh plan', 'peermesh plan --project ../api --json'],
      async run(ctx, _args, opts) {
        const project = await projectDir(opts.project);
        const result = await withClient(ctx, (c) => c.request('plan/get', { project }), looking);
        if (opts.json) return printJson(result);
        if (result.plan === null) return print(`no plan yet for the project of ${project}; make one: peermesh plan import FILE`);
        print(formatPlan(result.plan, result.proposals));
      },
    }),
    defineCommand({
      name: 'import',
      description: 'Submit a plan from a JSON file (- for stdin): stored if the project has none, else proposed as a change to accept or reject.',
      arguments: { file: argument.required('the plan as JSON (title, phases with tasks, contracts), or - for stdin') },
      options: { project: projectOption, json },
      examples: ['peermesh plan import plan.json', 'peermesh plan import - --project ../api < plan.json'],
      async run(ctx, { file }, opts) {
        const project = await projectDir(opts.project);
        const input = readPlan(await readPlanFile(file), file === '-' ? 'stdin' : file);
        const result = await withClient(ctx, (c) => c.request('plan/submit', { project, plan: input, source: 'file' }));
        if (opts.json) return printJson(result);
        if (result.proposal) {
          const p = result.proposal;
          return print([
            `the project has a plan already: this one is proposal #${p.id}, waiting (against version ${p.baseVersion}); accepting it changes:`,
            formatChanges(p.changes),
            acceptHint(p.id),
          ].join('\n'));
        }
        const stored = result.plan!;
        const tasks = stored.phases.reduce((n, ph) => n + ph.tasks.length, 0);
        print(`stored plan "${printable(stored.title)}" (version ${stored.version}) for ${printable(stored.project)}: ${plural(stored.phases.length, 'phase')}, ${plural(tasks, 'task')}, ${plural(stored.contracts.length, 'contract')}; peermesh plan shows it`);
      },
    }),
    defineCommand({
      name: 'show-proposal',
      description: 'Show a proposal: who made it, against which version, and what accepting it changes now.',
      arguments: { id: proposalArgument },
      options: { json },
      examples: ['peermesh plan show-proposal 3'],
      async run(ctx, { id }, opts) {
        const { proposal } = await withClient(ctx, (c) => c.request('plan/proposal', { id: proposalId(id) }), looking);
        if (opts.json) return printJson(proposal);
        print(formatProposal(proposal));
      },
    }),
    defineCommand({
      name: 'accept',
      description: 'Accept a proposal: the plan becomes it (tasks that stay keep their status and assignee); other proposals are superseded.',
      arguments: { id: proposalArgument },
      options: { json },
      examples: ['peermesh plan accept 3'],
      async run(ctx, { id }, opts) {
        const { plan: accepted } = await withClient(ctx, (c) => c.request('plan/accept', { id: proposalId(id) }));
        if (opts.json) return printJson(accepted);
        print(`accepted proposal #${proposalId(id)}: "${printable(accepted.title)}" is now version ${accepted.version}; peermesh plan shows it`);
      },
    }),
    defineCommand({
      name: 'reject',
      description: 'Turn a proposal down; the plan stays as it is.',
      arguments: { id: proposalArgument },
      options: { reason: option.text('--reason <text>', 'why, told to its author'), json },
      examples: ['peermesh plan reject 3 --reason "keep the API phase first"'],
      async run(ctx, { id }, opts) {
        const { proposal } = await withClient(ctx, (c) => c.request('plan/reject', { id: proposalId(id), reason: opts.reason ?? '' }));
        if (opts.json) return printJson(proposal);
        print(`rejected proposal #${proposal.id} (made by ${printable(proposal.authorName)}); the plan is unchanged`);
      },
    }),
  ],
};

const tasks = defineCommand({
  name: 'tasks',
  description: 'List the project\'s tasks in plan order: all, yours, or those of some statuses.',
  arguments: {},
  options: {
    mine: option.flag('--mine', 'only the tasks assigned to you (this terminal identity)'),
    status: option.text('--status <statuses>', `only these statuses: ${taskStatuses.join(', ')} (several with commas)`),
    project: projectOption,
    json,
  },
  examples: ['peermesh tasks --status todo,blocked', 'peermesh tasks --mine --json'],
  async run(ctx, _args, opts) {
    const project = await projectDir(opts.project);
    const status = opts.status === undefined ? undefined : parseStatuses(opts.status);
    // Every task of the project (at most 300), so a listing can say which are ready.
    const { all, me } = await withClient(ctx, async (c) => ({ all: (await c.request('plan/tasks', { project })).tasks, me: c.peer.id }), looking);
    const shown = all.filter((t) => (status === undefined || status.includes(t.status)) && (!opts.mine || t.assignee === me));
    if (opts.json) return printJson(shown);
    print(formatTasks(shown, all));
  },
});

const task: TableEntry = {
  name: 'task',
  description: 'Work on one task of the plan: claim it, move it, mark it done.',
  subcommands: [
    defineCommand({
      name: 'claim',
      description: 'Take a task (in progress, assigned to you); fails if another peer has it, or if tasks it depends on are not done (unless --force says why).',
      arguments: { id: taskArgument },
      options: { force, project: projectOption, json },
      examples: ['peermesh task claim login-form', 'peermesh task claim login-form --force "the API is stubbed for now"'],
      async run(ctx, { id }, opts) {
        const project = await projectDir(opts.project);
        const result = await withClient(ctx, (c) => c.request('plan/claim', { project, task: taskId(id), force: opts.force }).catch(naming(id)));
        if (opts.json) return printJson(result);
        print(`claimed ${formatTask(result.task)}`);
        warn(result.warnings);
      },
    }),
    defineCommand({
      name: 'set',
      description: 'Change a task: its status, a note (why it is blocked), who it is assigned to.',
      arguments: { id: taskArgument },
      options: {
        status: option.text('--status <status>', `${taskStatuses.join(', ')} (in_progress claims it, with claim's rules)`),
        note: option.text('--note <text>', 'a note on the task, e.g. why it is blocked'),
        assignee: option.text('--assignee <peer>', 'assign it to this peer (id or name)'),
        unassign: option.flag('--unassign', 'assign it to nobody'),
        force,
        project: projectOption,
        json,
      },
      examples: ['peermesh task set login-form --status blocked --note "waiting for the API contract"', 'peermesh task set login-form --assignee claude-code'],
      async run(ctx, { id }, opts) {
        const statuses = opts.status === undefined ? [] : parseStatuses(opts.status);
        if (statuses.length > 1) throw new BrokerError('invalidInput', '--status takes one status here');
        if (opts.assignee !== undefined && opts.unassign) throw new BrokerError('invalidInput', '--assignee and --unassign do not go together');
        if (statuses.length === 0 && opts.note === undefined && opts.assignee === undefined && !opts.unassign) {
          throw new BrokerError('invalidInput', 'say what to change: --status, --note, --assignee or --unassign');
        }
        // Said here in the command's words (the broker's refusal cannot name the flag).
        if (statuses[0] === 'blocked' && !opts.note?.trim()) throw new BrokerError('invalidInput', `say why task ${id} is blocked: --note TEXT`);
        const project = await projectDir(opts.project);
        const assignee = opts.unassign ? null : opts.assignee;
        const result = await withClient(ctx, (c) => c.request('plan/update', {
          project, task: taskId(id), status: statuses[0], note: opts.note, assignee, force: opts.force,
        }).catch(naming(id)));
        if (opts.json) return printJson(result);
        print(formatTask(result.task));
        warn(result.warnings);
      },
    }),
    defineCommand({
      name: 'done',
      description: 'Mark a task done.',
      arguments: { id: taskArgument },
      options: { note: option.text('--note <text>', 'a note on how it ended'), force, project: projectOption, json },
      examples: ['peermesh task done login-form'],
      async run(ctx, { id }, opts) {
        const project = await projectDir(opts.project);
        const { result, all } = await withClient(ctx, async (c) => {
          const moved = await c.request('plan/update', { project, task: taskId(id), status: 'done', note: opts.note, force: opts.force }).catch(naming(id));
          return { result: moved, all: (await c.request('plan/tasks', { project })).tasks };
        });
        if (opts.json) return printJson(result);
        print(formatTask(result.task));
        const ready = madeReady(result.task.id, all, statusOf(all));
        if (ready.length > 0) print(`now ready: ${ready.map((t) => t.id).join(', ')} (peermesh task claim ${ready[0].id})`);
      },
    }),
  ],
};

/** The plan's entries of the command table. */
export const planCommands: readonly TableEntry[] = [plan, tasks, task];
