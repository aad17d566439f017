/**
 * The `peermesh` command line. Every command honours PEERMESH_HOME, has --help, and exits
 * non-zero with a one-line reason on failure.
 */
import { parseArgs } from 'node:util';
import { resolveHome } from '../broker/home';
import type { Logger } from '../core/logger';
import { version } from '../core/version';
import { BrokerError } from '../protocol/errors';
import { commands, type Flags } from './commands';
import { doctor } from './doctor';
import { mcp } from './mcp';
import { serve } from './serve';
import { setup } from './setup';

const usage: Record<string, string> = {
  serve: 'peermesh serve [--port N] [--idle-exit SECONDS] [--lock-ttl SECONDS] [--grace SECONDS] [--json]\n  Run the broker for this mesh home here (if one already answers, say where and exit 0).',
  status: 'peermesh status [--json]\n  Show the running broker: pid, port, uptime, counts, store size.',
  peers: 'peermesh peers [--scope machine|workspace|repo] [--all] [--json]\n  List the peers in the mesh (--all includes those that left).',
  send: 'peermesh send <peer|all> <text…> [--kind text|request|alert|…] [--scope …] [--json]\n  Send a message to one peer (id or name) or to all.',
  inbox: 'peermesh inbox [--all] [--json]\n  Show the messages sent to you at this terminal.',
  state: 'peermesh state get|set|del|list <namespace>/<key> [value] [--if-version N] [--ttl S] [--json]\n  Read and write shared state.',
  lock: 'peermesh lock <path>[:START-END] [--ttl S] [--reason R] [--wait S] [--json]\n  Claim a file or a line range.',
  unlock: 'peermesh unlock <path>[:START-END]\n  Release your claim.',
  locks: 'peermesh locks [path] [--json]\n  List the claims in the mesh.',
  events: 'peermesh events [--since N] [--follow] [--json]\n  Print mesh events; --follow keeps printing new ones.',
  mcp: 'peermesh mcp [--name NAME]\n  The MCP server (stdio) an agent runs: joins the mesh as one peer named after the agent, until stdin closes.',
  setup: 'peermesh setup <claude-code|cursor|codex|windsurf|vscode|cline|all…> [--print]\n  Add peermesh mcp to a client\'s MCP config (idempotent); --print only shows the entry.',
  doctor: 'peermesh doctor\n  Check the mesh home, the broker, the port and each client\'s MCP config; say how to fix what is wrong.',
};

function help(): string {
  return [
    `peermesh ${version}: a coordination mesh for the coding agents on this machine`,
    '',
    'Commands:',
    ...Object.values(usage).map((u) => '  ' + u.replace(/\n/g, '\n    ')),
    '',
    'Environment: PEERMESH_HOME (default ~/.peermesh) selects the mesh; PEERMESH_LOG=debug|info|warn|error.',
  ].join('\n');
}

function stderrLogger(level: string): Logger {
  const order = ['trace', 'debug', 'info', 'warn', 'error'];
  const min = Math.max(0, order.indexOf(level));
  const line = (lvl: string) => (m: unknown, ...a: unknown[]) => {
    if (order.indexOf(lvl) < min) return;
    const text = m instanceof Error ? m.message : String(m);
    process.stderr.write(`${new Date().toISOString()} ${lvl} ${text}${a.length ? ' ' + a.map(String).join(' ') : ''}\n`);
  };
  return { trace: line('trace'), debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      json: { type: 'boolean' },
      port: { type: 'string' },
      'idle-exit': { type: 'string' },
      scope: { type: 'string' },
      all: { type: 'boolean' },
      kind: { type: 'string' },
      ttl: { type: 'string' },
      reason: { type: 'string' },
      wait: { type: 'string' },
      since: { type: 'string' },
      follow: { type: 'boolean', short: 'f' },
      'if-version': { type: 'string' },
      'lock-ttl': { type: 'string' },
      grace: { type: 'string' },
      name: { type: 'string' },
      print: { type: 'boolean' },
    },
  });
  const [name, ...args] = positionals;
  if (values.version) return void process.stdout.write(version + '\n');
  if (!name || name === 'help') return void process.stdout.write(help() + '\n');
  if (!(name in usage)) throw new BrokerError('invalidInput', `unknown command "${name}"; run peermesh --help`);
  if (values.help) return void process.stdout.write(usage[name] + '\n');
  for (const numeric of ['port', 'idle-exit', 'ttl', 'wait', 'since', 'if-version', 'lock-ttl', 'grace'] as const) {
    const v = values[numeric];
    if (v !== undefined && !/^\d+$/.test(v)) throw new BrokerError('invalidInput', `--${numeric} takes a whole number, not "${v}"`);
  }
  const log = stderrLogger(process.env.PEERMESH_LOG ?? (name === 'serve' ? 'info' : 'warn'));
  const ctx = { home: resolveHome(), port: values.port ? Number(values.port) : undefined, log };
  if (name === 'serve') {
    return serve(ctx, {
      idleExitSeconds: values['idle-exit'] ? Number(values['idle-exit']) : undefined,
      lockTtlSeconds: values['lock-ttl'] ? Number(values['lock-ttl']) : undefined,
      graceSeconds: values.grace !== undefined ? Number(values.grace) : undefined,
      json: Boolean(values.json),
    });
  }
  if (name === 'mcp') return mcp(ctx, { name: values.name });
  if (name === 'setup') return setup(ctx, args, { print: values.print });
  if (name === 'doctor') return doctor(ctx);
  await commands[name](ctx, args, { ...values, json: Boolean(values.json) } as Flags);
}

main(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`peermesh: ${message.split('\n')[0]}\n`);
    process.exit(BrokerError.is(e, 'invalidInput') ? 2 : 1);
  },
);
