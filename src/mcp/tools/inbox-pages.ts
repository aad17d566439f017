/**
 * mesh_inbox's listings, a page at a time within the result's budget. Unread messages come
 * oldest first, and only those a page shows are marked read (the broker is asked to look
 * without delivering, then told what the model saw), so the rest are the next read's. The
 * history (all=true) and the sent messages come newest first, a page going back from the
 * oldest one the last page showed. A body too long for a listing is cut, with the call that
 * reads the rest in parts.
 */
import * as z from 'zod';
import { BrokerError } from '../../protocol/errors';
import type { Message } from '../../protocol/entities';
import { claimsNamespace } from '../../protocol/requests/messages';
import { printable } from '../../core/printable';
import type { MeshClient } from '../mesh-session';
import { bodyBytes, callText, fitList, fitNewest, moreLine, numericCursor, ownBytes, partBytes, partEnd, renderedBytes } from '../budget';
import type { ToolContext } from '../tool';
import { MessageView, messageLine, messageView } from '../views';

export const InboxMessage = MessageView.extend({ claimedBy: z.string().optional(), to: z.string().optional(), more: z.string().optional() });
type InboxMessage = z.infer<typeof InboxMessage>;

/** Where a listing goes on: before a message id (history, sent), or in a body from a character. */
export type InboxCursor = { before: number } | { id: number; at: number };

export function inboxCursor(cursor: string | undefined): InboxCursor | undefined {
  if (cursor === undefined) return undefined;
  const part = /^#(\d{1,15})@(\d{1,9})$/.exec(cursor);
  if (part) return { id: Number(part[1]), at: Number(part[2]) };
  const before = numericCursor(cursor);
  if (before !== undefined) return { before };
  throw new BrokerError('invalidInput', `cursor "${cursor}" is not one mesh_inbox gave: call mesh_inbox without it`);
}

/** A message this peer sent or received, from memory or from the broker (which changes nothing). */
export async function findMessage(client: MeshClient, ctx: ToolContext, id: number): Promise<Message> {
  const known = ctx.session.message(id);
  if (known) return known;
  const { messages } = await client.request('messages/get', { ids: [id] });
  ctx.session.rememberMessages(messages);
  const found = messages[0];
  if (!found) throw new BrokerError('notFound', `message #${id} is not one you sent or received (mesh_inbox with all=true lists yours)`);
  return found;
}

/** `v` with its body cut to what a listing shows, and the call that reads the rest. */
export function cutBody<V extends InboxMessage>(v: V): V {
  const end = partEnd(v.body, 0, bodyBytes);
  return end >= v.body.length ? v : { ...v, body: v.body.slice(0, end), more: callText('mesh_inbox', { cursor: `#${v.id}@${end}` }) };
}

const cutNote = (v: InboxMessage) => (v.more ? ` [cut; the rest: ${v.more}]` : '');
const inboxLine = (v: InboxMessage) => messageLine(v) + (v.claimedBy ? ` [claimed by ${printable(v.claimedBy)}]` : '') + cutNote(v);
const sentLine = (v: InboxMessage) => `${messageLine(v)} → ${printable(v.to ?? '')}${cutNote(v)}`;

/** Unread messages (or, with `all`, the history before `before`), as many as fit; those shown become read. */
export async function read(
  args: { all?: boolean; limit?: number; waitSeconds?: number },
  before: number | undefined,
  client: MeshClient,
  ctx: ToolContext,
  signal: AbortSignal | undefined,
) {
  const limit = args.limit ?? 20;
  const history = args.all === true;
  const watch = !history && args.waitSeconds ? ctx.session.watchForMessage(args.waitSeconds * 1000, signal) : undefined;
  const ask = () => client.request('messages/inbox', { unreadOnly: !history, limit, peek: true, ...(history && before !== undefined && { before }) });
  let counted = ctx.session.unreadIds();
  let r = await ask();
  if (watch && r.messages.length === 0 && (await watch.arrived)) {
    counted = ctx.session.unreadIds();
    r = await ask();
  }
  watch?.cancel();
  // The agent gave up waiting (or went away): it will not see this answer, so mark nothing read.
  if (signal?.aborted && r.messages.length === 0) throw new BrokerError('cancelled', 'stopped waiting for messages: the call was cancelled');
  const now = Date.now();
  const views = await Promise.all(r.messages.map(async (m): Promise<InboxMessage> => {
    const v = cutBody<InboxMessage>(messageView(m, now, history));
    const by = m.kind === 'request' ? await claimedBy(client, ctx, m) : undefined;
    return by ? { ...v, claimedBy: by } : v;
  }));
  const page = history ? fitNewest(views, inboxLine) : fitList(views, inboxLine);
  const shown = new Set(page.items.map((v) => v.id));
  const messages = r.messages.filter((m) => shown.has(m.id));
  ctx.session.rememberMessages(messages);
  ctx.session.delivered([...shown]);
  const fresh = messages.filter((m) => m.state === 'queued' || m.state === 'delivered').map((m) => m.id);
  if (fresh.length > 0) await client.request('messages/markRead', { ids: fresh });
  ctx.session.markHandled(fresh);
  const remaining = Math.max(0, r.unread - fresh.length);
  // Everything unread when we asked was on this page: forget what we counted then, and only that.
  if (remaining === 0) ctx.session.syncUnread([], counted);
  const older = history && page.items.length > 0 && (page.cut || r.messages.length === limit);
  const more = older ? callText('mesh_inbox', { all: true, limit: args.limit, cursor: String(page.items[0].id) })
    : !history && remaining > 0 ? callText('mesh_inbox', { limit: args.limit }) : undefined;
  const lines = [...page.lines];
  if (!history && remaining > 0) lines.push(`${remaining} more unread: read again.`);
  if (more) lines.push(moreLine(more));
  const none = history ? (before === undefined ? 'No messages.' : 'No older messages.') : 'No unread messages.';
  return { text: page.items.length === 0 ? none : lines.join('\n'), data: { messages: page.items, unread: remaining, ...(more && { more }) } };
}

/** The messages this peer sent (before `before`), each with its recipient and whether its model has seen it. */
export async function sentMessages(limit: number | undefined, before: number | undefined, client: MeshClient, ctx: ToolContext) {
  const n = limit ?? 20;
  const { messages } = await client.request('messages/sent', { limit: n, ...(before !== undefined && { before }) });
  const now = Date.now();
  const views = messages.map((m) => cutBody<InboxMessage>({ ...messageView(m, now, true), from: 'you', to: ctx.session.peerName(m.to) }));
  const page = fitNewest(views, sentLine);
  const older = page.items.length > 0 && (page.cut || messages.length === n);
  const more = older ? callText('mesh_inbox', { action: 'sent', limit, cursor: String(page.items[0].id) }) : undefined;
  const none = before === undefined ? 'You have sent no messages.' : 'You sent no older messages.';
  const text = page.items.length === 0 ? none : [...page.lines, ...(more ? [moreLine(more)] : [])].join('\n');
  return { text, data: { messages: page.items, unread: ctx.session.unreadCount, ...(more && { more }) } };
}

/**
 * A part of a long body, from character `at`: as much as fits, with the call for the next part.
 * structuredContent carries it raw and the text printable, where an escaped character costs
 * up to 2.5 times as much: the part is cut to what both together cost.
 */
export async function bodyPart(id: number, at: number, client: MeshClient, ctx: ToolContext) {
  const m = await findMessage(client, ctx, id);
  if (at >= m.body.length) throw new BrokerError('invalidInput', `cursor "#${id}@${at}" is past the end of message #${id}: call mesh_inbox without it`);
  const render = (end: number) => {
    const more = end < m.body.length ? callText('mesh_inbox', { cursor: `#${id}@${end}` }) : undefined;
    const view = { ...messageView(m), body: m.body.slice(at, end), ...(more && { more }) };
    const text = `#${id} from ${printable(view.from)}, characters ${at} to ${end} of ${m.body.length}: ${printable(view.body)}${more ? `\n${moreLine(more)}` : ''}`;
    return { text, data: { messages: [view], unread: ctx.session.unreadCount, ...(more && { more }) } };
  };
  // The part gets what the rest of the result leaves of the tool's own bytes; its end, in the
  // text and in both calls for the next part, counted at the most digits it can have.
  const frame = renderedBytes(render(at)) + 3 * String(m.body.length).length;
  return render(partEnd(m.body, at, Math.min(partBytes, ownBytes - frame), true));
}

const claimKey = (m: Message) => ({ namespace: claimsNamespace, key: `thread-${m.threadId}` });

/** Who claimed the thread of `m`, as the model knows them ("you", a name), if anyone. */
async function claimedBy(client: MeshClient, ctx: ToolContext, m: Message): Promise<string | undefined> {
  const { entry } = await client.request('state/get', claimKey(m));
  const by = (entry?.value as { by?: unknown } | undefined)?.by;
  if (typeof by !== 'string') return undefined;
  return by === client.peer.id ? 'you' : ctx.session.peerName(by);
}
