/**
 * Talking to other peers: mesh_send, mesh_inbox.
 *
 * Inbox actions: `read` returns unread messages and marks them read (the agent has now seen
 * them). `claim` takes on requests with one `messages/claim`, all or none (of several agents
 * that got the same broadcast request exactly one wins), then tells the senders. `ack`
 * marks messages done, optionally answering them in the same call.
 */
import { z } from 'zod';
import { BrokerError } from '../../protocol/errors';
import { MessageKind, Scope, type Message } from '../../protocol/entities';
import { limits } from '../../protocol/limits';
import type { Recipients } from '../../protocol/methods';
import { claimsNamespace } from '../../protocol/requests/messages';
import type { MeshClient } from '../mesh-session';
import { plural } from '../../core/plural';
import { defineTool, type ToolContext } from '../tool';
import { MessageView, messageLine, messageView } from '../views';
import { printable } from '../../core/printable';

function recipients(to: string, scope: Scope | undefined): Recipients {
  if (to.trim().toLowerCase() === 'all') return { broadcast: scope ?? 'machine' };
  const names = to.split(',').map((n) => n.trim()).filter(Boolean);
  if (names.length === 0) throw new BrokerError('invalidInput', 'name at least one recipient in "to"');
  return names.length === 1 ? { peer: names[0] } : { peers: names };
}

/** A message this peer sent or received, from memory or from the broker (which changes nothing). */
async function findMessage(client: MeshClient, ctx: ToolContext, id: number): Promise<Message> {
  const known = ctx.session.message(id);
  if (known) return known;
  const { messages } = await client.request('messages/get', { ids: [id] });
  ctx.session.rememberMessages(messages);
  const found = messages[0];
  if (!found) throw new BrokerError('notFound', `message #${id} is not one you sent or received (mesh_inbox with all=true lists yours)`);
  return found;
}

async function reply(client: MeshClient, to: Message, body: string): Promise<void> {
  await client.request('messages/send', { to: { peer: to.from }, kind: 'reply', body, replyTo: to.id });
}

/** mesh_send: a message to one peer, several, or everyone in a scope; or a reply. */
export const sendTool = defineTool({
  name: 'mesh_send',
  title: 'Send a message to peers',
  description: 'Message other agents: ask before touching their area, announce a change that affects them, answer a question. kind=request asks for action (they can claim it). Keep it short.',
  input: {
    to: z.string().max(limits.name * 4).optional().describe('Peer name or id; several separated by commas; "all" to broadcast. Optional with replyTo (answers the sender)'),
    body: z.string().min(1).max(limits.messageBody).describe('The message'),
    kind: MessageKind.optional().describe('text (default), request, reply, alert, status_check, dismiss'),
    replyTo: z.number().int().optional().describe('Id of the message you are answering'),
    scope: Scope.optional().describe('For "all": machine (default), workspace or repo'),
  },
  output: { sent: z.number(), ids: z.array(z.number()), to: z.array(z.string()) },
  async run(args, client, ctx) {
    let to: Recipients;
    if (args.to) to = recipients(args.to, args.scope);
    else if (args.replyTo !== undefined) to = { peer: (await findMessage(client, ctx, args.replyTo)).from };
    else throw new BrokerError('invalidInput', 'say whom to send to ("to"), or give replyTo to answer a message');
    const kind = args.kind ?? (args.replyTo !== undefined ? 'reply' : 'text');
    const { messages } = await client.request('messages/send', { to, kind, body: args.body, replyTo: args.replyTo });
    const names = messages.map((m) => ctx.session.peerName(m.to));
    const text = messages.length === 0 ? 'Nobody received it: no other live peer in that scope.' : `Sent #${messages[0].id} to ${names.join(', ')}.`;
    return { text, data: { sent: messages.length, ids: messages.map((m) => m.id), to: names } };
  },
});

const InboxMessage = MessageView.extend({ claimedBy: z.string().optional(), to: z.string().optional() });

/** mesh_inbox: read unread messages, claim requests, ack what is done. */
export const inboxTool = defineTool({
  name: 'mesh_inbox',
  title: 'Read and handle messages',
  description: 'Your messages from other agents (new ones also arrive in every mesh tool result\'s pending part). read lists unread ones; claim a request you will do (others then see it is taken); ack when done or answered (reply= answers in the same call); sent shows whether the recipients of your messages have seen them.',
  input: {
    action: z.enum(['read', 'claim', 'ack', 'sent']).optional().describe('read (default), claim, ack, or sent'),
    ids: z.array(z.number().int()).max(limits.list).optional().describe('Message ids, for claim and ack'),
    reply: z.string().max(limits.messageBody).optional().describe('claim/ack: answer sent to each sender'),
    all: z.boolean().optional().describe('read: recent messages, read ones too'),
    limit: z.number().int().min(1).max(100).optional().describe('read: at most this many (default 20)'),
    waitSeconds: z.number().int().min(0).max(300).optional().describe('read: if nothing is unread, wait this long for a message'),
  },
  output: { messages: z.array(InboxMessage).optional(), unread: z.number(), updated: z.number().optional() },
  async run(args, client, ctx, signal) {
    const action = args.action ?? 'read';
    if (action === 'read') return read(args, client, ctx, signal);
    if (action === 'sent') return sentMessages(args.limit ?? 20, client, ctx);
    const ids = args.ids ?? [];
    if (ids.length === 0) throw new BrokerError('invalidInput', `${action} needs the message ids`);
    if (action === 'claim') {
      const { messages, updated } = await client.request('messages/claim', { ids });
      ctx.session.rememberMessages(messages);
      ctx.session.markHandled(ids);
      for (const m of messages) await reply(client, m, args.reply ?? `${client.peer.name} claimed this and is on it.`);
      return { text: `Claimed ${ids.map((id) => '#' + id).join(', ')}; told ${[...new Set(messages.map((m) => printable(m.fromName)))].join(', ')}. ack them when done.`, data: { unread: ctx.session.unreadCount, updated } };
    }
    const messages = await Promise.all(ids.map((id) => findMessage(client, ctx, id)));
    const { updated } = await client.request('messages/ack', { ids });
    ctx.session.markHandled(ids);
    if (args.reply) for (const m of messages) await reply(client, m, args.reply);
    return { text: `Acked ${plural(updated, 'message')}${args.reply ? ' and replied' : ''}.`, data: { unread: ctx.session.unreadCount, updated } };
  },
});

async function read(
  args: { all?: boolean; limit?: number; waitSeconds?: number },
  client: MeshClient,
  ctx: ToolContext,
  signal: AbortSignal | undefined,
) {
  const limit = args.limit ?? 20;
  const watch = !args.all && args.waitSeconds ? ctx.session.watchForMessage(args.waitSeconds * 1000, signal) : undefined;
  let counted = ctx.session.unreadIds();
  let r = await client.request('messages/inbox', { unreadOnly: !args.all, limit });
  if (watch && r.messages.length === 0 && (await watch.arrived)) {
    counted = ctx.session.unreadIds();
    r = await client.request('messages/inbox', { unreadOnly: true, limit });
  }
  watch?.cancel();
  // The agent gave up waiting (or went away): it will not see this answer, so mark nothing read.
  if (signal?.aborted && r.messages.length === 0) throw new BrokerError('cancelled', 'stopped waiting for messages: the call was cancelled');
  ctx.session.rememberMessages(r.messages);
  ctx.session.delivered(r.messages.map((m) => m.id));
  const fresh = r.messages.filter((m) => m.state === 'queued' || m.state === 'delivered').map((m) => m.id);
  if (fresh.length > 0) await client.request('messages/markRead', { ids: fresh });
  ctx.session.markHandled(fresh);
  const remaining = Math.max(0, r.unread - fresh.length);
  // Everything unread when we asked was on this page: forget what we counted then, and only that.
  if (remaining === 0) ctx.session.syncUnread([], counted);
  const now = Date.now();
  const views = await Promise.all(r.messages.map(async (m): Promise<z.infer<typeof InboxMessage>> => {
    const v = messageView(m, now, args.all);
    const by = m.kind === 'request' ? await claimedBy(client, ctx, m) : undefined;
    return by ? { ...v, claimedBy: by } : v;
  }));
  const lines = views.map((v) => messageLine(v) + (v.claimedBy ? ` [claimed by ${printable(v.claimedBy)}]` : ''));
  if (remaining > 0) lines.push(`${remaining} more unread: read again.`);
  const text = views.length === 0 ? (args.all ? 'No messages.' : 'No unread messages.') : lines.join('\n');
  return { text, data: { messages: views, unread: remaining } };
}

/** The messages this peer sent lately, each with its recipient and whether its model has seen it. */
async function sentMessages(limit: number, client: MeshClient, ctx: ToolContext) {
  const { messages } = await client.request('messages/sent', { limit });
  const now = Date.now();
  const views = messages.map((m) => ({ ...messageView(m, now, true), from: 'you', to: ctx.session.peerName(m.to) }));
  const text = views.length === 0 ? 'You have sent no messages.' : views.map((v) => `${messageLine(v)} → ${printable(v.to)}`).join('\n');
  return { text, data: { messages: views, unread: ctx.session.unreadCount } };
}

const claimKey = (m: Message) => ({ namespace: claimsNamespace, key: `thread-${m.threadId}` });

/** Who claimed the thread of `m` (peer id), if anyone. */
async function claimant(client: MeshClient, m: Message): Promise<string | undefined> {
  const { entry } = await client.request('state/get', claimKey(m));
  const by = (entry?.value as { by?: unknown } | undefined)?.by;
  return typeof by === 'string' ? by : undefined;
}

async function claimedBy(client: MeshClient, ctx: ToolContext, m: Message): Promise<string | undefined> {
  const by = await claimant(client, m);
  return by === undefined ? undefined : by === client.peer.id ? 'you' : ctx.session.peerName(by);
}
