/**
 * Context deltas, for the agents that find things out and those they affect: mesh_delta. Push
 * what you found (the broker routes it to the peers whose tasks, claims or recent edits touch
 * it), list the project's deltas with who has acked them, ack those routed to you (a blocking
 * one stays in your news until you do), confirm or dismiss the contract changes drafted when
 * your edits touched a plan contract. The rules are the broker's (requests/delta.ts).
 */
import * as z from 'zod';
import { BrokerError } from '../../protocol/errors';
import { coordinationLimits, type Delta, type DeltaDraft, type DeltaRecipient } from '../../protocol/coordination';
import { limits } from '../../protocol/limits';
import { planLimits } from '../../protocol/plan';
import { plural } from '../../core/plural';
import { printable } from '../../core/printable';
import { spanText } from '../../core/span-text';
import { callText, fitList, moreLine } from '../budget';
import { defineTool } from '../tool';
import { clip } from '../views';

/** Characters of a delta's detail a listing shows (the model asks for no more: one delta's detail is a few lines). */
const detailShown = 600;

const item = z.record(z.string(), z.unknown());
/** Affected files, tasks or contracts: the broker checks ids and paths, so the listing need not spell their pattern. */
const affected = (max: number) => z.array(z.string().trim().min(1).max(max)).max(coordinationLimits.affects).optional();

/** A delta as the model reads it: empty parts left out, peers by name ("you" for the caller). */
export type DeltaView = {
  id: number;
  kind: string;
  severity: string;
  by: string;
  summary: string;
  detail?: string;
  contracts?: string[];
  /** A contract change: each contract's version after it. */
  versions?: Record<string, number>;
  files?: string[];
  tasks?: string[];
  acked?: string[];
  /** Recipients that have not acked yet. */
  waiting?: string[];
};

const nameOf = (r: DeltaRecipient, self: string) => (r.peer === self ? 'you' : r.peerName);

export function deltaView(d: Delta, self: string): DeltaView {
  const acked = d.recipients.filter((r) => r.ackedAt !== null).map((r) => nameOf(r, self));
  const waiting = d.recipients.filter((r) => r.ackedAt === null).map((r) => nameOf(r, self));
  return {
    id: d.id, kind: d.kind, severity: d.severity, by: d.author === self ? 'you' : d.authorName, summary: d.summary,
    ...(d.detail && { detail: d.detail.length > detailShown ? `${d.detail.slice(0, detailShown - 1)}…` : d.detail }),
    ...(d.affects.contracts.length > 0 && { contracts: d.affects.contracts }),
    ...(Object.keys(d.contractVersions).length > 0 && { versions: d.contractVersions }),
    ...(d.affects.files.length > 0 && { files: d.affects.files }),
    ...(d.affects.tasks.length > 0 && { tasks: d.affects.tasks }),
    ...(acked.length > 0 && { acked }),
    ...(waiting.length > 0 && { waiting }),
  };
}

/** `#12 blocking contract_change by alice "…" contracts: login-api v2; acked: bob; waiting: you`. */
export function deltaLine(v: DeltaView): string {
  const parts = [
    v.contracts && `contracts: ${v.contracts.map((c) => (v.versions?.[c] ? `${printable(c)} v${v.versions[c]}` : printable(c))).join(', ')}`,
    v.files && `files: ${v.files.map(printable).join(', ')}`,
    v.tasks && `tasks: ${v.tasks.map(printable).join(', ')}`,
    v.acked && `acked: ${v.acked.map(printable).join(', ')}`,
    v.waiting && `waiting: ${v.waiting.map(printable).join(', ')}`,
  ].filter(Boolean);
  const detail = v.detail ? ` detail: ${clip(v.detail, detailShown)}` : '';
  return `#${v.id} ${v.severity} ${v.kind} by ${printable(v.by)} ${printable(JSON.stringify(v.summary))}${parts.length > 0 ? ` ${parts.join('; ')}` : ''}${detail}`;
}

/** mesh_delta: push, list and ack context deltas. */
export const deltaTool = defineTool({
  name: 'mesh_delta',
  title: 'Context deltas',
  description: 'Tell peers what you found: push reaches those whose tasks, claims or recent edits touch it. list shows who acked; ack what you were sent. confirm/dismiss drafts.',
  input: {
    action: z.enum(['list', 'push', 'ack', 'confirm', 'dismiss']).optional().describe('Default list'),
    kind: z.enum(['discovery', 'contract_change', 'dependency', 'scope_change']).optional().describe('push; default discovery'),
    summary: z.string().trim().min(1).max(coordinationLimits.summary).optional().describe('push: one line'),
    detail: z.string().max(coordinationLimits.detail).optional().describe('push'),
    files: affected(limits.path).describe('push: globs from the root'),
    tasks: affected(planLimits.id).describe('push: task ids'),
    contracts: affected(planLimits.id).describe('push: contract ids'),
    spec: z.string().min(1).max(planLimits.spec).optional().describe('contract_change: new spec'),
    blocking: z.boolean().optional().describe('push: each must ack; list: only blocking'),
    ids: z.array(z.number().int()).max(limits.list).optional().describe('ack/confirm/dismiss'),
    since: z.number().int().optional().describe('list: after this id'),
  },
  output: {
    deltas: z.array(item).optional(), delta: item.optional(), acked: z.array(z.number()).optional(), more: z.string().optional(),
    drafts: z.array(item).optional(), dismissed: z.array(z.number()).optional(),
  },
  async run(args, client, ctx) {
    const self = client.peer.id;
    switch (args.action ?? 'list') {
      case 'list': {
        const r = await client.request('delta/list', { since: args.since, blocking: args.blocking });
        const views = r.deltas.map((d) => deltaView(d, self));
        const drafts = r.drafts.map(draftLine);
        if (views.length === 0) {
          const none = `No ${args.blocking ? 'blocking deltas' : 'deltas'}${args.since ? ` after #${args.since}` : ''}.`;
          return { text: [none, ...drafts].join('\n'), data: { deltas: [], ...(drafts.length > 0 && { drafts: r.drafts.map(draftView) }) } };
        }
        const page = fitList(views, deltaLine);
        const more = page.cut || r.more ? callText('mesh_delta', { since: page.items[page.items.length - 1].id, blocking: args.blocking }) : undefined;
        const toAck = page.items.filter((v) => v.waiting?.includes('you')).map((v) => v.id);
        const head = `${plural(page.items.length, args.blocking ? 'blocking delta' : 'delta')}${args.since ? ` after #${args.since}` : ''}${toAck.length > 0 ? `, ${toAck.length} waiting for your ack` : ''}:`;
        const ack = toAck.length > 0 ? [`Ack when read: ${callText('mesh_delta', { action: 'ack', ids: toAck })}`] : [];
        return {
          text: [head, ...page.lines, ...ack, ...drafts, ...(more ? [moreLine(more)] : [])].join('\n'),
          data: { deltas: page.items, ...(drafts.length > 0 && { drafts: r.drafts.map(draftView) }), ...(more && { more }) },
        };
      }
      case 'push': {
        if (!args.summary) throw new BrokerError('invalidInput', 'push needs a summary: one line saying what changed');
        const { delta } = await client.request('delta/push', {
          kind: args.kind ?? 'discovery', severity: args.blocking ? 'blocking' : 'info', summary: args.summary, detail: args.detail, spec: args.spec,
          affects: { files: args.files ?? [], tasks: args.tasks ?? [], contracts: args.contracts ?? [] },
        });
        ctx.session.coordinationChanged();
        return pushed(delta);
      }
      case 'ack': {
        if (!args.ids?.length) throw new BrokerError('invalidInput', 'ack needs ids: the deltas\' ids, as mesh_delta lists them');
        const { acked } = await client.request('delta/ack', { ids: args.ids });
        // Its news is asked again for this result, whether or not the delta_acked event is back yet.
        ctx.session.coordinationChanged();
        const skipped = args.ids.filter((id) => !acked.includes(id));
        const text = [
          acked.length > 0 ? `Acked ${acked.map((id) => `#${id}`).join(', ')}.` : 'Nothing new acked.',
          ...(skipped.length > 0 ? [`${skipped.map((id) => `#${id}`).join(', ')}: acked before, or your own.`] : []),
        ].join(' ');
        return { text, data: { acked } };
      }
      case 'confirm': {
        if (args.ids?.length !== 1) throw new BrokerError('invalidInput', 'confirm takes one draft id: ids=[<draft>], as your news or mesh_delta list gives it');
        const { delta } = await client.request('delta/confirm', {
          id: args.ids[0], severity: args.blocking ? 'blocking' : 'info', summary: args.summary, detail: args.detail, spec: args.spec,
        });
        ctx.session.coordinationChanged();
        const r = pushed(delta);
        return { ...r, text: `Confirmed draft #${args.ids[0]}. ${r.text}` };
      }
      case 'dismiss': {
        if (!args.ids?.length) throw new BrokerError('invalidInput', 'dismiss needs ids: the drafts\' ids, as your news or mesh_delta list gives them');
        const { dismissed } = await client.request('delta/dismiss', { ids: args.ids });
        const skipped = args.ids.filter((id) => !dismissed.includes(id));
        const text = [
          dismissed.length > 0 ? `Dismissed draft ${dismissed.map((id) => `#${id}`).join(', ')}: nothing was sent.` : 'Nothing new dismissed.',
          ...(skipped.length > 0 ? [`${skipped.map((id) => `#${id}`).join(', ')}: confirmed or dismissed before.`] : []),
        ].join(' ');
        return { text, data: { dismissed } };
      }
    }
  },
});

/** An open draft as the model reads it. */
function draftView(d: DeltaDraft) {
  return { draft: d.id, contract: d.contract, file: d.file, ...(d.symbolLines && { lines: spanText(d.symbolLines) }) };
}

/** `draft #7: your edit of src/auth.ts:4-6 touched contract auth-refresh → confirm or dismiss`. */
function draftLine(d: DeltaDraft): string {
  const where = `${printable(d.file)}${d.symbolLines ? `:${spanText(d.symbolLines)}` : ''}`;
  return `draft #${d.id}: your edit of ${where} touched contract ${printable(d.contract)} → ${callText('mesh_delta', { action: 'confirm', ids: [d.id] })} (with summary, spec) or ${callText('mesh_delta', { action: 'dismiss', ids: [d.id] })}`;
}

/** What a push did: whom it reached and why, and the contracts' new versions; not what the caller sent. */
function pushed(d: Delta) {
  const to = d.recipients.map((r) => `${printable(r.peerName)} (${r.reason} ${printable(r.via)})`);
  const versions = Object.entries(d.contractVersions).map(([c, v]) => `${printable(c)} is v${v}`);
  const reach = to.length === 0
    ? 'No peer\'s task, claim or recent edit touches it: others see it in mesh_delta list.'
    : `Sent to ${to.join(', ')}${d.severity === 'blocking' ? '; each must ack it' : ''}.`;
  const text = [`Pushed delta #${d.id}. ${reach}`, ...(versions.length > 0 ? [`Contract ${versions.join(', ')} now (proposed again).`] : [])].join('\n');
  return {
    text,
    data: { delta: { id: d.id, sentTo: d.recipients.map((r) => ({ peer: r.peerName, reason: r.reason, via: r.via })), ...(versions.length > 0 && { versions: d.contractVersions }) } },
  };
}
