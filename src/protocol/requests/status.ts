/** The broker itself: who it is, and how it is doing. */
import * as z from 'zod';
import { defineRequests } from './spec';

/** Which broker answers: sent in `mesh/hello`, so a peer knows whom it talks to before joining. */
export const BrokerInfo = z.object({
  /** Fresh for every broker process: a peer sees a fail-over by its change. */
  instanceId: z.string(),
  /** The PeerMesh version the broker runs. */
  version: z.string(),
  pid: z.number().int(),
  port: z.number().int(),
  /** Epoch ms. */
  startedAt: z.number(),
});
export type BrokerInfo = z.infer<typeof BrokerInfo>;

/**
 * The counts in a {@link Status}, declared once: the schema, the core's counts, the CLI's
 * `peermesh status` and the MCP `mesh_status` are all built from this table, in its order.
 * Each count is named for what it counts and shown as "1 live peer" / "3 live peers".
 */
export const statusCounts = {
  /** Peers not gone: working, idle, or disconnected and keeping their claims (see `PeerStatus`). */
  livePeers: { one: 'live peer', many: 'live peers' },
  /** Every peer the mesh remembers, gone ones too until retention prunes them. */
  peers: { one: 'known peer', many: 'known peers' },
  /** Open connections to the broker (a peer may have more than one); counted by the broker, not the core. */
  sessions: { one: 'session', many: 'sessions' },
  /** Live (unexpired) locks. */
  locks: { one: 'lock', many: 'locks' },
  /** Stored messages, one per recipient, until retention prunes them. */
  messages: { one: 'message', many: 'messages' },
  /** Messages their recipient has not read yet. */
  unreadMessages: { one: 'unread message', many: 'unread messages' },
  /** Live (not deleted, not expired) state entries. */
  stateEntries: { one: 'state entry', many: 'state entries' },
  /** Stored events, until retention prunes them. */
  events: { one: 'event', many: 'events' },
} as const satisfies Record<string, { one: string; many: string }>;

export type StatusCountName = keyof typeof statusCounts;
export type StatusCounts = Record<StatusCountName, number>;

/** The counts as schema: every name of {@link statusCounts}, described by its label. */
export const StatusCounts = z.object(Object.fromEntries(
  Object.entries(statusCounts).map(([name, label]) => [name, z.number().int().describe(label.many)]),
) as Record<StatusCountName, z.ZodNumber>);

/** "2 live peers, 3 known peers, 1 session, …": every count, in the order of {@link statusCounts}. */
export function describeCounts(counts: StatusCounts): string {
  return (Object.keys(statusCounts) as StatusCountName[])
    .map((name) => `${counts[name]} ${counts[name] === 1 ? statusCounts[name].one : statusCounts[name].many}`)
    .join(', ');
}

/** The broker's health and the size of what it keeps. */
export const Status = BrokerInfo.extend({
  uptimeMs: z.number(),
  /** The mesh home folder (secret, store, journal). */
  home: z.string(),
  counts: StatusCounts,
  /** The newest event's sequence number: a starting `since` for `events/read`. */
  lastEventSeq: z.number().int(),
  storeBytes: z.number().int(),
  journalBytes: z.number().int(),
});
export type Status = z.infer<typeof Status>;

export const statusRequests = defineRequests('status', {
  /** The broker's identity, uptime, counts and file sizes. Any registered peer; no errors of its own. */
  'status/get': { params: z.object({}), result: Status, retry: 'safe' },
});
