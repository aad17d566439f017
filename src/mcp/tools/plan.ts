/**
 * The shared plan and its contracts: mesh_plan. Reading it (plan-show.ts), submitting a whole
 * plan or decomposing a description through the agent's own model (plan-submit.ts), deciding
 * proposals, and keeping contracts. The broker enforces the rules (requests/plan.ts); this tool
 * checks what it can first, so a refusal names the arguments as the agent wrote them.
 */
import * as z from 'zod';
import { BrokerError } from '../../protocol/errors';
import { limits } from '../../protocol/limits';
import { ContractKind, ContractStatus, PlanId, planLimits } from '../../protocol/plan';
import { plural } from '../../core/plural';
import { descriptionLimit } from '../../core/decompose';
import { printable } from '../../core/printable';
import { callText } from '../budget';
import { defineTool, resolvePath, type ToolContext } from '../tool';
import { contractLine, contractView } from '../plan-views';
import { planItem, planTree, proposalChanges, type Where } from './plan-show';
import { decomposeAndSubmit, planArgument, submitPlan } from './plan-submit';

/** The project a call names, as the broker takes it, and as the tool's own calls repeat it. */
export function projectOf(ctx: ToolContext, project: string | undefined): { project?: string; where: Where } {
  if (project === undefined) return { where: {} };
  const resolved = resolvePath(ctx, project);
  if (resolved.length > limits.path) throw new BrokerError('invalidInput', `project is ${resolved.length} characters once resolved against your cwd; at most ${limits.path}`);
  return { project: resolved, where: { project } };
}

/** A contract as the `contract` argument gives it: the fields of `plan/contract`. */
const ContractArgument = z.object({
  id: PlanId,
  kind: ContractKind.optional(),
  name: z.string().trim().min(1).max(planLimits.title).optional(),
  spec: z.string().min(1).max(planLimits.spec).optional(),
  file: z.string().trim().min(1).max(limits.path).nullable().optional(),
  symbol: z.string().trim().min(1).max(limits.name).nullable().optional(),
  status: ContractStatus.optional(),
}).strict();

function contractArgument(value: unknown): z.infer<typeof ContractArgument> {
  if (value === undefined) throw new BrokerError('invalidInput', 'contract needs contract={id, kind, name, spec} (a new one), or {id, ...the fields to change}');
  const parsed = ContractArgument.safeParse(typeof value === 'string' ? safeJson(value) : value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 5).map((i) => `contract${i.path.map((p) => `.${String(p)}`).join('')}: ${i.message}`);
  throw new BrokerError('invalidInput', `${issues.join('; ')}. Correct it and call again.`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const item = z.record(z.string(), z.unknown());

/** mesh_plan: the project's plan, its proposals and contracts. */
export const planTool = defineTool({
  name: 'mesh_plan',
  title: 'The shared plan',
  description: 'The shared plan of your project: phases, tasks (status, who) and the contracts agents code against. show it before choosing work (mesh_task takes tasks). submit a whole plan; if one exists it becomes a proposal to accept or reject. decompose: your model writes the plan from a description.',
  input: {
    action: z.enum(['show', 'submit', 'accept', 'reject', 'contract', 'decompose']).optional().describe('Default show; contract: add or change one (status "approved" approves it)'),
    id: z.string().max(planLimits.id).optional().describe('show: one task or contract in full'),
    proposal: z.number().int().min(1).optional().describe('show/accept/reject: a proposal id'),
    plan: z.unknown().optional().describe('submit: {title, description?, phases:[{id, title, tasks:[{id, title, detail?, files?, dependsOn?, contracts?}]}], contracts?:[{id, kind, name, spec, file?, symbol?}]}'),
    contract: z.unknown().optional().describe('contract: {id, kind?, name?, spec?, file?, symbol?, status?}'),
    description: z.string().max(descriptionLimit).optional().describe('decompose: the work to plan'),
    reason: z.string().max(limits.reason).optional().describe('reject: why'),
    project: z.string().min(1).max(limits.path).optional().describe('Another project\'s folder (default: yours)'),
    cursor: z.string().max(40).optional().describe('From more'),
  },
  // Items are left open here (plan-views.ts and plan-show.ts type them): every tools/list carries this.
  output: {
    project: z.string().optional(), title: z.string().optional(), version: z.number().optional(), description: z.string().optional(),
    phases: z.array(item).optional(), contracts: z.array(item).optional(), proposals: z.array(item).optional(),
    task: item.optional(), contract: item.optional(), proposal: item.optional(), changes: z.array(item).optional(),
    ready: z.array(z.string()).optional(), more: z.string().optional(),
  },
  async run(args, client, ctx, signal) {
    const { project, where } = projectOf(ctx, args.project);
    const self = client.peer.id;
    switch (args.action ?? 'show') {
      case 'show': {
        if (args.proposal !== undefined) return proposalChanges((await client.request('plan/proposal', { id: args.proposal })).proposal, self, args.cursor);
        const { plan, proposals } = await client.request('plan/get', { project });
        if (!plan) {
          const text = `No plan for this project yet. Write one and submit it (mesh_plan action="submit" plan={...}), or have your model write it: mesh_plan action="decompose" description="...".`;
          return { text, data: {} };
        }
        return args.id !== undefined ? planItem(plan, args.id, self, where, args.cursor) : planTree(plan, proposals, self, where, args.cursor);
      }
      case 'submit':
        return submitPlan(client, where, project, planArgument(args.plan), 'agent');
      case 'decompose':
        return decomposeAndSubmit(ctx.askModel?.(), client, where, project, args.description, signal);
      case 'accept': {
        const id = needProposal(args.proposal, 'accept');
        const { plan } = await client.request('plan/accept', { id });
        // A task this agent held may have gone with the old plan.
        ctx.session.tasksChanged();
        const tasks = plan.phases.reduce((n, p) => n + p.tasks.length, 0);
        return {
          text: `Accepted proposal #${id}: the plan is now v${plan.version} ${printable(JSON.stringify(plan.title))}, ${plural(tasks, 'task')}, ${plural(plan.contracts.length, 'contract')}. Tasks that stayed kept their status and assignee.`,
          data: { project: plan.project, title: plan.title, version: plan.version },
        };
      }
      case 'reject': {
        const id = needProposal(args.proposal, 'reject');
        const { proposal } = await client.request('plan/reject', { id, reason: args.reason ?? '' });
        return { text: `Rejected proposal #${id}.`, data: { proposal: { id, by: proposal.author === self ? 'you' : proposal.authorName, source: proposal.source, status: proposal.status } } };
      }
      case 'contract': {
        const change = contractArgument(args.contract);
        const { contract } = await client.request('plan/contract', { project, ...change });
        const view = contractView(contract);
        const next = contract.status === 'proposed' ? ` Others approve it with ${callText('mesh_plan', { action: 'contract', contract: { id: contract.id, status: 'approved' } })}.` : '';
        return { text: `Contract ${contractLine(view)} saved.${next}`, data: { contract: view } };
      }
    }
  },
});

function needProposal(id: number | undefined, action: string): number {
  if (id === undefined) throw new BrokerError('invalidInput', `${action} needs proposal (its id: mesh_plan lists the pending ones)`);
  return id;
}
