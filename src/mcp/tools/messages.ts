/**
 * Talking to other peers: mesh_send, mesh_inbox.
 *
 * Inbox actions: `read` returns unread messages and marks them read (the agent has now seen
 * them), a page at a time (inbox-pages.ts). `claim` takes on requests with one claim, all or
 * none (of several agents that got the same broadcast request exactly one wins), then tells
 * the senders. `ack` marks messages done, optionally answering them in the same call.
 */
import * as z from 'zod';
import { BrokerError } from '../../protocol/errors';
import { MessageKind, Scope, type Message } from '../../protocol/entities';
import { limits } from '../../protocol/limits';
import type { Recipients } from '../../protocol/methods';
import type { MeshClient } from '../mesh-session';
import { plural } from '../../core/plural';
import { namesText } from '../budget';
import { defineTool } from '../tool';
import { printable } from '../../core/printable';
import { InboxMessage, bodyPart, findMessage, inboxCursor, read, sentMessages } from './inbox-pages';

function recipients(to: string, scope: Scope | undefined): Recipients {
  if (to.trim().toLowerCase() === 'all') return { broadcast: scope ?? 'machine' };
  const names = to.split(',').map((n) => n.trim()).filter(Boolean);
  if (names.length === 0) throw new BrokerError('invalidInput', 'name at least one recipient in "to"');
  if (names.length > limits.list) throw new BrokerError('invalidInput', `to names ${names.length} peers; at most ${limits.list} (or "all")`);
  return names.length === 1 ? { peer: names[0] } : { peers: names };
}

async function reply(client: MeshClient, to: Message, body: string): Promise<void> {
  await client.request('messages/send', { to: { peer: to.from }, kind: 'reply', body, replyTo: to.id });
}

/** mesh_send: a message to one peer, several, or everyone in a scope; or a reply. */
export const sendTool = defineTool({
  name: 'mesh_send',
  title: 'Send a message to peers',
  description: 'Message other agents: ask before touching their area, announce a change that affects them, answer. kind=request asks for action (they can claim it). Keep it short.',
  input: {
    to: z.string().max(limits.name * 4).optional().describe('Peer name or id, several comma-separated, or "all"; optional with replyTo'),
    body: z.string().min(1).max(limits.messageBody).describe('The message'),
    kind: MessageKind.optional().describe('Default text'),
    replyTo: z.number().int().optional().describe('Id of the message you are answering'),
    scope: Scope.optional().describe('For "all" (default machine)'),
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
    // A broadcast to a crowd names as many as fit; `sent` counts them all.
    const told = namesText(names);
    const text = messages.length === 0 ? 'Nobody received it: no other live peer in that scope.' : `Sent #${messages[0].id} to ${told.text}.`;
    return { text, data: { sent: messages.length, ids: messages.map((m) => m.id), to: names.slice(0, told.shown) } };
  },
});

/** mesh_inbox: read unread messages, claim requests, ack what is done. */
export const inboxTool = defineTool({
  name: 'mesh_inbox',
  title: 'Read and handle messages',
  description: 'Your messages (new ones also arrive under pending in every result). read the unread; claim a request you will do; ack when done or answered (reply= answers too); sent: whether recipients saw yours.',
  input: {
    action: z.enum(['read', 'claim', 'ack', 'sent']).optional().describe('Default read'),
    ids: z.array(z.number().int()).max(limits.list).optional().describe('claim/ack: message ids'),
    reply: z.string().max(limits.messageBody).optional().describe('claim/ack: answer sent to each sender'),
    all: z.boolean().optional().describe('read: recent messages, read ones too'),
    limit: z.number().int().min(1).max(100).optional().describe('read: at most this many (default 20)'),
    waitSeconds: z.number().int().min(0).max(300).optional().describe('read: if none unread, wait this long'),
    cursor: z.string().max(40).optional().describe('From more'),
  },
  output: { messages: z.array(InboxMessage).optional(), unread: z.number(), updated: z.number().optional(), more: z.string().optional() },
  async run(args, client, ctx, signal) {
    const action = args.action ?? 'read';
    const cursor = inboxCursor(args.cursor);
    if (cursor && 'at' in cursor) return bodyPart(cursor.id, cursor.at, client, ctx);
    const before = cursor && 'before' in cursor ? cursor.before : undefined;
    if (action === 'read') return read(args, before, client, ctx, signal);
    if (action === 'sent') return sentMessages(args.limit, before, client, ctx);
    const ids = args.ids ?? [];
    if (ids.length === 0) throw new BrokerError('invalidInput', `${action} needs the message ids`);
    if (action === 'claim') {
      const { messages, updated } = await client.request('messages/claim', { ids });
      ctx.session.rememberMessages(messages);
      ctx.session.markHandled(ids);
      for (const m of messages) await reply(client, m, args.reply ?? `${client.peer.name} claimed this and is on it.`);
      const told = namesText([...new Set(messages.map((m) => printable(m.fromName)))]).text;
      return { text: `Claimed ${ids.map((id) => '#' + id).join(', ')}; told ${told}. ack them when done.`, data: { unread: ctx.session.unreadCount, updated } };
    }
    const messages = await Promise.all(ids.map((id) => findMessage(client, ctx, id)));
    const { updated } = await client.request('messages/ack', { ids });
    ctx.session.markHandled(ids);
    if (args.reply) for (const m of messages) await reply(client, m, args.reply);
    return { text: `Acked ${plural(updated, 'message')}${args.reply ? ' and replied' : ''}.`, data: { unread: ctx.session.unreadCount, updated } };
  },
});
