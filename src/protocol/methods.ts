/**
 * The broker wire protocol: JSON-RPC 2.0 over a WebSocket, one JSON message per frame.
 * Every request is listed in {@link requests} with its params, result and retry safety; every
 * broker → peer push in {@link notifications}. Both sides validate with these schemas.
 *
 * Requests are declared one file per domain in `requests/`, each method named after its file
 * (`locks/acquire` in `requests/locks.ts`); this file merges them. Adding a method to the
 * protocol touches its domain file only (broker/handlers.ts then does not compile until it
 * handles it); adding a domain adds its file, and its import and spread here.
 *
 * Any request may fail `invalidInput` (params that fail the schema), `unauthorized` (sent before
 * registering), `unavailable` (the broker is shutting down or went away), and
 * a change may fail `diskFull`; each request's JSDoc names its own errors beyond these.
 *
 * Any request's params may also carry `_meta` ({@link RequestMeta}): what the request says
 * about itself rather than its arguments.
 */
import * as z from 'zod';
import { Message, MeshEvent } from './entities';
import { BrokerError } from './errors';
import { debateRequests } from './requests/debate';
import { deltaRequests } from './requests/delta';
import { editsRequests } from './requests/edits';
import { eventsRequests } from './requests/events';
import { releaseRequests } from './requests/release';
import { locksRequests } from './requests/locks';
import { meshRequests } from './requests/mesh';
import { messagesRequests } from './requests/messages';
import { peersRequests } from './requests/peers';
import { planRequests } from './requests/plan';
import { stateRequests } from './requests/state';
import { statusRequests } from './requests/status';
import { syncRequests } from './requests/sync';

export { BrokerInfo, Status } from './requests/status';
export { PeerIntro } from './requests/mesh';
export { LockTarget } from './requests/locks';
export { Recipients } from './requests/messages';

export { protocolVersion } from './protocol-version';

/** Every request a peer may send, by JSON-RPC method name. */
export const requests = {
  ...meshRequests,
  ...peersRequests,
  ...messagesRequests,
  ...stateRequests,
  ...locksRequests,
  ...eventsRequests,
  ...editsRequests,
  ...statusRequests,
  ...planRequests,
  ...deltaRequests,
  ...debateRequests,
  ...syncRequests,
  ...releaseRequests,
};

export type RequestMethod = keyof typeof requests;
export type RequestParams<M extends RequestMethod> = z.input<(typeof requests)[M]['params']>;
export type ParsedParams<M extends RequestMethod> = z.output<(typeof requests)[M]['params']>;
export type RequestResult<M extends RequestMethod> = z.output<(typeof requests)[M]['result']>;

/** Every broker → peer notification. */
export const notifications = {
  /** A new message for this peer. */
  'push/message': z.object({ message: Message }),
  /** A mesh event the session subscribed to. */
  'push/event': z.object({ event: MeshEvent }),
} as const;

export type NotificationMethod = keyof typeof notifications;
export type NotificationParams<M extends NotificationMethod> = z.output<(typeof notifications)[M]>;

/**
 * What a request says about itself, in its params under `_meta` (taken out before the params
 * are validated, so no method's schema names it).
 */
export const RequestMeta = z.object({
  /**
   * The peer's program sent this on its own (a view refreshing after a pushed event, a
   * catch-up after a reconnect), not because its agent called a tool or its person acted: it
   * does not make the peer `working`.
   */
  background: z.boolean().optional(),
});
export type RequestMeta = z.infer<typeof RequestMeta>;

/** Takes `_meta` out of a request's wire params; a malformed one fails `invalidInput`. */
export function splitMeta(method: string, raw: unknown): { params: unknown; meta: RequestMeta } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !('_meta' in raw)) return { params: raw, meta: {} };
  const { _meta, ...params } = raw as Record<string, unknown>;
  const meta = RequestMeta.safeParse(_meta);
  if (!meta.success) throw new BrokerError('invalidInput', `${method}: _meta: ${describeZodError(meta.error)}`);
  return { params, meta: meta.data };
}

/** Session plumbing: sent by a peer's program as part of joining and leaving. */
const plumbing: ReadonlySet<RequestMethod> = new Set(['mesh/subscribe', 'mesh/leave']);

/**
 * Whether a request shows its peer at work (makes it `working`, see `PeerStatus`): every
 * request except those marked `background`, session plumbing (`mesh/subscribe`,
 * `mesh/leave`), and an `events/read` that waits. A long-poll says the peer is listening, and
 * whoever follows the log re-arms it back to back, so it would keep the peer working forever.
 */
export function showsActivity(method: RequestMethod, params: unknown, meta: RequestMeta): boolean {
  if (meta.background === true || plumbing.has(method)) return false;
  if (method === 'events/read') return ((params as { waitMs?: number } | undefined)?.waitMs ?? 0) === 0;
  return true;
}

/** Methods that need no registered session. */
export const preAuthMethods: ReadonlySet<RequestMethod> = new Set(['mesh/hello', 'mesh/register', 'mesh/resume', 'mesh/attach']);

export function isRequestMethod(m: string): m is RequestMethod {
  return Object.prototype.hasOwnProperty.call(requests, m);
}

/** A zod error's first issues as data: the dotted path of the field ('' for the whole) and the problem. */
export function zodIssues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** Human-readable text for a zod error: `field: problem; field: problem`. */
export function describeZodError(error: z.ZodError): string {
  return zodIssues(error).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}
