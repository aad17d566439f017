/** The broker itself: who it is, and how it is doing. */
import { z } from 'zod';
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

/** The broker's health and the size of what it keeps. */
export const Status = BrokerInfo.extend({
  uptimeMs: z.number(),
  /** The mesh home folder (secret, store, journal). */
  home: z.string(),
  counts: z.object({
    peers: z.number().int(), livePeers: z.number().int(), messages: z.number().int(),
    unreadMessages: z.number().int(), stateEntries: z.number().int(), locks: z.number().int(),
    events: z.number().int(), sessions: z.number().int(),
  }),
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
