/** Shared key/value state with compare-and-set: mesh_state. */
import { z } from 'zod';
import { BrokerError } from '../../protocol/errors';
import { limits } from '../../protocol/limits';
import { defineTool } from '../tool';
import { StateView, clip, stateView } from '../views';
import { printable } from '../../core/printable';

const defaultNamespace = 'shared';

/** mesh_state: get, set (with compare-and-set), delete and list shared keys. */
export const stateTool = defineTool({
  name: 'mesh_state',
  title: 'Shared state',
  description: 'Shared key/value facts all agents can read and write: decisions, ports in use, who owns what, progress. Use ifVersion to update safely (compare-and-set) when others may write the same key.',
  input: {
    action: z.enum(['get', 'set', 'delete', 'list']).describe('get, set, delete, or list (keys starting with key)'),
    key: z.string().max(limits.key).optional().describe('The key (list: a prefix, default all)'),
    value: z.unknown().optional().describe('set: any JSON value'),
    namespace: z.string().min(1).max(limits.key).optional().describe('Default "shared"'),
    ifVersion: z.number().int().min(0).optional().describe('set/delete: only if the current version is this (0 = must not exist yet)'),
    ttlSeconds: z.number().int().min(1).max(limits.ttlSeconds).optional().describe('set: forget it after this long'),
  },
  output: { entry: StateView.nullable().optional(), entries: z.array(StateView).optional(), deleted: z.boolean().optional() },
  async run(args, client, ctx) {
    const namespace = args.namespace ?? defaultNamespace;
    const name = (id: string) => (id === client.peer.id ? 'you' : ctx.session.peerName(id));
    const needKey = () => {
      if (!args.key) throw new BrokerError('invalidInput', `${args.action} needs a key`);
      return args.key;
    };
    switch (args.action) {
      case 'get': {
        const key = needKey();
        const { entry } = await client.request('state/get', { namespace, key });
        if (!entry) return { text: `${key} is not set.`, data: { entry: null } };
        const view = stateView(entry, name);
        return { text: `${printable(key)} = ${clip(entry.value, 500)} (version ${entry.version}, by ${printable(view.author)})`, data: { entry: view } };
      }
      case 'set': {
        const key = needKey();
        if (args.value === undefined) throw new BrokerError('invalidInput', 'set needs a value (any JSON; null to store null)');
        const { entry } = await client.request('state/set', { namespace, key, value: args.value, ifVersion: args.ifVersion, ttlSeconds: args.ttlSeconds });
        return { text: `${key} set (version ${entry.version}).`, data: { entry: stateView(entry, name) } };
      }
      case 'delete': {
        const key = needKey();
        const { deleted } = await client.request('state/delete', { namespace, key, ifVersion: args.ifVersion });
        return { text: deleted ? `${key} deleted.` : `${key} was not set.`, data: { deleted } };
      }
      case 'list': {
        const { entries } = await client.request('state/list', { namespace, prefix: args.key ?? '', limit: 100 });
        const views = entries.map((e) => stateView(e, name));
        const text = views.length === 0 ? `No keys in ${namespace}${args.key ? ` starting with "${args.key}"` : ''}.` : views.map((v) => `${printable(v.key)} = ${clip(v.value, 120)} (v${v.version})`).join('\n');
        return { text, data: { entries: views } };
      }
    }
  },
});
