/** The mesh's event log: mesh_events. */
import * as z from 'zod';
import { EventType } from '../../protocol/entities';
import { callText, fitList, moreLine } from '../budget';
import { defineTool } from '../tool';
import { EventView, eventLine, eventView } from '../views';

/** How far back a first call without `since` looks. */
const firstLook = 20;

/**
 * mesh_events: the event log, read on from where the last call stopped. A page cut at the
 * result's budget stops at its last event shown, and the next call goes on from there.
 */
export const eventsTool = defineTool({
  name: 'mesh_events',
  title: 'What happened in the mesh',
  description: 'Mesh events (peers, messages, locks, state, plan and tasks), each call going on from where the last stopped. Use to catch up after a long task, or with waitSeconds to wait for something.',
  input: {
    since: z.number().int().min(0).optional().describe('After this seq (default: where you stopped)'),
    types: z.array(EventType).max(20).optional().describe('Only these types'),
    limit: z.number().int().min(1).max(200).optional().describe('At most this many (default 50)'),
    waitSeconds: z.number().int().min(0).max(300).optional().describe('If nothing is new, wait this long'),
  },
  output: { events: z.array(EventView), cursor: z.number(), more: z.string().optional() },
  readOnly: true,
  async run(args, client, ctx, signal) {
    const limit = args.limit ?? 50;
    let since = args.since ?? ctx.session.eventsCursor;
    if (since === undefined) since = Math.max(0, (await client.request('status/get', {})).lastEventSeq - firstLook);
    const read = await client.request('events/read', { since, types: args.types, limit, waitMs: (args.waitSeconds ?? 0) * 1000 }, { signal });
    const page = fitList(read.events.map((e) => eventView(e, ctx.session.peerName.bind(ctx.session))), eventLine);
    const cursor = page.cut ? page.items[page.items.length - 1].seq : read.cursor;
    ctx.session.eventsCursor = cursor;
    const more = page.cut ? callText('mesh_events', { since: cursor, types: args.types, limit: args.limit }) : undefined;
    const text = page.items.length === 0 ? `No new events (cursor ${cursor}).` : [...page.lines, `(cursor ${cursor})`, ...(more ? [moreLine(more)] : [])].join('\n');
    return { text, data: { events: page.items, cursor, ...(more && { more }) } };
  },
});
