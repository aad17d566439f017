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
 */
import { z } from 'zod';
import { Message, MeshEvent } from './entities';
import { eventsRequests } from './requests/events';
import { locksRequests } from './requests/locks';
import { meshRequests } from './requests/mesh';
import { messagesRequests } from './requests/messages';
import { peersRequests } from './requests/peers';
import { stateRequests } from './requests/state';
import { statusRequests } from './requests/status';

export { BrokerInfo, Status } from './requests/status';
export { PeerIntro } from './requests/mesh';
export { LockTarget } from './requests/locks';
export { Recipients } from './requests/messages';

/**
 * Protocol version; a broker refuses peers that speak another one. 2: typed events,
 * `messages/claim`, `locks/releaseAll`, and `locks/renew` by target answering `{ locks }`.
 */
export const protocolVersion = 2;

/** Every request a peer may send, by JSON-RPC method name. */
export const requests = {
  ...meshRequests,
  ...peersRequests,
  ...messagesRequests,
  ...stateRequests,
  ...locksRequests,
  ...eventsRequests,
  ...statusRequests,
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

/** Methods that need no registered session. */
export const preAuthMethods: ReadonlySet<RequestMethod> = new Set(['mesh/hello', 'mesh/register', 'mesh/resume']);

export function isRequestMethod(m: string): m is RequestMethod {
  return Object.prototype.hasOwnProperty.call(requests, m);
}

/** Human-readable text for a zod error: `field: problem; field: problem`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'params'}: ${i.message}`)
    .join('; ');
}
