/**
 * Messages between peers. One message per recipient; its state only moves forward (queued →
 * delivered → read → acked), and only its recipient moves it.
 */
import * as z from 'zod';
import { Message, MessageKind, Scope } from '../entities';
import { limits } from '../limits';
import { PeerNameInput, defineRequests } from './spec';

/** Recipients: one peer (id or name), a list, or everyone in a scope. */
export const Recipients = z.union([
  z.object({ peer: PeerNameInput }),
  z.object({ peers: z.array(PeerNameInput).min(1).max(limits.list) }),
  z.object({ broadcast: Scope }),
]);
export type Recipients = z.infer<typeof Recipients>;

const ids = z.array(z.number().int()).min(1).max(limits.list);

/**
 * Where claims of requests live in shared state: key `thread-<threadId>`, value
 * `{ by: <peer id>, message: <id> }`, with a TTL. Written only by `messages/claim`.
 */
export const claimsNamespace = 'peermesh.claims';

export const messagesRequests = defineRequests('messages', {
  /**
   * Sends `body` to live peers, one stored message each (never to the sender), pushed to them
   * as `push/message`. Fails `notFound` for an unknown or gone recipient or `replyTo`,
   * `invalidInput` for a message to oneself. Not retried: a repeat would deliver it twice.
   */
  'messages/send': {
    params: z.object({
      to: Recipients, kind: MessageKind.default('text'),
      body: z.string().min(1).max(limits.messageBody),
      replyTo: z.number().int().optional(),
    }),
    result: z.object({ messages: z.array(Message) }),
    retry: 'never',
  },
  /**
   * The caller's messages in order (the oldest unread ones, or the newest `limit` of all) and
   * how many are unread; returning them marks queued ones delivered (`message_delivered`),
   * unless `peek` (a client's program looking, not its model: changes nothing). A repeat returns the same
   * messages, so it is safe.
   */
  'messages/inbox': {
    params: z.object({
      unreadOnly: z.boolean().default(true),
      limit: z.number().int().min(1).max(limits.page).default(50),
      peek: z.boolean().default(false),
      /** Only messages older than this id: the first of the page before (with `unreadOnly` false). */
      before: z.number().int().optional(),
    }),
    result: z.object({ messages: z.array(Message), unread: z.number().int() }),
    retry: 'safe',
  },
  /**
   * The news for the caller's model: messages to it that nothing has put in front of it yet
   * (queued), requests and alerts first, then the rest oldest first, as many as fit `budget`
   * characters of bodies (a body longer than what is left is cut, with `truncated`; at least
   * one message is always given). Those returned become delivered, with `message_delivered`
   * each, so they are never news twice; `more` are still queued. For tool results and hooks.
   * Not retried: a repeat would return nothing (they were delivered).
   */
  'messages/deliver': {
    params: z.object({
      /** Characters of message bodies, in all. */
      budget: z.number().int().min(100).max(limits.messageBody).default(2000),
      /** Messages, at most. */
      max: z.number().int().min(1).max(limits.list).default(10),
    }),
    result: z.object({
      messages: z.array(Message.extend({ truncated: z.boolean() })),
      /** Messages to the caller still queued (not delivered by this call). */
      more: z.number().int(),
      /** Messages to the caller not yet read (delivered ones included). */
      unread: z.number().int(),
    }),
    retry: 'never',
  },
  /**
   * Messages the caller sent, newest `limit` (older than message `before`, when given), oldest
   * first, with each recipient's state (queued, delivered: its model has seen it, read, acked).
   * Changes nothing.
   */
  'messages/sent': {
    params: z.object({
      limit: z.number().int().min(1).max(limits.page).default(20),
      /** Only messages older than this id: the first of the page before. */
      before: z.number().int().optional(),
    }),
    result: z.object({ messages: z.array(Message) }),
    retry: 'safe',
  },
  /**
   * Messages by id that the caller sent or received (others' are left out, not an error);
   * changes no state (unlike `messages/inbox`).
   */
  'messages/get': { params: z.object({ ids }), result: z.object({ messages: z.array(Message) }), retry: 'safe' },
  /**
   * Marks the caller's own unread messages read; returns how many changed (a repeat counts 0,
   * which callers take as "already done").
   */
  'messages/markRead': { params: z.object({ ids }), result: z.object({ updated: z.number().int() }), retry: 'safe' },
  /**
   * Takes on requests sent to the caller, all or none, in one transaction: each message's
   * thread is claimed for the caller (re-claiming its own renews the claim) and the messages
   * are marked read. Returns them and how many were newly read. Fails `alreadyClaimed` (nothing
   * claimed; `data.claimed` lists `{ id, by, byName }`) when another peer claimed any of them,
   * `notFound` for an id that is not a message to the caller, `invalidInput` for one that is
   * not a request. Emits `state_changed` per thread claimed. Safe to repeat: the claims are the
   * caller's already.
   */
  'messages/claim': {
    params: z.object({ ids }),
    result: z.object({ messages: z.array(Message), updated: z.number().int() }),
    retry: 'safe',
  },
  /** Marks the caller's own messages acked (answered or done); returns how many changed. */
  'messages/ack': { params: z.object({ ids }), result: z.object({ updated: z.number().int() }), retry: 'safe' },
  /**
   * The mesh's message traffic, for the person: the newest `limit` messages between any peers
   * (one per recipient, as stored), oldest first. Only a person's peers (kinds `vscode-window`
   * and `cli`) may read it; agents get `unauthorized` and keep to their own inboxes. Fails
   * `notFound` for an unknown `peer`. Changes no state (nothing becomes delivered or read).
   */
  'messages/traffic': {
    params: z.object({
      /** How many messages, at most (the newest of those that match). */
      limit: z.number().int().min(1).max(limits.page).default(100),
      /** Only messages from or to this peer (id, or name of a live peer). */
      peer: PeerNameInput.optional(),
      /** Only messages older than this message id: the next page back. */
      before: z.number().int().optional(),
    }),
    result: z.object({
      /** Oldest first; the last is the newest. */
      messages: z.array(Message),
    }),
    retry: 'safe',
  },
});
