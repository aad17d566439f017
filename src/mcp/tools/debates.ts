/**
 * Structured debates, for the agents that disagree: mesh_debate. One call is one turn: start
 * a debate with the peers it concerns (taking the first turn), respond in its rounds (a
 * position, and a proposal of one's own or the number of one accepted), get one to read it,
 * list the project's. The broker keeps the rules (requests/debate.ts); each result says where
 * the debate stands and what to do next, so the model needs no second call to find out.
 */
import * as z from 'zod';
import { coordinationLimits, type Debate, type DebateSummary } from '../../protocol/coordination';
import { BrokerError } from '../../protocol/errors';
import { limits } from '../../protocol/limits';
import { plural } from '../../core/plural';
import { printable } from '../../core/printable';
import { callText, fitList } from '../budget';
import { defineTool } from '../tool';

const item = z.record(z.string(), z.unknown());

/** Characters of a turn's position shown in `get` (a round's positions read together). */
const positionShown = 400;

/** Characters of a proposal shown (the CLI's `peermesh debate show` has it whole). */
const proposalShown = 600;

/** What a result gives proposals, and turns: each part a third of the tool's own bytes. */
const partBudget = 5 * 1024;

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** The newest of `items` that fit the budget, in their order, with a line saying how many earlier ones are left out. */
function newest<T>(items: readonly T[], line: (item: T) => string, what: string): { items: T[]; lines: string[] } {
  const fit = fitList([...items].reverse(), line, partBudget);
  const left = items.length - fit.items.length;
  return { items: fit.items.reverse(), lines: [...(left > 0 ? [`(${left} earlier ${what} not shown)`] : []), ...fit.lines.reverse()] };
}

/** mesh_debate: start, respond to, read and list debates. */
export const debateTool = defineTool({
  name: 'mesh_debate',
  title: 'Debates between agents',
  description: 'Settle a disagreement with other agents in rounds; the person rules if you cannot agree. start (topic, with, your first turn), respond (id, your turn), get, list. A turn: position, plus proposal (yours) or accept (a proposal number), or escalate to ask the person now.',
  input: {
    action: z.enum(['start', 'respond', 'get', 'list']).optional().describe('Default list'),
    id: z.number().int().min(1).optional().describe('respond/get: the debate'),
    topic: z.string().trim().min(1).max(coordinationLimits.topic).optional().describe('start'),
    with: z.array(z.string().min(1).max(limits.name)).min(1).max(coordinationLimits.participants - 1).optional().describe('start: peer names'),
    origin: z.number().int().min(1).optional().describe('start: the delta in dispute'),
    position: z.string().trim().min(1).max(coordinationLimits.detail).optional().describe('Your view and why'),
    constraints: z.array(z.string().trim().min(1).max(coordinationLimits.item)).max(coordinationLimits.items).optional().describe('What you must keep'),
    alternatives: z.array(z.string().trim().min(1).max(coordinationLimits.item)).max(coordinationLimits.items).optional().describe('Other ways'),
    proposal: z.string().trim().min(1).max(coordinationLimits.detail).optional(),
    accept: z.number().int().min(1).optional(),
    escalate: z.boolean().optional(),
  },
  output: { debate: item.optional(), debates: z.array(item).optional() },
  async run(args, client, ctx) {
    const self = client.peer.id;
    const action = args.action ?? 'list';
    if (action === 'list') {
      const { debates } = await client.request('debate/list', {});
      if (debates.length === 0) return { text: 'No debates in this project.', data: { debates: [] } };
      const page = fitList(debates.map((d) => view(d, self)), (v) => headLine(v));
      const rest = debates.length - page.items.length;
      const head = `${plural(debates.length, 'debate')}, newest first${rest > 0 ? ` (${rest} more not shown)` : ''}:`;
      return { text: [head, ...page.lines].join('\n'), data: { debates: page.items } };
    }
    const turn = () => {
      if (!args.position) throw new BrokerError('invalidInput', `${action} takes your turn: give position (your view and why), and proposal or accept`);
      return { position: args.position, constraints: args.constraints, alternatives: args.alternatives, proposal: args.proposal, accept: args.accept, escalate: args.escalate ?? false };
    };
    let debate: Debate;
    if (action === 'start') {
      if (!args.topic || !args.with) throw new BrokerError('invalidInput', 'start needs topic and with (the peers you disagree with)');
      debate = (await client.request('debate/start', { topic: args.topic, with: args.with, origin: args.origin, turn: turn() })).debate;
    } else {
      if (args.id === undefined) throw new BrokerError('invalidInput', `${action} needs the debate's id (mesh_debate lists them)`);
      debate = action === 'respond'
        ? (await client.request('debate/respond', { id: args.id, turn: turn() })).debate
        : (await client.request('debate/get', { id: args.id })).debate;
    }
    // A turn taken here is news no more; the result's news is asked again.
    if (action !== 'get') ctx.session.coordinationChanged();
    const v = view(debate, self);
    const proposals = newest(debate.proposals.map((p) => ({ n: p.n, by: p.peerName, text: cut(p.text, proposalShown) })),
      (p) => `${p.n}. ${printable(p.by)}: ${printable(p.text)}`, 'proposals');
    const turns = action === 'get'
      ? newest(debate.turns, (t) => `r${t.round} ${printable(t.peerName)}: ${printable(cut(t.position, positionShown))}${t.constraints.length > 0 ? ` (must: ${printable(t.constraints.join('; '))})` : ''}${t.alternatives.length > 0 ? ` (or: ${printable(t.alternatives.join('; '))})` : ''}${t.accepts ? ` [accepts ${t.accepts}]` : ''}${t.escalate ? ' [asks the person]' : ''}`, 'turns').lines
      : [];
    const lines = [headLine(v), ...proposals.lines, ...turns, next(debate, self, v.accepts ?? {})];
    return { text: lines.join('\n'), data: { debate: { ...v, proposals: proposals.items } } };
  },
});

type View = ReturnType<typeof view>;

/** What the model reads of a debate: names (you for the caller), not ids; latest acceptances. */
function view(d: DebateSummary & { turns?: Debate['turns'] }, self: string) {
  const name = (peer: string) => (peer === self ? 'you' : d.participants.find((p) => p.peer === peer)?.peerName ?? peer);
  const accepts: Record<string, number | null> = {};
  for (const t of d.turns ?? []) accepts[name(t.peer)] = t.accepts;
  return {
    id: d.id, topic: d.topic, status: d.status, round: d.round, maxRounds: d.maxRounds,
    with: d.participants.map((p) => name(p.peer)), awaiting: d.awaiting.map(name),
    ...(d.turns && { accepts }),
    ...(d.agreed !== null && { agreed: d.agreed }),
    ...(d.escalation && { escalated: d.escalation.reason }),
    ...(d.ruling && { ruling: d.ruling.text, ruledBy: d.ruling.peerName }),
  };
}

function headLine(v: View): string {
  const state = v.status === 'open' ? `open, round ${v.round} of ${v.maxRounds}, awaiting ${v.awaiting.join(', ')}` : v.status;
  return `#${v.id} "${printable(v.topic)}" [${state}] ${v.with.join(', ')}`;
}

/** What to do now, as the call to make. */
function next(d: Debate, self: string, accepts: Record<string, number | null>): string {
  switch (d.status) {
    case 'resolved':
      return `Agreed on ${d.agreed}: work to it.`;
    case 'decided':
      return `The person (${printable(d.ruling!.peerName)}) ruled: ${printable(d.ruling!.text)}. Work to it.`;
    case 'escalated':
      return `Escalated (${d.escalation!.reason}): the person will rule; work on something else meanwhile.`;
    case 'open': {
      const stand = Object.entries(accepts).map(([who, n]) => `${who}→${n ?? '-'}`).join(', ');
      if (!d.awaiting.includes(self)) return `Accepting: ${stand}. Wait for the others' turns (mesh_debate get id=${d.id}).`;
      const call = callText('mesh_debate', { action: 'respond', id: d.id, position: '…' });
      return `Accepting: ${stand}. Your turn: ${call} with accept=N or proposal="…" (escalate=true asks the person).`;
    }
  }
}
