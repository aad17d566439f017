/**
 * The `peermesh` commands, one entry each: what it takes, what it says in `--help`, what it
 * does. `program.ts` builds the command line from this table; the commands that talk to a
 * running mesh are written out here, the larger ones live in their own files.
 */
import path from 'node:path';
import type { PeerClient } from '../client/peer';
import { formatDuration } from '../core/duration';
import { meshDefaults } from '../core/context';
import { describeTarget, describeWorktreeClaim } from '../core/paths';
import { describeKind, describeLookalike, peerListing } from '../core/peer-listing';
import { printable } from '../core/printable';
import { MessageKind, Scope, type ListedStateEntry, type MeshEvent, type Message } from '../protocol/entities';
import { coordinationLimits } from '../protocol/coordination';
import { BrokerError } from '../protocol/errors';
import { limits } from '../protocol/limits';
import { describeCounts } from '../protocol/requests/status';
import { clientIds } from './clients';
import { hookClientIds, hookModes } from './hooks';
import { argument, defineCommand, option, type TableEntry } from './command-spec';
import { audit } from './audit';
import { hookClients } from '../hook/clients';
import { parseTarget, pathArgument, table } from './format';
import { locksTable } from './lock-format';
import { requestRelease } from './lock-request';
import { watchLocks } from './lock-watch';
import { deltaCommands } from './delta-commands';
import { debateCommands } from './debate-commands';
import { planCommands } from './plan-commands';
import { syncCommands } from './sync-commands';
import { json, looking, print, printJson, warn, withClient } from './run-command';

/** A value bigger than this as JSON is listed by its size: a page of keys stays a few MB, whatever they hold. */
const listedValueBytes = 16 * 1024;

/** Every entry under `prefix`, a page at a time (the broker answers at most a page per request). */
async function allEntries(c: PeerClient, namespace: string, prefix: string): Promise<ListedStateEntry[]> {
  const all: ListedStateEntry[] = [];
  for (;;) {
    const after = all.length > 0 ? all[all.length - 1].key : undefined;
    const { entries } = await c.request('state/list', { namespace, prefix, after, limit: limits.page, valueBytes: listedValueBytes });
    all.push(...entries);
    if (entries.length < limits.page) return all;
  }
}

function absoluteTarget(spec: string) {
  const t = parseTarget(spec);
  return { ...t, path: path.resolve(process.cwd(), t.path) };
}

/** `namespace/key` → its parts; a key without a namespace is refused. */
function stateKey(spec: string): { namespace: string; key: string } {
  const i = spec.indexOf('/');
  if (i <= 0) throw new BrokerError('invalidInput', 'name a key as <namespace>/<key>');
  return { namespace: spec.slice(0, i), key: spec.slice(i + 1) };
}

function formatMessage(m: Message): string {
  const when = new Date(m.createdAt).toLocaleTimeString();
  return `#${m.id} ${when} ${printable(m.fromName)} → ${m.kind}${m.broadcast ? ' (broadcast)' : ''}: ${printable(m.body)}`;
}

/** `12` or `#12`: a lock id as `peermesh locks` lists it. */
function lockId(spec: string): number {
  const m = /^#?(\d{1,15})$/.exec(spec);
  if (!m) throw new BrokerError('invalidInput', `--force takes a lock id (as peermesh locks lists it), not "${spec}"`);
  return Number(m[1]);
}

/**
 * In the way is this identity itself: the broker's words, and what the person may do instead.
 * Extending is offered only for a lock it holds: when what is in the way is its own request
 * still queued (`data.queued`, another command of it waiting), there is nothing to renew yet.
 */
function blockedByYou(e: BrokerError, target: string, as: string | undefined): BrokerError {
  const apart = 'to lock apart from it: --as NAME';
  if (e.data?.queued === true) return new BrokerError('lockConflict', `${e.message}; ${apart}`, e.data);
  const renew = `peermesh lock --renew ${target}${as === undefined ? '' : ` --as ${as}`}`;
  return new BrokerError('lockConflict', `${e.message}; to extend it: ${renew}; ${apart}`, e.data);
}

/** `3 min ago`, or `-` for never. */
function ago(at: number | null): string {
  return at === null ? '-' : `${formatDuration(Date.now() - at, { rounding: 'nearest' })} ago`;
}

function formatEvent(e: MeshEvent): string {
  return `${e.seq}\t${new Date(e.at).toISOString()}\t${e.type}\t${e.peer ?? '-'}\t${JSON.stringify(e.data)}`;
}

const scope = option.oneOf('--scope <scope>', 'which peers', Scope.options, 'machine');
const ttl = option.integer('--ttl <seconds>', 'expire after this long', { min: 1, max: limits.ttlSeconds });
const target = argument.required('a file, or lines of it: path:START-END (path:12 is one line), or a symbol in it: path#Class.method');
const stateKeyArgument = argument.required('the key, as <namespace>/<key>');

const state: TableEntry = {
  name: 'state',
  description: 'Read and write shared state: small JSON values under <namespace>/<key>.',
  subcommands: [
    defineCommand({
      name: 'get',
      description: 'Print the value of a key (exits 1 if it is not set).',
      arguments: { key: stateKeyArgument },
      options: { json },
      examples: ['peermesh state get plan/phase'],
      run: (ctx, { key }, opts) => withClient(ctx, async (c) => {
        const { entry } = await c.request('state/get', stateKey(key));
        if (!entry) throw new BrokerError('notFound', `${key} is not set`);
        return opts.json ? printJson(entry) : print(JSON.stringify(entry.value));
      }, looking),
    }),
    defineCommand({
      name: 'set',
      description: 'Set a key to a JSON value (or, if the words are not JSON, to them as text).',
      arguments: { key: stateKeyArgument, value: argument.variadic('the value: JSON, or text') },
      options: {
        ifVersion: option.integer('--if-version <n>', 'only if the key is at this version (0: only if it is not set)', { min: 0 }),
        ttl,
        json,
      },
      examples: ['peermesh state set plan/phase \'{"n":2}\' --if-version 1', 'peermesh state set review/owner alice --ttl 3600'],
      run: (ctx, { key, value: words }, opts) => withClient(ctx, async (c) => {
        const raw = words.join(' ');
        let value: unknown;
        try {
          value = JSON.parse(raw);
        } catch {
          value = raw;
        }
        const { entry } = await c.request('state/set', { ...stateKey(key), value, ifVersion: opts.ifVersion, ttlSeconds: opts.ttl });
        return opts.json ? printJson(entry) : print(`${key} = ${JSON.stringify(entry.value)} (version ${entry.version})`);
      }),
    }),
    defineCommand({
      name: 'del',
      description: 'Delete a key (exits 1 if it is not set).',
      arguments: { key: stateKeyArgument },
      options: {},
      run: (ctx, { key }) => withClient(ctx, async (c) => {
        const { deleted } = await c.request('state/delete', stateKey(key));
        if (!deleted) throw new BrokerError('notFound', `${key} is not set`);
        print(`deleted ${key}`);
      }),
    }),
    defineCommand({
      name: 'list',
      description: 'List the keys of a namespace, with their versions and values.',
      arguments: { prefix: argument.required('<namespace>, or <namespace>/<key prefix>') },
      options: { json },
      examples: ['peermesh state list plan'],
      run: (ctx, { prefix: spec }, opts) => withClient(ctx, async (c) => {
        const [namespace, prefix = ''] = spec.split(/\/(.*)/s);
        const entries = await allEntries(c, namespace, prefix);
        if (opts.json) return printJson(entries);
        const shown = (e: ListedStateEntry) => (e.bytes === undefined ? JSON.stringify(e.value) : `(${e.bytes} bytes: peermesh state get ${namespace}/${e.key})`);
        print(entries.map((e) => `${printable(e.key)}\tv${e.version}\t${printable(shown(e))}`).join('\n') || 'no entries');
      }, looking),
    }),
  ],
};

export const commandTable: readonly TableEntry[] = [
  defineCommand({
    name: 'serve',
    description: 'Run the broker for this mesh home here (if one already answers, say where and exit 0).',
    arguments: {},
    options: {
      idleExit: option.integer('--idle-exit <seconds>', 'stop after this long without peers; 0 never stops', { min: 0, max: 86_400 }),
      lockTtl: option.integer('--lock-ttl <seconds>', 'how long a lock lasts unless renewed (default 600)', { min: 1, max: limits.ttlSeconds }),
      grace: option.integer('--grace <seconds>', 'how long a disconnected peer keeps its locks (default 15)', { min: 0, max: 86_400 }),
      // The extension's retention settings, with their defaults and minimum.
      messageRetention: option.integer('--message-retention <hours>', `how long messages are kept, read or not (default ${meshDefaults.retention.messagesMs / 3_600_000})`, { min: 1 }),
      eventRetention: option.integer('--event-retention <hours>', `how long events are kept, and peers that left are remembered (default ${meshDefaults.retention.eventsMs / 3_600_000})`, { min: 1 }),
      auditRetention: option.integer('--audit-retention <days>', `how long the audit trail (the plan, deltas, debates and landings) is kept (default ${meshDefaults.retention.auditMs / 86_400_000})`, { min: 1 }),
      debateRounds: option.integer('--debate-rounds <n>', `rounds a debate gets before it escalates to you (default ${meshDefaults.debate.maxRounds})`, { min: 1, max: coordinationLimits.maxRounds }),
      debateIdle: option.duration('--debate-idle <duration>', `how long an open debate waits for a turn before it escalates to you (default ${meshDefaults.debate.idleMs / 60_000}m)`),
      requestEscalate: option.duration('--request-escalate <duration>', `how long a request to release a lock waits for its holder's answer before it escalates to you (default ${meshDefaults.lockRequestEscalateMs / 60_000}m)`),
      json,
    },
    logLevel: 'info',
    terminalPeer: false,
    examples: ['peermesh serve', 'peermesh serve --idle-exit 60 --json', 'peermesh serve --message-retention 72 --event-retention 168'],
    run: async (ctx, _args, opts) => (await import('./serve')).serve(ctx, {
      idleExitSeconds: opts.idleExit || undefined,
      lockTtlSeconds: opts.lockTtl,
      graceSeconds: opts.grace,
      messageRetentionHours: opts.messageRetention,
      eventRetentionHours: opts.eventRetention,
      auditRetentionDays: opts.auditRetention,
      debateRounds: opts.debateRounds,
      debateIdleMs: opts.debateIdle,
      requestEscalateMs: opts.requestEscalate,
      json: opts.json,
    }),
  }),

  defineCommand({
    name: 'status',
    description: 'Show the running broker: pid, port, uptime, counts, store size (does not start one).',
    arguments: {},
    options: { json },
    async run(ctx, _args, opts) {
      const status = await withClient(ctx, (c) => c.request('status/get', {}), { ...looking, mustExist: true }).catch((e: Error) => {
        // An identity that does not exist is the answer, not a broker that is not running.
        if (BrokerError.is(e, 'notFound')) throw e;
        throw new BrokerError('unavailable', `no PeerMesh broker is running for ${ctx.home.dir} (${e.message})`);
      });
      if (opts.json) return printJson(status);
      print([
        `PeerMesh ${status.version}: broker pid ${status.pid} on 127.0.0.1:${status.port}, up ${formatDuration(status.uptimeMs, { rounding: 'nearest' })}`,
        `home     ${status.home}`,
        `counts   ${describeCounts(status.counts)} (last event #${status.lastEventSeq})`,
        `store    ${status.storeBytes} bytes + journal ${status.journalBytes} bytes`,
      ].join('\n'));
    },
  }),

  defineCommand({
    name: 'peers',
    description: 'List the peers in the mesh.',
    arguments: {},
    options: { scope, all: option.flag('--all', 'include peers that left'), json },
    async run(ctx, _args, opts) {
      const { peers } = await withClient(ctx, (c) => c.request('peers/list', { scope: opts.scope, includeGone: opts.all }), looking);
      if (opts.json) return printJson(peers);
      if (peers.length === 0) return print('no peers');
      // ACTIVE: its last call of its own (a tool call, a command), not a background refresh.
      // A name that looks like another live peer's is flagged; peers that left under one name show once.
      print(table(['ID', 'NAME', 'KIND', 'STATUS', 'ACTIVE', 'WORKING ON'], peerListing(peers).map(({ peer: p, lookalikeOf, earlierGone }) => [
        p.id, lookalikeOf ? `${p.name} ${describeLookalike(lookalikeOf)}` : p.name, describeKind(p),
        earlierGone > 0 ? `${p.status} (and ${earlierGone} earlier)` : p.status, ago(p.lastActive), p.summary || '-',
      ])));
    },
  }),

  defineCommand({
    name: 'send',
    description: 'Send a message to one peer (id or name) or to all.',
    arguments: { peer: argument.required('a peer id or name, or all'), text: argument.variadic('the message') },
    options: {
      kind: option.oneOf('--kind <kind>', 'what the message is', MessageKind.options, 'text'),
      scope: option.oneOf('--scope <scope>', 'which peers `all` reaches', Scope.options, 'machine'),
      json,
    },
    examples: ['peermesh send claude-code "please rebase on main"', 'peermesh send all --kind alert "main is broken"'],
    async run(ctx, { peer, text }, opts) {
      const to = peer === 'all' ? { broadcast: opts.scope } : { peer };
      const { messages } = await withClient(ctx, (c) => c.request('messages/send', { to, kind: opts.kind, body: text.join(' ') }));
      if (opts.json) return printJson(messages);
      print(`sent to ${messages.length} peer${messages.length === 1 ? '' : 's'}`);
    },
  }),

  defineCommand({
    name: 'inbox',
    description: 'Show the messages sent to you at this terminal.',
    arguments: {},
    options: { all: option.flag('--all', 'include messages already read'), json },
    async run(ctx, _args, opts) {
      const result = await withClient(ctx, (c) => c.request('messages/inbox', { unreadOnly: !opts.all, limit: 100 }), looking);
      if (opts.json) return printJson(result);
      if (result.messages.length === 0) return print('no messages');
      print(result.messages.map(formatMessage).join('\n'));
    },
  }),

  state,

  defineCommand({
    name: 'lock',
    description: 'Claim a file or a line range until you unlock it or its TTL runs out (not when this process ends); a second lock on it fails or waits, even from this identity (--renew extends yours).',
    arguments: { target },
    options: {
      ttl,
      reason: option.text('--reason <text>', 'why, shown to whoever else wants it'),
      wait: option.integer('--wait <seconds>', 'if it is held (by anyone, this identity too), wait this long for it', { min: 0, max: limits.waitMs / 1000 }),
      renew: option.flag('--renew', 'extend the lock this identity holds on it (every one it holds in a file) instead of taking it; fails if it holds none'),
      request: option.flag('--request', 'ask whoever holds it to let go, giving the reason; with a wait, also wait for it (a deny ends the wait with their reason)'),
      json,
    },
    examples: [
      'peermesh lock src/parser.ts:40-80 --reason "rewriting the tokenizer"',
      'peermesh lock src/auth.ts#AuthService.refresh --reason "token expiry"',
      'peermesh lock README.md --ttl 300 --wait 30',
      'peermesh lock --renew README.md --ttl 300',
      'peermesh lock --as nightly build/out --wait 600',
      'peermesh lock --request src/parser.ts:40-80 --reason "hotfix for the release" --wait 120',
    ],
    async run(ctx, args, opts) {
      const target = absoluteTarget(args.target);
      if (opts.request) return requestRelease(ctx, target, opts);
      if (opts.renew) {
        if (opts.wait !== undefined) throw new BrokerError('invalidInput', '--wait goes with taking a lock, not with --renew');
        if (opts.reason !== undefined) throw new BrokerError('invalidInput', '--reason goes with taking a lock, not with --renew (a lock keeps its reason)');
        const { locks } = await withClient(ctx, (c) => c.request('locks/renew', { target, ttlSeconds: opts.ttl }), looking);
        if (opts.json) return printJson(locks);
        return print(locks.map((l) => `renewed ${describeTarget(l)} (#${l.id}) for ${formatDuration(l.expiresAt - Date.now(), { rounding: 'up' })}`).join('\n'));
      }
      // Not re-entrant: two scripts of one identity must exclude each other, so a lock this
      // identity holds already is a conflict too, not a silent renewal.
      const { lock, alsoClaimed } = await withClient(ctx, (c) => c.request('locks/acquire', {
        target,
        reason: opts.reason ?? '',
        ttlSeconds: opts.ttl,
        waitMs: (opts.wait ?? 0) * 1000,
        reentrant: false,
      }).catch((e: unknown) => {
        throw BrokerError.is(e, 'lockConflict') && e.data?.holder === c.peer.id ? blockedByYou(e, args.target, ctx.as) : e;
      }));
      warn((alsoClaimed ?? []).map(describeWorktreeClaim));
      if (opts.json) return printJson(lock);
      print(`locked ${describeTarget(lock)} (#${lock.id}) for ${formatDuration(lock.expiresAt - Date.now(), { rounding: 'up' })}`);
    },
  }),

  defineCommand({
    name: 'check',
    description: 'Say who holds a file or lines of it before you edit them: the claims in your way and the requests already waiting for it (exits 1 if there are any), and the same file claimed in other worktrees of its repository.',
    arguments: { target },
    options: { json },
    examples: ['peermesh check src/parser.ts:40-80 && $EDITOR src/parser.ts'],
    async run(ctx, args, opts) {
      const { conflicts, alsoClaimed = [], queued } = await withClient(ctx, (c) => c.request('locks/check', { target: absoluteTarget(args.target) }), looking);
      if (conflicts.length > 0 || queued) process.exitCode = 1;
      if (opts.json) return printJson({ conflicts, alsoClaimed, ...(queued && { queued }) });
      // Requests already waiting come first: a lock now would queue behind them.
      const line = queued && `queued: ${queued.ahead} ahead (${printable(queued.first)} first)`;
      print(conflicts.length > 0 ? [locksTable(conflicts), ...(line ? [line] : [])].join('\n') : line ? `${args.target} is not held, but ${line}` : `${args.target} is free`);
      warn(alsoClaimed.map(describeWorktreeClaim));
    },
  }),

  defineCommand({
    name: 'unlock',
    description: 'Release your claim on a file or a line range; with --force, take any peer\'s lock away by its id.',
    arguments: { target: argument.required('a file, or lines of it: path:START-END, or a symbol: path#Class.method; with --force, a lock id (see peermesh locks)') },
    options: {
      force: option.flag('--force', 'release another peer\'s lock; its holder, if connected, gets an alert'),
      reason: option.text('--reason <text>', 'when forcing: why, told to the holder'),
      json,
    },
    examples: ['peermesh unlock src/parser.ts:40-80', 'peermesh unlock --force 12 --reason "taking over the parser"'],
    async run(ctx, args, opts) {
      if (opts.force) {
        const result = await withClient(ctx, (c) => c.request('locks/forceRelease', { lockId: lockId(args.target), reason: opts.reason }));
        if (opts.json) return printJson(result);
        const { released, alerted } = result;
        return print(`force-released ${describeTarget(released)} (#${released.id}) from ${printable(released.holderName)}${alerted ? ', who was alerted' : ''}`);
      }
      if (opts.reason !== undefined) throw new BrokerError('invalidInput', '--reason goes with --force');
      const { released } = await withClient(ctx, (c) => c.request('locks/release', { target: absoluteTarget(args.target) }), looking);
      if (opts.json) return printJson(released);
      if (released.length === 0) throw new BrokerError('notFound', `you hold no lock on ${args.target}`);
      print(`unlocked ${released.map(describeTarget).join(', ')}`);
    },
  }),

  defineCommand({
    name: 'locks',
    description: 'List the claims in the mesh; with --watch, then print each change to them as it happens (taken, renewed, moved with their code, code gone, released and why, expired) until Ctrl-C or the broker goes.',
    arguments: { path: argument.optional('only claims on this file, or under this folder') },
    options: {
      watch: option.flag('-w, --watch', 'keep printing the changes to the claims, one line each'),
      json: option.flag('--json', 'print JSON; when watching, the claims as one line {"type":"locks","locks":[…]}, then each event as a line'),
    },
    examples: ['peermesh locks src/', 'peermesh locks --watch', 'peermesh locks --watch --json | jq -c \'select(.type == "lock_moved")\''],
    async run(ctx, args, opts) {
      const file = args.path === undefined ? undefined : path.resolve(pathArgument(args.path));
      if (opts.watch) {
        return withClient(ctx, (c) => watchLocks(c, { path: file, json: opts.json, print }), looking);
      }
      const { locks } = await withClient(ctx, (c) => c.request('locks/list', file === undefined ? {} : { path: file }), looking);
      if (opts.json) return printJson(locks);
      print(locks.length === 0 ? 'no locks' : locksTable(locks));
    },
  }),

  defineCommand({
    name: 'edits',
    description: 'Who changed a file (or one line of it) lately: the edits agents\' hooks recorded, newest first.',
    arguments: { target: argument.required('file, or file:line') },
    options: { json },
    examples: ['peermesh edits src/parser.ts', 'peermesh edits src/parser.ts:42'],
    async run(ctx, args, opts) {
      const { path: file, startLine: line, symbol } = parseTarget(args.target);
      if (symbol !== undefined) throw new BrokerError('invalidInput', `edits takes a file or file:line, not a symbol (${args.target})`);
      const { edits } = await withClient(ctx, (c) => c.request('edits/list', { path: path.resolve(file), ...(line !== undefined && { line }) }), looking);
      if (opts.json) return printJson(edits);
      if (edits.length === 0) return print(`no recorded edits of ${args.target}`);
      print(table(['WHEN', 'PEER', 'TOOL', 'LINES'], edits.map((e) => [
        ago(e.at), e.peerName, e.tool, e.ranges.length === 0 ? 'whole file' : e.ranges.map((r) => (r.startLine === r.endLine ? `${r.startLine}` : `${r.startLine}-${r.endLine}`)).join(', '),
      ])));
    },
  }),

  ...planCommands,
  ...deltaCommands,
  ...debateCommands,
  ...syncCommands,
  audit,

  defineCommand({
    name: 'commit-guard',
    description: 'What the git pre-commit hook runs (peermesh setup git-hook): refuse a commit whose staged lines another agent claims.',
    arguments: {},
    options: {},
    usesBroker: false,
    async run() {
      const { commitGuard } = await import('./commit-guard');
      process.exitCode = await commitGuard(process.cwd(), process.env);
    },
  }),

  defineCommand({
    name: 'hook',
    description: 'What an agent\'s hook runs: reads the client\'s hook JSON on stdin and prints its answer (set up by `peermesh setup <client> --hooks`).',
    arguments: { event: argument.required('the client\'s own hook event name (PreToolUse, BeforeTool, preToolUse, …)') },
    options: {
      client: option.text('--client <client>', `the agent: ${hookClients.join(', ')}`),
      mode: option.text('--mode <mode>', 'an edit to lines another agent claims: deny (default), ask or warn'),
      claim: option.text('--claim [seconds]', 'claim the free lines an edit touches, for this long (default 300)'),
    },
    usesBroker: false,
    examples: ['peermesh hook PreToolUse --client claude-code < input.json'],
    // `peermesh hook` normally never gets here: bin.ts sends it to the small hook bundle first.
    run: async () => (await import('../hook/main')).runHook(process.argv.slice(process.argv.indexOf('hook') + 1)),
  }),

  defineCommand({
    name: 'events',
    description: 'Print mesh events (sequence, time, type, peer, data).',
    arguments: {},
    options: {
      since: option.integer('--since <seq>', 'only events after this sequence number', { min: 0 }),
      follow: option.flag('-f, --follow', 'keep printing new events'),
      json,
    },
    examples: ['peermesh events --follow --json'],
    async run(ctx, _args, opts) {
      let since = opts.since ?? 0;
      await withClient(ctx, async (c) => {
        for (;;) {
          const { events, cursor } = await c.request('events/read', { since, limit: 500, waitMs: opts.follow ? 30_000 : 0 });
          for (const e of events) print(opts.json ? JSON.stringify(e) : formatEvent(e));
          since = cursor;
          if (!opts.follow) return;
        }
      }, looking);
    },
  }),

  defineCommand({
    name: 'lsp',
    description: 'A language server (stdio) for any LSP editor: other peers\' claims as diagnostics, hovers and code lenses, with actions to ask for them, wait for them or claim lines; your typing moves claims with their code.',
    arguments: {},
    options: {
      name: option.text('--name <name>', 'peer name instead of editor:<folder> (also PEERMESH_NAME)'),
      // Language clients (vscode-languageclient among them) say which transport they speak.
      stdio: option.flag('--stdio', 'talk LSP over stdin and stdout (the only transport, and the default)'),
      joinOnly: option.flag('--join-only', 'never start or host a broker, not even on fail-over: wait for the one the editor runs (as the VS Code window does)'),
    },
    terminalPeer: false,
    run: async (ctx, _args, opts) => (await import('./lsp')).lsp(ctx, { name: opts.name, joinOnly: opts.joinOnly }),
  }),

  defineCommand({
    name: 'mcp',
    description: 'The MCP server (stdio) an agent runs: joins the mesh as one peer named after the agent, until stdin closes.',
    arguments: {},
    options: { name: option.text('--name <name>', 'peer name instead of the agent\'s (also PEERMESH_NAME)') },
    terminalPeer: false,
    run: async (ctx, _args, opts) => (await import('./mcp')).mcp(ctx, { name: opts.name }),
  }),

  defineCommand({
    name: 'setup',
    description: 'Add `peermesh mcp` (and with --hooks, the agent\'s hooks) to agents\' configs (idempotent; keeps the rest of each file).',
    arguments: { clients: argument.variadic(`${clientIds.join(', ')}, or all (those installed)`) },
    options: {
      hooks: option.flag('--hooks', `also install the agent's hooks (${hookClientIds.join(', ')})`),
      hookMode: option.oneOf('--hook-mode <mode>', 'what the edit hook does with a file another peer claims: deny the edit, ask the person, or warn', hookModes, 'deny'),
      print: option.flag('--print', 'only show each entry and where it goes'),
      remove: option.flag('--remove', 'take out everything setup added (MCP entry and hooks)'),
    },
    usesBroker: false,
    examples: ['peermesh setup claude-code cursor', 'peermesh setup all', 'peermesh setup claude-code gemini --hooks', 'peermesh setup codex --hooks --print', 'peermesh setup cursor --remove'],
    run: async (ctx, args, opts) => (await import('./setup')).setup(ctx, args.clients, { print: opts.print, hooks: opts.hooks, hookMode: opts.hookMode, remove: opts.remove }),
  }),

  defineCommand({
    name: 'doctor',
    description: 'Check the mesh home, the broker, the port, the `peermesh` on PATH, and each agent\'s MCP config and hooks; say how to fix what is wrong.',
    arguments: {},
    options: {},
    terminalPeer: false,
    run: async (ctx) => (await import('./doctor')).doctor(ctx),
  }),
];
