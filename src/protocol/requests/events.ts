/** The mesh's event log: everything that happened, in order, for peers that keep views of it. */
import { z } from 'zod';
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
});
