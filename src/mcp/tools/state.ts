/**
 * Shared key/value state with compare-and-set: mesh_state. A listing shows big values elided
 * (their size, and the get that reads them) and stops at the result's budget with the call
 * for the next page; a value too big for one result is read in parts of its JSON text.
 */
import * as z from 'zod';
import { BrokerError } from '../../protocol/errors';
import { limits } from '../../protocol/limits';
import { printable } from '../../core/printable';
import type { StateEntry } from '../../protocol/entities';
import { callText, elide, elided, fitList, isElided, itemBytes, moreLine, ownBytes, partBytes, partEnd, renderedBytes } from '../budget';
import { defineTool } from '../tool';
import { StateView, clip, stateView } from '../views';

const defaultNamespace = 'shared';

/** Entries fetched per request while a page fills (big values stay at the broker, elided). */
const batch = 100;

/** `1200@3`: a part of version 3's JSON from character 1200. */
const partCursor = /^(\d+)@(\d+)$/;

/** mesh_state: get, set (with compare-and-set), delete and list shared keys. */
export const stateTool = defineTool({
  name: 'mesh_state',
  title: 'Shared state',
  description: 'Shared key/value facts all agents read and write: decisions, ports in use, progress. Use ifVersion (compare-and-set) when others may write the same key.',
  input: {
    action: z.enum(['get', 'set', 'delete', 'list']).describe('list: keys starting with key'),
    key: z.string().max(limits.key).optional().describe('The key (list: a prefix, default all)'),
    value: z.unknown().optional().describe('set: any JSON value'),
    namespace: z.string().min(1).max(limits.key).optional().describe('Default "shared"'),
    ifVersion: z.number().int().min(0).optional().describe('set/delete: only at this version (0: not set yet)'),
    ttlSeconds: z.number().int().min(1).max(limits.ttlSeconds).optional().describe('set: forget it after this long'),
    cursor: z.string().max(limits.key + 32).optional().describe('From more'),
  },
  output: {
    entry: StateView.nullable().optional(), entries: z.array(StateView).optional(), deleted: z.boolean().optional(), more: z.string().optional(),
  },
  async run(args, client, ctx) {
    const namespace = args.namespace ?? defaultNamespace;
    const name = (id: string) => (id === client.peer.id ? 'you' : ctx.session.peerName(id));
    const needKey = () => {
      if (!args.key) throw new BrokerError('invalidInput', `${args.action} needs a key`);
      return args.key;
    };
    // The namespace is named in a call only when the agent named it.
    const getCall = (key: string, cursor?: string) => callText('mesh_state', { action: 'get', namespace: args.namespace, key, cursor });
    switch (args.action) {
      case 'get': {
        const key = needKey();
        const from = args.cursor === undefined ? undefined : partCursor.exec(args.cursor);
        if (from === null) throw new BrokerError('invalidInput', `cursor "${args.cursor}" is not one mesh_state gave: call ${getCall(key)} without it`);
        const { entry } = await client.request('state/get', { namespace, key });
        if (!entry) return { text: `${key} is not set.`, data: { entry: null } };
        const view = stateView(entry, name);
        const by = `version ${entry.version}, by ${printable(view.author)}`;
        // Shown whole when it fits as it goes out: the text escapes what printable must, up to 2.5 times the bytes.
        const whole = { text: `${printable(key)} = ${clip(entry.value, Infinity)} (${by})`, data: { entry: view } };
        if (!from && renderedBytes(whole) <= partBytes) return whole;
        return readPart(entry, view, from ? { at: Number(from[1]), version: Number(from[2]) } : { at: 0, version: entry.version }, by, getCall);
      }
      case 'set': {
        const key = needKey();
        if (args.value === undefined) throw new BrokerError('invalidInput', 'set needs a value (any JSON; null to store null)');
        const size = JSON.stringify(args.value).length;
        if (size > limits.stateValue) throw new BrokerError('invalidInput', `value is ${size} characters as JSON; at most ${limits.stateValue}`);
        const { entry } = await client.request('state/set', { namespace, key, value: args.value, ifVersion: args.ifVersion, ttlSeconds: args.ttlSeconds });
        // The agent just sent the value: a big one is not sent back.
        return { text: `${key} set (version ${entry.version}).`, data: { entry: { ...stateView(entry, name), value: elide(entry.value, getCall(key)) } } };
      }
      case 'delete': {
        const key = needKey();
        const { deleted } = await client.request('state/delete', { namespace, key, ifVersion: args.ifVersion });
        return { text: deleted ? `${key} deleted.` : `${key} was not set.`, data: { deleted } };
      }
      case 'list': {
        const prefix = args.key ?? '';
        const views: StateView[] = [];
        const line = (v: StateView) => `${printable(v.key)} = ${isElided(v.value) ? `(${v.value.bytes} bytes, elided: ${v.value.get})` : clip(v.value, Infinity)} (v${v.version})`;
        // Batches until the page is full or the keys run out.
        let after = args.cursor;
        let page;
        for (;;) {
          const { entries } = await client.request('state/list', { namespace, prefix, after, limit: batch, valueBytes: itemBytes });
          views.push(...entries.map((e) => ({ ...stateView(e, name), value: e.bytes === undefined ? e.value : elided(e.bytes, getCall(e.key)) })));
          page = fitList(views, line);
          if (page.cut || entries.length < batch) break;
          after = entries[entries.length - 1].key;
        }
        const last = page.items[page.items.length - 1];
        const more = page.cut ? callText('mesh_state', { action: 'list', namespace: args.namespace, key: args.key, cursor: last.key }) : undefined;
        const none = `No ${args.cursor ? 'more ' : ''}keys in ${namespace}${prefix ? ` starting with "${prefix}"` : ''}.`;
        const text = page.items.length === 0 ? none : [...page.lines, ...(more ? [moreLine(more)] : [])].join('\n');
        return { text, data: { entries: page.items, ...(more && { more }) } };
      }
    }
  },
});

/**
 * A part of a value too big for one result: its JSON text from `from.at`, as much as fits, in
 * place of the value, with the call for the next part. structuredContent carries the part raw
 * (the parts put together are the JSON text); the text shows it printable, as every other peer's
 * word. A part of another version is refused, so the parts put together are always one
 * version's value.
 */
function readPart(
  entry: StateEntry,
  view: StateView,
  from: { at: number; version: number },
  by: string,
  getCall: (key: string, cursor?: string) => string,
) {
  const json = JSON.stringify(entry.value);
  if (from.version !== entry.version) {
    throw new BrokerError('invalidInput', `${entry.key} changed (now version ${entry.version}) since that part was read: read it again from the start with ${getCall(entry.key)}`);
  }
  if (from.at >= json.length) throw new BrokerError('invalidInput', `cursor "${from.at}@${from.version}" is past the end of ${entry.key}: call ${getCall(entry.key)} without it`);
  const render = (end: number) => {
    const part = json.slice(from.at, end);
    const more = end < json.length ? getCall(entry.key, `${end}@${entry.version}`) : undefined;
    const value = { elided: true, bytes: Buffer.byteLength(json), part, at: from.at };
    const text = `${printable(entry.key)} (${by}) is ${value.bytes} bytes of JSON, read in parts; characters ${from.at} to ${end} of ${json.length}:\n${printable(part)}` +
      (more ? `\n${moreLine(more)}` : '');
    return { text, data: { entry: { ...view, value }, ...(more && { more }) } };
  };
  // The part gets what the rest of the result leaves of the tool's own bytes; its end, in the
  // text and in the next cursor, counted at the most digits it can have.
  const frame = renderedBytes(render(from.at)) + 2 * String(json.length).length;
  return render(partEnd(json, from.at, Math.min(partBytes, ownBytes - frame), true));
}
