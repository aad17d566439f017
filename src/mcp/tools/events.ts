/** The mesh's event log: mesh_events. */
import { z } from 'zod';
import { EventType } from '../../protocol/entities';
import { defineTool } from '../tool';
import { EventView, eventLine, eventView } from '../views';

/** How far back a first call without `since` looks. */
const firstLook = 20;

/** mesh_events: the event log, read on from where the last call stopped. */
export const eventsTool = defineTool({
  name: 'mesh_events',
  title: 'What happened in the mesh',
  description: 'Recent mesh events: peers joining and leaving, locks taken and released, state changes, messages sent. Each call goes on from where the last one stopped. Use to catch up after a long task, or with waitSeconds to wait for something to happen.',
  input: {
    since: z.number().int().min(0).optional().describe('Events after this seq (default: where your last call stopped)'),
    types: z.array(EventType).max(20).optional().describe('Only these types, e.g. ["lock_released"]'),
    limit: z.number().int().min(1).max(200).optional().describe('At most this many (default 50)'),
    waitSeconds: z.number().int().min(0).max(300).optional().describe('If nothing is new, wait this long for an event'),
  },
  output: { events: z.array(EventView), cursor: z.number() },
  readOnly: true,
  async run(args, client, ctx, signal) {
    const limit = args.limit ?? 50;
    let since = args.since ?? ctx.session.eventsCursor;
    if (since === undefined) since = Math.max(0, (await client.request('status/get', {})).lastEventSeq - firstLook);
    const { events, cursor } = await client.request('events/read', { since, types: args.types, limit, waitMs: (args.waitSeconds ?? 0) * 1000 }, { signal });
    ctx.session.eventsCursor = cursor;
    const views = events.map((e) => eventView(e, ctx.session.peerName.bind(ctx.session)));
    const text = views.length === 0 ? `No new events (cursor ${cursor}).` : `${views.map(eventLine).join('\n')}\n(cursor ${cursor})`;
    return { text, data: { events: views, cursor } };
  },
});
