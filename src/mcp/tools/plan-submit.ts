/**
 * Submitting a whole plan, written by the agent or decomposed from a description by the agent's
 * own model (MCP sampling): checked here with the plan schema first, so the issues come back by
 * path in the tool's words, then stored at once (a project without a plan) or kept as a proposal
 * whose changes are listed with the call that accepts it.
 */
import { BrokerError } from '../../protocol/errors';
import { PlanInput, planLimits, type PlanSource, type PlanView } from '../../protocol/plan';
import { DecompositionFailed, decompose, type AskModel } from '../../core/decompose';
import { plural, someOf } from '../../core/plural';
import { printable } from '../../core/printable';
import { isReady, statusOf } from '../../core/readiness';
import { callText } from '../budget';
import type { MeshClient } from '../mesh-session';
import { planTree, proposalChanges, type Where } from './plan-show';

/** The shape of a plan and the rules, for an agent that writes one itself. */
export const planRules = [
  'A plan is JSON: {"title", "description"?, "phases": [{"id", "title", "tasks": [{"id", "title", "detail"?, "files"?: [globs], "dependsOn"?: [task ids], "contracts"?: [contract ids]}]}], "contracts"?: [{"id", "kind", "name", "spec", "file"?, "symbol"?}]}.',
  'Rules: phases in the order the work lands; a task is one agent\'s work (hours), listing the files it changes, so tasks on different files run at once;',
  'where two tasks meet (api, schema, type, event, cli, config, other) write a contract with its spec and list it in both tasks;',
  `dependsOn only where a task cannot start before another is done, no cycles; ids short and unique (letters, digits, dashes); at most ${planLimits.tasks} tasks.`,
].join(' ');

/**
 * The plan argument as a plan, given as an object or as its JSON text; `invalidInput` listing
 * what is wrong by path (`phases[0].tasks[1].dependsOn[0]`), as the model needs to fix it.
 */
export function planArgument(value: unknown): PlanInput {
  if (value === undefined) throw new BrokerError('invalidInput', `submit needs plan. ${planRules}`);
  let plan = value;
  if (typeof value === 'string') {
    try {
      plan = JSON.parse(value);
    } catch (e) {
      throw new BrokerError('invalidInput', `plan is not JSON (${(e as Error).message}): give it as an object`);
    }
  }
  const parsed = PlanInput.safeParse(plan);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 12).map((i) => `${pathText(['plan', ...i.path])}: ${i.message}`);
  const rest = parsed.error.issues.length - issues.length;
  throw new BrokerError('invalidInput', `The plan is not valid, nothing was stored: ${issues.join('; ')}${rest > 0 ? `; and ${rest} more` : ''}. Fix and submit it again.`);
}

function pathText(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
}

/**
 * Submits `plan` and says what happened: stored (with the tasks ready to take; the whole tree
 * when the agent's model wrote it elsewhere, as this model has not seen it), or a proposal with
 * its changes.
 */
export async function submitPlan(client: MeshClient, where: Where, project: string | undefined, plan: PlanInput, source: PlanSource) {
  const r = await client.request('plan/submit', { project, plan, source });
  const self = client.peer.id;
  if (r.proposal) {
    const page = proposalChanges(r.proposal, self);
    const why = `This project has a plan already, so this one is proposal #${r.proposal.id}, not applied. Agree it with the others, then accept it.`;
    return { text: `${why}\n${page.text}`, data: page.data };
  }
  const stored = r.plan!;
  if (source === 'sampling') {
    const tree = planTree(stored, [], self, where);
    return { text: `Your model's plan is stored (nobody has accepted anything: it is the project's first).\n${tree.text}`, data: tree.data };
  }
  const tasks = stored.phases.flatMap((p) => p.tasks);
  const status = statusOf(tasks);
  const ready = tasks.filter((t) => isReady(t, status)).map((t) => t.id);
  const take = ready.length > 0 ? ` Ready to start: ${someOf(ready.map(printable))}; take one with ${callText('mesh_task', { action: 'claim', task: ready[0], ...where })}.` : '';
  const text = `Plan stored as v${stored.version} for ${printable(stored.project)}: ${plural(stored.phases.length, 'phase')}, ${plural(tasks.length, 'task')}, ${plural(stored.contracts.length, 'contract')}.${take}`;
  return { text, data: { project: stored.project, version: stored.version, ready: ready.slice(0, 50) } };
}

/** What an agent whose client offers no sampling is told to do instead. */
export const noSampling = `Your MCP client does not offer sampling, so PeerMesh cannot ask your model for a plan. Write it yourself and submit it with mesh_plan action="submit" plan={...}. ${planRules}`;

/**
 * Asks the agent's model (through its client) for a plan of `description`, with the project's
 * current plan as context when it has one, and submits the answer as the model's (`sampling`).
 */
export async function decomposeAndSubmit(
  ask: AskModel | undefined, client: MeshClient, where: Where, project: string | undefined, description: string | undefined, signal?: AbortSignal,
) {
  if (!description?.trim()) throw new BrokerError('invalidInput', 'decompose needs a description of the work to plan');
  if (!ask) throw new BrokerError('invalidInput', noSampling);
  const { plan: current } = await client.request('plan/get', { project });
  let plan: PlanInput;
  try {
    plan = await decompose(description, ask, { context: current ? planContext(current) : undefined, signal });
  } catch (e) {
    if (e instanceof DecompositionFailed) {
      const issues = e.attempts[e.attempts.length - 1].issues.slice(0, 8);
      throw new BrokerError('invalidInput', `Your model's plan was still not valid after being told what was wrong, so nothing was stored: ${issues.join('; ')}. Write the plan yourself and submit it (mesh_plan action="submit"). ${planRules}`);
    }
    if (BrokerError.is(e)) throw e;
    throw new BrokerError('invalidInput', `Your client did not give a plan (${(e as Error).message}). Write it yourself and submit it (mesh_plan action="submit"). ${planRules}`);
  }
  return submitPlan(client, where, project, plan, 'sampling');
}

/** Characters of the current plan shown to the model that writes the next one. */
const contextChars = 8000;

/** The current plan, compactly, so a new one keeps what stays (ids, statuses) and changes the rest. */
function planContext(plan: PlanView): string {
  const lines = [
    `A plan exists (v${plan.version}): "${plan.title}". Your answer replaces it whole: keep the ids of the phases, tasks and contracts that stay.`,
    ...plan.phases.flatMap((p) => [`phase ${p.id} "${p.title}":`, ...p.tasks.map((t) => `  task ${t.id} [${t.status}] "${t.title}" files: ${t.files.join(', ') || '-'}${t.dependsOn.length ? `; after ${t.dependsOn.join(', ')}` : ''}`)]),
    ...plan.contracts.map((c) => `contract ${c.id} (${c.kind}, ${c.status}) "${c.name}"`),
  ];
  const text = lines.join('\n');
  return text.length > contextChars ? `${text.slice(0, contextChars)}\n(and more, cut here)` : text;
}
