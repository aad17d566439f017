/**
 * The person's moves on debates: Open Debate (round by round, as a read-only document) and
 * Decide… (pick one of the proposals or write a ruling). Each takes a Debates view row, a
 * debate id, or nothing (then it asks which). The ruling goes to the broker, which sends it to
 * the participants as a decision they must acknowledge and records it on the contract or task
 * the debate is about.
 */
import * as vscode from 'vscode';
import { plural } from '../../core/plural';
import type { Debate, DebateSummary } from '../../protocol/coordination';
import { coordinationLimits } from '../../protocol/coordination';
import type { DebateDocuments } from '../debates/debateDocuments';
import { acceptedBy, debateState } from '../debates/debateText';
import type { DebateModel } from '../mesh/debateModel';
import { inert } from '../messageText';
import { DebateNode } from '../trees/debatesTree';
import { clientOf, type ActionContext } from './context';
import { cancelled } from './prompts';

/** What the debate actions need besides the window's mesh. */
export interface DebateActionContext extends ActionContext {
  readonly debates: DebateModel;
  readonly debateDocuments: DebateDocuments;
}

async function debateId(ctx: DebateActionContext, arg: unknown, title: string, offer: (d: DebateSummary) => boolean): Promise<number> {
  if (arg instanceof DebateNode) return arg.debate.id;
  if (typeof arg === 'number' && Number.isInteger(arg) && arg > 0) return arg;
  await ctx.debates.refresh();
  const debates = ctx.debates.debates.filter(offer);
  if (debates.length === 0) throw new Error('no debate of this project fits');
  const picked = await ctx.prompts.pick(debates.map((debate) => ({
    label: inert(debate.topic),
    description: inert(`${debate.participants.map((p) => p.peerName).join(' vs ')} · ${debateState(debate)}`),
    id: debate.id,
  })), { title, placeHolder: 'A debate', matchOnDescription: true });
  return picked?.id ?? cancelled();
}

/** Opens the debate round by round beside the editor; its document follows the debate while open. */
export async function openDebate(ctx: DebateActionContext, arg?: unknown): Promise<Debate> {
  const id = await debateId(ctx, arg, 'Open Debate', () => true);
  const { debate } = await clientOf(ctx.mesh).request('debate/get', { id });
  await ctx.debateDocuments.show(ctx.debateDocuments.write(debate));
  return debate;
}

/** What the person may pick as the ruling: each proposal, then their own words. */
const writeOwn = 'write';

/**
 * Rules on an open or escalated debate: shows it, then asks for a proposal or the person's own
 * words. Undefined when the person cancels.
 */
export async function decideDebate(ctx: DebateActionContext, arg?: unknown): Promise<Debate> {
  const id = await debateId(ctx, arg, 'Decide a Debate', (d) => d.status === 'escalated' || d.status === 'open');
  const client = clientOf(ctx.mesh);
  const { debate } = await client.request('debate/get', { id });
  if (debate.status !== 'escalated' && debate.status !== 'open') throw new Error(`debate ${id} is ${debate.status} already`);
  await ctx.debateDocuments.show(ctx.debateDocuments.write(debate));
  const items = [
    ...[...debate.proposals].reverse().map((p) => {
      const accepted = acceptedBy(debate, p.n);
      return {
        label: `$(pass) ${p.n}. ${inert(p.text.split('\n')[0])}`,
        description: inert(`${p.peerName}, round ${p.round}${accepted.length > 0 ? ` · accepted by ${accepted.join(', ')}` : ''}`),
        detail: p.text.includes('\n') ? inert(p.text) : undefined,
        pick: p.n as number | typeof writeOwn,
      };
    }),
    { label: '$(edit) Write a ruling…', description: 'in your own words', detail: undefined, pick: writeOwn as number | typeof writeOwn },
  ];
  const chosen = await ctx.prompts.pick(items, { title: `Rule on: ${inert(debate.topic)}`, placeHolder: 'The proposal the agents go with, or your own ruling' });
  if (!chosen) cancelled();
  let ruling: { pick: number } | { text: string };
  if (chosen.pick === writeOwn) {
    const text = await ctx.prompts.input({
      title: `Rule on: ${inert(debate.topic)}`,
      prompt: `Your ruling: ${debate.participants.map((p) => p.peerName).join(' and ')} receive it as a decision.`,
      validateInput: (value) => (value.trim() === '' ? 'Say what they should do.' : value.length > coordinationLimits.detail ? `At most ${coordinationLimits.detail} characters.` : undefined),
    });
    if (text === undefined) cancelled();
    ruling = { text: text.trim() };
  } else {
    ruling = { pick: chosen.pick };
  }
  return ruleOnDebate(ctx, id, ruling);
}

/** The person's ruling on debate `id` (a proposal picked, or their words): sent to the participants as a decision delta. */
export async function ruleOnDebate(ctx: DebateActionContext, id: number, ruling: { pick: number } | { text: string }): Promise<Debate> {
  const decided = (await clientOf(ctx.mesh).request('debate/decide', { id, ...ruling })).debate;
  ctx.debateDocuments.write(decided);
  await ctx.debates.refresh();
  ctx.log.info(`[debates] this window ruled on debate ${id}: decision delta ${decided.ruling?.delta ?? '?'}`);
  void vscode.window.setStatusBarMessage(`$(law) Ruling sent to ${plural(decided.participants.length, 'agent')}`, 4000);
  return decided;
}
