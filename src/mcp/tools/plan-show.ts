/**
 * mesh_plan's readings of the plan, each within the result's budget: the whole plan as a tree
 * (phases with their tasks, then contracts, then pending proposals), a page at a time; one task
 * or contract in full, a long detail or spec read in parts; one proposal's changes. Cursors
 * carry the plan's version, so a page never mixes two versions of the plan.
 */
import { BrokerError } from '../../protocol/errors';
import type { PlanView, Proposal, Task } from '../../protocol/plan';
import { plural } from '../../core/plural';
import { printable } from '../../core/printable';
import { statusOf } from '../../core/readiness';
import { callText, fitList, jsonBytes, moreLine, numericCursor, ownBytes, partEnd, renderedBytes } from '../budget';
import { type ContractView, type TaskView, changeLine, contractLine, contractView, taskLine, taskView } from '../plan-views';
import { clip } from '../views';

type PhaseView = { id: string; title: string; tasks: TaskView[] };

/** Where the tool's call of a page goes: the arguments that name the project. */
export interface Where {
  project?: string;
}

const allTasks = (plan: PlanView): Task[] => plan.phases.flatMap((p) => p.tasks);

/** `5 tasks (1 done, 3 todo of which 2 ready, 1 in_progress)`. */
function countsText(tasks: readonly TaskView[]): string {
  const by = new Map<string, number>();
  for (const t of tasks) by.set(t.status, (by.get(t.status) ?? 0) + 1);
  const ready = tasks.filter((t) => t.ready).length;
  const parts = [...by].map(([s, n]) => `${n} ${s}${s === 'todo' && ready > 0 ? ` (${ready} ready)` : ''}`);
  return `${plural(tasks.length, 'task')}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

type Item = { phase: { id: string; title: string }; task: TaskView } | { contract: ContractView };

/**
 * The plan as a tree, from the item `cursor` names (tasks in plan order, then contracts), as
 * much as fits `room` bytes of text and data. `proposals` pending are listed on every page (at
 * most five), as each needs someone to decide.
 */
export function planTree(
  plan: PlanView, proposals: ReadonlyArray<Omit<Proposal, 'plan'>>, selfId: string, where: Where, cursor?: string, room = ownBytes,
) {
  const from = treeCursor(cursor, plan.version);
  const status = statusOf(allTasks(plan));
  const views = plan.phases.flatMap((p) => p.tasks.map((t) => ({ phase: { id: p.id, title: p.title }, task: taskView(t, selfId, status) })));
  const items: Item[] = [...views, ...plan.contracts.map((c) => ({ contract: contractView(c) }))];
  const shownProposals = proposals.slice(0, 5).map((p) => ({ id: p.id, by: p.author === selfId ? 'you' : p.authorName, source: p.source, changes: p.changes.length }));
  const head = `Plan ${printable(JSON.stringify(plan.title))} v${plan.version} of ${printable(plan.project)}: ${countsText(views.map((v) => v.task))}, ${plural(plan.contracts.length, 'contract')}.`;
  const description = from === 0 && plan.description ? clip(plan.description, 500) : undefined;
  const proposalLines = shownProposals.map((p) => `proposal #${p.id} by ${printable(p.by)} (${p.source}, ${plural(p.changes, 'change')}) waits: ${callText('mesh_plan', { action: 'show', proposal: p.id })}, then accept or reject`);
  if (proposals.length > shownProposals.length) proposalLines.push(`and ${proposals.length - shownProposals.length} more proposals`);

  const render = (shown: Item[], more?: string) => {
    const phases: PhaseView[] = [];
    const contracts: ContractView[] = [];
    const lines = [head, ...(description ? [`About: ${description}`] : [])];
    for (const item of shown) {
      if ('task' in item) {
        if (phases[phases.length - 1]?.id !== item.phase.id) {
          phases.push({ ...item.phase, tasks: [] });
          lines.push(`Phase ${printable(item.phase.id)} ${printable(JSON.stringify(item.phase.title))}:`);
        }
        phases[phases.length - 1].tasks.push(item.task);
        lines.push(`  ${taskLine(item.task)}`);
      } else {
        if (contracts.length === 0) lines.push('Contracts:');
        contracts.push(item.contract);
        lines.push(`  ${contractLine(item.contract)}`);
      }
    }
    lines.push(...proposalLines);
    if (more) lines.push(moreLine(more));
    const data = {
      project: plan.project, title: plan.title, version: plan.version,
      ...(description && { description }),
      phases, contracts,
      ...(shownProposals.length > 0 && { proposals: shownProposals }),
      ...(more && { more }),
    };
    return { text: lines.join('\n'), data };
  };
  // Each item is counted with its line and, for a task opening a phase, the phase's own entry.
  let lastPhase: string | undefined;
  const bytes = (item: Item, line: string) => {
    const opens = 'task' in item && item.phase.id !== lastPhase;
    if ('task' in item) lastPhase = item.phase.id;
    return jsonBytes('task' in item ? item.task : item.contract) + jsonBytes(line) + (opens ? jsonBytes(item.phase) + jsonBytes(`Phase ${item.phase.title}`) : 0);
  };
  const line = (item: Item) => ('task' in item ? `  ${taskLine(item.task)}` : `  ${contractLine(item.contract)}`);
  const frame = renderedBytes(render([], callText('mesh_plan', { ...where, cursor: `${plan.version}:${items.length}` })));
  const page = fitList(items.slice(from), line, room - frame - 512, bytes);
  const more = page.cut ? callText('mesh_plan', { ...where, cursor: `${plan.version}:${from + page.items.length}` }) : undefined;
  return render(page.items, more);
}

function treeCursor(cursor: string | undefined, version: number): number {
  if (cursor === undefined) return 0;
  const m = /^(\d{1,9}):(\d{1,9})$/.exec(cursor);
  if (!m) throw new BrokerError('invalidInput', `cursor "${cursor}" is not one mesh_plan gave: call mesh_plan without it`);
  if (Number(m[1]) !== version) throw new BrokerError('invalidInput', `the plan changed (now v${version}) since that page: call mesh_plan without cursor`);
  return Number(m[2]);
}

/**
 * One task or contract in full, by id (a task first, when both have it). Its detail or spec is
 * read from character `cursor` (a number), as much as fits, with the call for the rest.
 */
export function planItem(plan: PlanView, id: string, selfId: string, where: Where, cursor?: string) {
  const at = cursor === undefined ? 0 : numericCursor(cursor);
  if (at === undefined) throw new BrokerError('invalidInput', `cursor "${cursor}" is not one mesh_plan gave: call ${callText('mesh_plan', { action: 'show', id, ...where })}`);
  const tasks = allTasks(plan);
  const task = tasks.find((t) => t.id === id);
  const contract = plan.contracts.find((c) => c.id === id);
  if (!task && !contract) throw new BrokerError('notFound', `no task or contract "${id}" in the plan (mesh_plan shows them)`);
  const status = statusOf(tasks);
  let head: string[];
  let long: { name: 'detail' | 'spec'; text: string };
  let data: Record<string, unknown>;
  if (task) {
    const view = taskView(task, selfId, status, true);
    const deps = task.dependsOn.map((d) => `${d} (${tasks.find((t) => t.id === d)?.status ?? 'gone'})`);
    const contracts = plan.contracts.filter((c) => task.contracts.includes(c.id)).map(contractView);
    head = [`Task ${taskLine(view)} in phase ${printable(task.phase)}`,
      ...(deps.length ? [`depends on: ${deps.map(printable).join(', ')}`] : []),
      ...contracts.map((c) => `contract ${contractLine(c)}`),
      ...(contract ? [`also a contract: ${contractLine(contractView(contract))}`] : [])];
    long = { name: 'detail', text: task.detail };
    data = { task: { ...view, phase: task.phase, ...(deps.length && { dependsOn: task.dependsOn }), ...(contracts.length && { contracts }) } };
  } else {
    const c = contract!;
    head = [`Contract ${contractLine(contractView(c))}`];
    long = { name: 'spec', text: c.spec };
    data = { contract: contractView(c) };
  }
  if (at > 0 && at >= long.text.length) throw new BrokerError('invalidInput', `cursor "${cursor}" is past the end of ${id}'s ${long.name}: call without it`);
  const render = (end: number) => {
    const part = long.text.slice(at, end);
    const more = end < long.text.length ? callText('mesh_plan', { action: 'show', id, ...where, cursor: String(end) }) : undefined;
    const whole = at === 0 && !more;
    const label = whole ? `${long.name}:` : `${long.name}, characters ${at} to ${end} of ${long.text.length}:`;
    const lines = [...head, ...(part ? [`${label} ${printable(part)}`] : []), ...(more ? [moreLine(more)] : [])];
    const key = 'task' in data ? 'task' : 'contract';
    return { text: lines.join('\n'), data: { [key]: { ...(data[key] as object), [long.name]: part, ...(!whole && { from: at }) }, ...(more && { more }) } };
  };
  const frame = renderedBytes(render(at)) + 3 * String(long.text.length).length;
  return render(partEnd(long.text, at, ownBytes - frame, true));
}

/** One proposal: who made it, from what, and what accepting it changes, a page at a time. */
export function proposalChanges(p: Proposal, selfId: string, cursor?: string) {
  const from = cursor === undefined ? 0 : numericCursor(cursor);
  if (from === undefined) throw new BrokerError('invalidInput', `cursor "${cursor}" is not one mesh_plan gave: call ${callText('mesh_plan', { action: 'show', proposal: p.id })}`);
  const views = p.changes.map((c) => ({ what: c.what, id: c.id, change: c.change, ...(c.fields.length > 0 && { fields: c.fields }), ...(c.note && { note: c.note }) }));
  const page = fitList(views.slice(from), (c) => `- ${changeLine({ ...c, fields: c.fields ?? [] })}`);
  const more = page.cut ? callText('mesh_plan', { action: 'show', proposal: p.id, cursor: String(from + page.items.length) }) : undefined;
  const by = p.author === selfId ? 'you' : p.authorName;
  const decide = p.status === 'pending' ? `Accept: ${callText('mesh_plan', { action: 'accept', proposal: p.id })}; or reject it (with a reason).` : `It is ${p.status}.`;
  const head = `Proposal #${p.id} by ${printable(by)} (${p.source}, against plan v${p.baseVersion}): ${plural(p.changes.length, 'change')}.`;
  const text = [head, ...page.lines, decide, ...(more ? [moreLine(more)] : [])].join('\n');
  return { text, data: { proposal: { id: p.id, by, source: p.source, status: p.status }, changes: page.items, ...(more && { more }) } };
}
