/**
 * The broker wire protocol: JSON-RPC 2.0 over a WebSocket, one JSON message per frame.
 * Every request is listed in {@link requests} with its params and result schema; every
 * broker → peer push in {@link notifications}. Both sides validate with these schemas.
 */
import { z } from 'zod';
import { limits } from './limits';
import {
  Lock, LineInput, Message, MessageKind, MeshEvent, Peer, PeerKind, PeerStatus, PathInput, Scope,
  StateEntry, TtlInput, WaitInput, EventType,
} from './entities';

/** Protocol version; a broker refuses peers that speak another one. */
export const protocolVersion = 1;

const name = z.string().min(1).max(limits.name);
const key = z.string().min(1).max(limits.key);
const ids = z.array(z.number().int()).min(1).max(limits.list);
const stateValue = z.unknown().refine(
  (v) => v !== undefined && JSON.stringify(v).length <= limits.stateValue,
  { message: `value must be JSON of at most ${limits.stateValue} characters` },
);

/** What a peer says about itself when it registers. */
export const PeerIntro = z.object({
  name,
  kind: PeerKind,
  pid: z.number().int().nullable().default(null),
  cwd: z.string().max(limits.path).nullable().default(null),
  workspace: z.string().max(limits.path).nullable().default(null),
  summary: z.string().max(limits.summary).default(''),
});
export type PeerIntro = z.input<typeof PeerIntro>;

/** A file, or a line range of it. */
export const LockTarget = z.object({
  path: PathInput,
  startLine: LineInput.optional(),
  endLine: LineInput.optional(),
}).refine((t) => (t.startLine === undefined) === (t.endLine === undefined), {
  message: 'give both startLine and endLine, or neither',
}).refine((t) => t.startLine === undefined || t.endLine === undefined || t.startLine <= t.endLine, {
  message: 'startLine must not be after endLine',
});
export type LockTarget = z.infer<typeof LockTarget>;

/** Recipients: one peer (id or name), a list, or everyone in a scope. */
export const Recipients = z.union([
  z.object({ peer: name }),
  z.object({ peers: z.array(name).min(1).max(limits.list) }),
  z.object({ broadcast: Scope }),
]);
export type Recipients = z.infer<typeof Recipients>;

export const BrokerInfo = z.object({
  instanceId: z.string(),
  version: z.string(),
  pid: z.number().int(),
  port: z.number().int(),
  startedAt: z.number(),
});
export type BrokerInfo = z.infer<typeof BrokerInfo>;

export const Status = BrokerInfo.extend({
  uptimeMs: z.number(),
  home: z.string(),
  counts: z.object({
    peers: z.number().int(), livePeers: z.number().int(), messages: z.number().int(),
    unreadMessages: z.number().int(), stateEntries: z.number().int(), locks: z.number().int(),
    events: z.number().int(), sessions: z.number().int(),
  }),
  lastEventSeq: z.number().int(),
  storeBytes: z.number().int(),
  journalBytes: z.number().int(),
});
export type Status = z.infer<typeof Status>;

const ok = z.object({ ok: z.literal(true) });

/** Every request a peer may send, by JSON-RPC method name. */
export const requests = {
  /** First frame: both sides prove they know the broker secret (HMAC over the other's nonce). */
  'mesh/hello': {
    params: z.object({ protocol: z.number().int(), nonce: z.string().min(16).max(128) }),
    result: z.object({ proof: z.string(), nonce: z.string(), broker: BrokerInfo }),
  },
  /** Join as a new peer. `proof` = HMAC(secret, 'peer:' + broker nonce). */
  'mesh/register': {
    params: z.object({ proof: z.string().max(128), intro: PeerIntro }),
    result: z.object({ peer: Peer, sessionSecret: z.string() }),
  },
  /** Rejoin as an existing peer after a reconnect or fail-over, keeping id, locks and inbox. */
  'mesh/resume': {
    params: z.object({ proof: z.string().max(128), peerId: z.string().max(64), sessionSecret: z.string().max(128) }),
    result: z.object({ peer: Peer }),
  },
  /** Leave the mesh on purpose: locks are released at once, no grace period. */
  'mesh/leave': { params: z.object({}), result: ok },
  /** Ask for `push/event` notifications (all types, or the listed ones); `false` stops them. */
  'mesh/subscribe': {
    params: z.object({ events: z.union([z.boolean(), z.array(EventType).max(limits.list)]) }),
    result: ok,
  },

  'peers/list': {
    params: z.object({ scope: Scope.default('machine'), includeGone: z.boolean().default(false) }),
    result: z.object({ peers: z.array(Peer) }),
  },
  'peers/whoami': { params: z.object({}), result: z.object({ peer: Peer }) },
  'peers/update': {
    params: z.object({
      summary: z.string().max(limits.summary).optional(),
      status: PeerStatus.exclude(['gone']).optional(),
      name: name.optional(),
    }),
    result: z.object({ peer: Peer }),
  },

  'messages/send': {
    params: z.object({
      to: Recipients, kind: MessageKind.default('text'),
      body: z.string().min(1).max(limits.messageBody),
      replyTo: z.number().int().optional(),
    }),
    result: z.object({ messages: z.array(Message) }),
  },
  /** The caller's messages; returning them marks queued ones delivered. */
  'messages/inbox': {
    params: z.object({
      unreadOnly: z.boolean().default(true),
      limit: z.number().int().min(1).max(limits.page).default(50),
    }),
    result: z.object({ messages: z.array(Message), unread: z.number().int() }),
  },
  /** Messages by id that the caller sent or received; changes no state (unlike `messages/inbox`). */
  'messages/get': { params: z.object({ ids }), result: z.object({ messages: z.array(Message) }) },
  'messages/markRead': { params: z.object({ ids }), result: z.object({ updated: z.number().int() }) },
  'messages/ack': { params: z.object({ ids }), result: z.object({ updated: z.number().int() }) },

  'state/get': {
    params: z.object({ namespace: key, key }),
    result: z.object({ entry: StateEntry.nullable() }),
  },
  'state/set': {
    params: z.object({
      namespace: key, key, value: stateValue,
      /** Compare-and-set: write only if the current version is this (0 = must not exist). */
      ifVersion: z.number().int().min(0).optional(),
      ttlSeconds: TtlInput.optional(),
    }),
    result: z.object({ entry: StateEntry }),
  },
  'state/delete': {
    params: z.object({ namespace: key, key, ifVersion: z.number().int().min(1).optional() }),
    result: z.object({ deleted: z.boolean() }),
  },
  'state/list': {
    params: z.object({
      namespace: key, prefix: z.string().max(limits.key).default(''),
      limit: z.number().int().min(1).max(limits.page).default(100),
    }),
    result: z.object({ entries: z.array(StateEntry) }),
  },

  'locks/acquire': {
    params: z.object({
      target: LockTarget,
      reason: z.string().max(limits.reason).default(''),
      ttlSeconds: TtlInput.optional(),
      /** Wait up to this long, queued FIFO, for the lock to free. 0 = fail at once. */
      waitMs: WaitInput.default(0),
    }),
    result: z.object({ lock: Lock, renewed: z.boolean() }),
  },
  'locks/release': {
    params: z.object({ target: LockTarget.optional(), lockId: z.number().int().optional() }),
    result: z.object({ released: z.array(Lock) }),
  },
  'locks/renew': {
    params: z.object({ lockId: z.number().int(), ttlSeconds: TtlInput.optional() }),
    result: z.object({ lock: Lock }),
  },
  /** Locks that would conflict with acquiring `target` (the caller's own are left out). */
  'locks/check': {
    params: z.object({ target: LockTarget }),
    result: z.object({ conflicts: z.array(Lock) }),
  },
  'locks/list': {
    params: z.object({ path: PathInput.optional(), holder: z.string().max(64).optional() }),
    result: z.object({ locks: z.array(Lock) }),
  },

  'events/read': {
    params: z.object({
      since: z.number().int().min(0).default(0),
      types: z.array(EventType).max(limits.list).optional(),
      limit: z.number().int().min(1).max(limits.page).default(100),
      /** Long-poll: if nothing is newer than `since`, wait up to this long for it. */
      waitMs: WaitInput.default(0),
    }),
    result: z.object({ events: z.array(MeshEvent), cursor: z.number().int() }),
  },

  'status/get': { params: z.object({}), result: Status },
} as const;

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
