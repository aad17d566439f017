/**
 * The person's messages: Open (reveal in the Messages view, mark read), Reply, Mark Read,
 * Mark All Read, and the view's filter ("To me", "All traffic", "From/To <peer>"). Each takes
 * a Messages row, a message (a notification's button passes one) or a message id; without
 * one it asks which.
 */
import * as vscode from 'vscode';
import type { Message } from '../../protocol/entities';
import { limits } from '../../protocol/limits';
import type { MessageFilter, MessageTraffic } from '../mesh/traffic';
import { firstLine, inert, messageKindWord } from '../messageText';
import { kindIconId } from '../peerLook';
import { formatAge } from '../trees/tree';
import { describeFilter, MessageNode, type MessagesTree } from '../trees/messagesTree';
import { PeerNode } from '../trees/peersTree';
import { clientOf, type ActionContext } from './context';
import { reply } from './messageActions';
import { cancelled } from './prompts';

/** The message to the person a command acts on, or undefined when it was given none. */
function messageOf(ctx: ActionContext, arg: unknown): Message | undefined {
  if (arg instanceof MessageNode) return arg.message;
  const id = typeof arg === 'number' ? arg : isMessage(arg) ? arg.id : undefined;
  if (id === undefined) return undefined;
  // The model's copy knows whether the person has read it since.
  return ctx.model.messages.items.find((m) => m.id === id) ?? (isMessage(arg) ? arg : undefined);
}

function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && typeof (value as Message).id === 'number' && typeof (value as Message).body === 'string';
}

async function pickMessage(ctx: ActionContext, title: string, unreadOnly = false): Promise<Message> {
  const messages = [...ctx.model.messages.items].reverse().filter((m) => !unreadOnly || m.readAt === null);
  if (messages.length === 0) throw new Error(unreadOnly ? 'no unread messages to you' : 'no messages to you yet');
  const picked = await ctx.prompts.pick(messages.map((m) => ({
    label: `${m.readAt === null ? '$(mail) ' : ''}${inert(`${m.fromName}: ${firstLine(m.body, 100)}`)}`,
    description: `${m.kind === 'text' ? '' : `${messageKindWord(m.kind)} · `}${formatAge(m.createdAt)}`,
    message: m,
  })), { title, placeHolder: 'A message to you', matchOnDescription: true });
  return picked?.message ?? cancelled();
}

/** Marks the person's unread messages among `messages` read, at the broker and in the window. */
export async function markRead(ctx: ActionContext, messages: readonly Message[]): Promise<number> {
  const self = ctx.model.selfId;
  const unread = new Set(ctx.model.unreadFrom().map((m) => m.id));
  const ids = messages.filter((m) => m.to === self && unread.has(m.id)).map((m) => m.id);
  if (ids.length === 0) return 0;
  const client = clientOf(ctx.mesh);
  for (let i = 0; i < ids.length; i += limits.list) {
    await client.request('messages/markRead', { ids: ids.slice(i, i + limits.list) });
  }
  ctx.model.markSeen(ids);
  ctx.log.debug(`[messages] the person read ${ids.map((id) => `#${id}`).join(', ')}`);
  return ids.length;
}

/** Open: the message in the Messages view (selected, expanded to its full text), and read. */
export async function openMessage(ctx: ActionContext, view: MessagesTree, arg?: unknown): Promise<Message> {
  const message = messageOf(ctx, arg) ?? await pickMessage(ctx, 'Open a message');
  const shown = await view.reveal(message.id);
  if (!shown) ctx.log.debug(`[messages] #${message.id} is no longer in the Messages view`);
  await markRead(ctx, [message]);
  return message;
}

/** Reply: to a message sent to the person, in its thread (see {@link reply}). */
export async function replyToMessage(ctx: ActionContext, arg?: unknown): Promise<Message[]> {
  const message = messageOf(ctx, arg) ?? await pickMessage(ctx, 'Reply to…');
  if (message.to !== ctx.model.selfId) throw new Error(`that message is from ${message.fromName} to another peer; reply only to messages to you`);
  return reply(ctx, message);
}

export async function markMessageRead(ctx: ActionContext, arg?: unknown): Promise<number> {
  const message = messageOf(ctx, arg) ?? await pickMessage(ctx, 'Mark read', true);
  return markRead(ctx, [message]);
}

export function markAllMessagesRead(ctx: ActionContext): Promise<number> {
  return markRead(ctx, ctx.model.unreadFrom());
}

interface FilterItem extends vscode.QuickPickItem {
  readonly filter?: MessageFilter;
}

/**
 * Filter Messages…: the person's own messages, all the traffic, or one peer's. A Peers row
 * (or `'toMe'` / `'all'`) sets it without asking. Resolves once the view shows it.
 */
export async function filterMessages(ctx: ActionContext, traffic: MessageTraffic, arg?: unknown): Promise<MessageFilter> {
  const filter: MessageFilter = arg instanceof PeerNode ? { kind: 'peer', peerId: arg.peer.id, name: arg.peer.name }
    : arg === 'toMe' || arg === 'all' ? { kind: arg }
      : await pickFilter(ctx, traffic.filter);
  await traffic.setFilter(filter);
  ctx.log.debug(`[messages] the Messages view shows ${describeFilter(filter) ?? 'the messages to the person'}`);
  return filter;
}

async function pickFilter(ctx: ActionContext, current: MessageFilter): Promise<MessageFilter> {
  const self = ctx.model.selfId;
  const now = (on: boolean): string => (on ? 'shown now' : '');
  const items: FilterItem[] = [
    { label: '$(mail) To me', description: now(current.kind === 'toMe'), detail: 'Messages to this window, and broadcasts', filter: { kind: 'toMe' } },
    { label: '$(list-flat) All traffic', description: now(current.kind === 'all'), detail: 'Every message between peers, agents to agents included', filter: { kind: 'all' } },
    { label: 'From or to one peer', kind: vscode.QuickPickItemKind.Separator },
    ...ctx.model.peers.items.map((peer) => ({
      label: `$(${kindIconId(peer.kind)}) ${inert(peer.id === self ? `${peer.name} (this window)` : peer.name)}`,
      description: now(current.kind === 'peer' && current.peerId === peer.id),
      filter: { kind: 'peer' as const, peerId: peer.id, name: peer.id === self ? 'you' : peer.name },
    })),
  ];
  const picked = await ctx.prompts.pick(items, { title: 'Show Messages', placeHolder: 'Which messages the Messages view shows' });
  return picked?.filter ?? cancelled();
}
