/** The mesh's event log: everything that happened, in order, for peers that keep views of it. */
import * as z from 'zod';
import { EventType, MeshEvent, WaitInput } from '../entities';
import { limits } from '../limits';
import { defineRequests } from './spec';

export const eventsRequests = defineRequests('events', {
  /**
   * Events after `since` (optionally of the listed types), oldest first, and the `cursor` to
   * pass as the next `since`. Any registered peer. A long-poll fails `cancelled` at once when
   * the caller cancels it (or its connection closes), `unavailable` if the broker shuts down.
   */
  'events/read': {
    params: z.object({
      since: z.number().int().min(0).default(0),
      types: z.array(EventType).max(limits.list).optional(),
      limit: z.number().int().min(1).max(limits.page).default(100),
      /** Long-poll: if nothing is newer than `since`, wait up to this long for it. */
      waitMs: WaitInput.default(0),
    }),
    result: z.object({ events: z.array(MeshEvent), cursor: z.number().int() }),
    retry: 'safe',
  },
  /**
   * The audit trail: who changed what, and when. Events after `after` (a seq) that happened at or
   * after `since` (epoch ms), of the given types (default all), oldest first, each with the
   * display name its peer had (or has) so the trail reads after the peer is long gone. Plan,
   * task and contract events are kept for the audit retention, longer than other events.
   */
  'events/audit': {
    params: z.object({
      since: z.number().int().min(0).default(0),
      after: z.number().int().min(0).default(0),
      types: z.array(EventType).max(limits.list).optional(),
      limit: z.number().int().min(1).max(limits.page).default(500),
    }),
    result: z.object({
      entries: z.array(z.object({ event: MeshEvent, peerName: z.string().nullable() })),
      /** The seq to pass as the next `after`; equal to `after` when nothing more. */
      cursor: z.number().int(),
    }),
    retry: 'safe',
  },
});
