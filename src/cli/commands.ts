/** The `peermesh` commands that talk to a running mesh. */
import path from 'node:path';
import type { PeerClient } from '../client/peer';
import { BrokerError } from '../protocol/errors';
import type { MeshEvent, Message } from '../protocol/entities';
import { describeTarget } from '../core/paths';
import { duration, parseTarget, table } from './format';
import { cliClient, type CliContext } from './session';

export interface Flags {
  json: boolean;
  [flag: string]: string | boolean | undefined;
}

type Command = (ctx: CliContext, args: string[], flags: Flags) => Promise<void>;

const print = (text: string) => {
  if (text) process.stdout.write(text + '\n');
};
const printJson = (value: unknown) => print(JSON.stringify(value, null, 2));

async function withClient<T>(ctx: CliContext, fn: (c: PeerClient) => Promise<T>, mustExist = false): Promise<T> {
  const client = await cliClient(ctx, { mustExist });
  try {
    return await fn(client);
  } finally {
    // The terminal's peer stays registered (its locks outlive the command); just disconnect.
    await client.close(false);
  }
}

function need(args: string[], count: number, usage: string): void {
  if (args.length < count) throw new BrokerError('invalidInput', `usage: ${usage}`);
}

function absoluteTarget(spec: string) {
  const t = parseTarget(spec);
  return { ...t, path: path.resolve(process.cwd(), t.path) };
}

function formatMessage(m: Message): string {
  const when = new Date(m.createdAt).toLocaleTimeString();
  return `#${m.id} ${when} ${m.fromName} → ${m.kind}${m.broadcast ? ' (broadcast)' : ''}: ${m.body}`;
}

function formatEvent(e: MeshEvent): string {
  return `${e.seq}\t${new Date(e.at).toISOString()}\t${e.type}\t${e.peer ?? '-'}\t${JSON.stringify(e.data)}`;
}

export const commands: Record<string, Command> = {
  async status(ctx, _args, flags) {
    const status = await withClient(ctx, (c) => c.request('status/get', {}), true).catch((e: Error) => {
      throw new BrokerError('unavailable', `no PeerMesh broker is running for ${ctx.home.dir} (${e.message})`);
    });
    if (flags.json) return printJson(status);
    const c = status.counts;
    print([
      `PeerMesh ${status.version}: broker pid ${status.pid} on 127.0.0.1:${status.port}, up ${duration(status.uptimeMs)}`,
      `home     ${status.home}`,
      `peers    ${c.livePeers} live / ${c.peers} known, ${c.sessions} sessions`,
      `locks    ${c.locks}`,
      `messages ${c.messages} (${c.unreadMessages} unread)`,
      `state    ${c.stateEntries} entries`,
      `events   ${c.events} (last #${status.lastEventSeq})`,
      `store    ${status.storeBytes} bytes + journal ${status.journalBytes} bytes`,
    ].join('\n'));
  },

  async peers(ctx, _args, flags) {
    const scope = (flags.scope as 'machine' | 'workspace' | 'repo' | undefined) ?? 'machine';
    const { peers } = await withClient(ctx, (c) => c.request('peers/list', { scope, includeGone: Boolean(flags.all) }));
    if (flags.json) return printJson(peers);
    if (peers.length === 0) return print('no peers');
    print(table(['ID', 'NAME', 'KIND', 'STATUS', 'SEEN', 'WORKING ON'], peers.map((p) => [
      p.id, p.name, p.kind, p.status, `${duration(Date.now() - p.lastSeen)} ago`, p.summary || '-',
    ])));
  },

  async send(ctx, args, flags) {
    need(args, 2, 'peermesh send <peer|all> <text…>');
    const [to, ...words] = args;
    const recipients = to === 'all' ? { broadcast: (flags.scope as 'machine' | 'workspace' | 'repo' | undefined) ?? 'machine' } : { peer: to };
    const kind = (flags.kind as Message['kind'] | undefined) ?? 'text';
    const { messages } = await withClient(ctx, (c) => c.request('messages/send', { to: recipients, kind, body: words.join(' ') }));
    if (flags.json) return printJson(messages);
    print(`sent to ${messages.length} peer${messages.length === 1 ? '' : 's'}`);
  },

  async inbox(ctx, _args, flags) {
    const result = await withClient(ctx, (c) => c.request('messages/inbox', { unreadOnly: !flags.all, limit: 100 }));
    if (flags.json) return printJson(result);
    if (result.messages.length === 0) return print('no messages');
    print(result.messages.map(formatMessage).join('\n'));
  },

  async state(ctx, args, flags) {
    const [op, spec, ...rest] = args;
    const split = (s: string | undefined) => {
      const i = s?.indexOf('/') ?? -1;
      if (!s || i <= 0) throw new BrokerError('invalidInput', 'name a key as <namespace>/<key>');
      return { namespace: s.slice(0, i), key: s.slice(i + 1) };
    };
    await withClient(ctx, async (c) => {
      switch (op) {
        case 'get': {
          const { entry } = await c.request('state/get', split(spec));
          if (!entry) throw new BrokerError('notFound', `${spec} is not set`);
          return flags.json ? printJson(entry) : print(JSON.stringify(entry.value));
        }
        case 'set': {
          need(rest, 1, 'peermesh state set <namespace>/<key> <json|text> [--if-version N] [--ttl S]');
          const raw = rest.join(' ');
          let value: unknown;
          try {
            value = JSON.parse(raw);
          } catch {
            value = raw;
          }
          const { entry } = await c.request('state/set', {
            ...split(spec), value,
            ifVersion: flags['if-version'] === undefined ? undefined : Number(flags['if-version']),
            ttlSeconds: flags.ttl === undefined ? undefined : Number(flags.ttl),
          });
          return flags.json ? printJson(entry) : print(`${spec} = ${JSON.stringify(entry.value)} (version ${entry.version})`);
        }
        case 'del': {
          const { deleted } = await c.request('state/delete', split(spec));
          if (!deleted) throw new BrokerError('notFound', `${spec} is not set`);
          return print(`deleted ${spec}`);
        }
        case 'list': {
          if (!spec) throw new BrokerError('invalidInput', 'usage: peermesh state list <namespace>[/<prefix>]');
          const [namespace, prefix = ''] = spec.split(/\/(.*)/s);
          const { entries } = await c.request('state/list', { namespace, prefix, limit: 1000 });
          if (flags.json) return printJson(entries);
          return print(entries.map((e) => `${e.key}\tv${e.version}\t${JSON.stringify(e.value)}`).join('\n') || 'no entries');
        }
        default:
          throw new BrokerError('invalidInput', 'usage: peermesh state get|set|del|list <namespace>/<key> …');
      }
    });
  },

  async lock(ctx, args, flags) {
    need(args, 1, 'peermesh lock <path>[:START-END] [--ttl S] [--reason R] [--wait S]');
    const { lock, renewed } = await withClient(ctx, (c) => c.request('locks/acquire', {
      target: absoluteTarget(args[0]),
      reason: typeof flags.reason === 'string' ? flags.reason : '',
      ttlSeconds: flags.ttl === undefined ? undefined : Number(flags.ttl),
      waitMs: flags.wait === undefined ? 0 : Number(flags.wait) * 1000,
    }));
    if (flags.json) return printJson(lock);
    print(`${renewed ? 'renewed' : 'locked'} ${describeTarget(lock)} (#${lock.id}) for ${duration(lock.expiresAt - Date.now())}`);
  },

  async unlock(ctx, args, flags) {
    need(args, 1, 'peermesh unlock <path>[:START-END]');
    const { released } = await withClient(ctx, (c) => c.request('locks/release', { target: absoluteTarget(args[0]) }));
    if (flags.json) return printJson(released);
    if (released.length === 0) throw new BrokerError('notFound', `you hold no lock on ${args[0]}`);
    print(`unlocked ${released.map(describeTarget).join(', ')}`);
  },

  async locks(ctx, args, flags) {
    const { locks } = await withClient(ctx, (c) => c.request('locks/list', args[0] ? { path: path.resolve(args[0]) } : {}));
    if (flags.json) return printJson(locks);
    if (locks.length === 0) return print('no locks');
    print(table(['ID', 'TARGET', 'HOLDER', 'LEFT', 'REASON'], locks.map((l) => [
      String(l.id), describeTarget(l), l.holderName, duration(l.expiresAt - Date.now()), l.reason || '-',
    ])));
  },

  async events(ctx, _args, flags) {
    let since = flags.since === undefined ? 0 : Number(flags.since);
    await withClient(ctx, async (c) => {
      for (;;) {
        const { events, cursor } = await c.request('events/read', { since, limit: 500, waitMs: flags.follow ? 30_000 : 0 });
        for (const e of events) print(flags.json ? JSON.stringify(e) : formatEvent(e));
        since = cursor;
        if (!flags.follow) return;
      }
    });
  },
};
