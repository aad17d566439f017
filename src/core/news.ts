/**
 * What is new for an agent, in the words its model reads: the messages a tool result or a
 * hook puts in front of it (requests and alerts first, then oldest to newest), bodies quoted
 * as one JSON string each so another peer's text cannot pass for PeerMesh's own lines. Shared
 * by the MCP server's `pending` part and the hooks' context; imports types only, since the
 * hook entry must load fast.
 */
import type { Message, MessageKind } from '../protocol/entities';
import { plural } from './plural';
import { printable } from './printable';

export interface NewsMessage {
  id: number;
  /** The sender's display name. */
  from: string;
  kind: MessageKind;
  body: string;
  /** The body was cut to the budget; mesh_inbox has it whole. */
  truncated: boolean;
  replyTo: number | null;
}

export interface News {
  /** Put in front of the model now: never shown again as news. */
  messages: NewsMessage[];
  /** Still waiting, not shown: the next result (or mesh_inbox) brings them. */
  more: number;
  /** Not yet read (acked, claimed or read in mesh_inbox), those just shown included. */
  unread: number;
}

/** Characters of message bodies one result or hook carries, in all. */
export const newsBudget = 2000;
/** Messages one result or hook carries, at most. */
export const newsMax = 10;

export const noNews: News = { messages: [], more: 0, unread: 0 };

/** What `messages/deliver` answers, as news. */
export function toNews(r: { messages: ReadonlyArray<Message & { truncated: boolean }>; more: number; unread: number }): News {
  return {
    messages: r.messages.map((m) => ({ id: m.id, from: m.fromName, kind: m.kind, body: m.body, truncated: m.truncated, replyTo: m.replyTo })),
    more: r.more,
    unread: r.unread,
  };
}

/** One line per message, then how many more wait. */
export function newsLines(news: News): string[] {
  const lines = news.messages.map((m) => {
    const what = m.kind === 'text' ? '' : `${m.kind.replace('_', ' ')} `;
    const re = m.replyTo === null ? '' : ` (re #${m.replyTo})`;
    const cut = m.truncated ? ' [cut short: mesh_inbox has it whole]' : '';
    const todo = m.kind === 'request' ? ' → claim it with mesh_inbox, or answer with mesh_send replyTo=' + m.id : '';
    // JSON quotes it on one line; printable escapes what JSON leaves raw (C1 and bidi controls).
    return `#${m.id} ${what}from ${printable(m.from)}${re}: ${printable(JSON.stringify(m.body))}${cut}${todo}`;
  });
  if (news.more > 0) lines.push(`and ${plural(news.more, 'more message')} → mesh_inbox`);
  return lines;
}

/** The `pending:` part of a tool result's text. */
export function pendingText(news: News): string {
  if (news.messages.length === 0) {
    if (news.more > 0) return `pending: ${plural(news.more, 'new message')} → mesh_inbox`;
    return news.unread > 0 ? `pending: nothing new (${news.unread} unread → mesh_inbox)` : 'pending: none';
  }
  return [`pending: ${plural(news.messages.length, 'new message')} for you:`, ...newsLines(news).map((l) => '  ' + l)].join('\n');
}

/** The context a hook adds for the model, or undefined when there is nothing new. */
export function hookContext(news: News, self: string): string | undefined {
  if (news.messages.length === 0 && news.more === 0) return undefined;
  return [
    `PeerMesh: new messages for you (${self}) from the other agents on this machine:`,
    ...newsLines(news).map((l) => '- ' + l),
    'Answer with the mesh_send tool (replyTo=<id>); mesh_inbox claims or acks them.',
  ].join('\n');
}
