/**
 * Builds the commander program from the command table: each command's own arguments and
 * options, generated `--help` (with examples), and one typed context per run. Every mistake on
 * the command line becomes one `invalidInput` error, so it prints as one line and exits 2.
 */
import { Command, Option, type CommanderError } from 'commander';
import { resolveHome } from '../home/home';
import type { Logger } from '../core/logger';
import { terminalName, terminalNameRule } from '../core/terminal-identity';
import { version } from '../core/version';
import { BrokerError } from '../protocol/errors';
import { printable, printableLines } from '../core/printable';
import { isGroup, option, type ArgumentSpec, type CommandEntry, type OptionSpec, type TableEntry } from './command-spec';
import type { CliContext } from './terminal-peer';

/** Every command that reaches a broker takes `--port`; 0 (or none) derives it from the mesh home. */
export const portOption = option.integer('--port <port>', "the broker's loopback port; 0 derives it from the mesh home", { min: 0, max: 65535 });

/**
 * Every command that acts as the terminal takes `--as`, after the command or before it
 * (`peermesh --as build lock …`); PEERMESH_AS when neither says.
 */
export const asOption = option.text('--as <name>', 'act as this named terminal identity, a lock holder of its own (also PEERMESH_AS)');

const environment = `
Environment:
  PEERMESH_HOME  the mesh home, which selects the mesh (default ~/.peermesh)
  PEERMESH_AS    the named terminal identity commands act as, like --as (default: yours)
  PEERMESH_LOG   log level on stderr: trace, debug, info, warn or error`;

/**
 * The terminal identity a command acts as: its `--as` (given after the command or before it),
 * else PEERMESH_AS (blank: none), validated; undefined for the person's own.
 */
function readAs(path: string, entry: CommandEntry, flag: unknown): string | undefined {
  const env = process.env.PEERMESH_AS?.trim() || undefined;
  // PEERMESH_AS may be set for a whole shell: the commands that join as no terminal ignore it.
  if (flag === undefined && (env === undefined || !entry.terminalPeer)) return undefined;
  if (!entry.terminalPeer) throw new BrokerError('invalidInput', `${path} does not act as a terminal identity, so it takes no --as`);
  const [given, source] = flag !== undefined ? [String(flag), '--as'] : [env!, 'PEERMESH_AS'];
  const name = terminalName(given);
  if (name === undefined) throw new BrokerError('invalidInput', `${source} takes a name of ${terminalNameRule}, not "${printable(given)}"`);
  return name;
}

function stderrLogger(level: string): Logger {
  const order = ['trace', 'debug', 'info', 'warn', 'error'];
  const min = Math.max(0, order.indexOf(level));
  const line = (lvl: string) => (m: unknown, ...a: unknown[]) => {
    if (order.indexOf(lvl) < min) return;
    // Lines quote other peers' names and words: the terminal must not obey what is in them.
    const text = printableLines(m instanceof Error ? m.message : String(m));
    process.stderr.write(`${new Date().toISOString()} ${lvl} ${text}${a.length ? ' ' + a.map(String).join(' ') : ''}\n`);
  };
  return { trace: line('trace'), debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

/**
 * Commander's own output is only help and version (stdout); its errors are thrown instead and
 * printed by main as one line, and help it would print as an error (a group run without a
 * subcommand) is replaced by that one line too.
 */
function configure(cmd: Command, path: string, defaultOf?: string): Command {
  return cmd
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: () => undefined, outputError: () => undefined })
    .exitOverride((err) => {
      throw err.exitCode === 0 ? err : usageError(cmd, path, err, defaultOf);
    });
}

/** `defaultOf`: the path of the group whose default subcommand `cmd` is. */
function usageError(cmd: Command, path: string, err: CommanderError, defaultOf?: string): BrokerError {
  if (err.code === 'commander.help') {
    return new BrokerError('invalidInput', `missing command: one of ${cmd.commands.map((c) => c.name()).join(', ')}; run ${path} --help`);
  }
  // `peermesh plan imprt`: the group's default took the mistyped subcommand as its argument.
  if (err.code === 'commander.excessArguments' && defaultOf !== undefined && cmd.parent) {
    const names = cmd.parent.commands.map((c) => c.name()).filter((n) => n !== 'help');
    return new BrokerError('invalidInput', `unknown command '${printable(String(cmd.args[0]))}': ${defaultOf} takes ${names.join(', ')}; run ${defaultOf} --help`);
  }
  // Commander's reason, as one line without its "error:" and final period.
  const reason = err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').replace(/\.$/, '');
  return new BrokerError('invalidInput', `${reason}; run ${path} --help`);
}

function addOption(cmd: Command, key: string, spec: OptionSpec<unknown>): void {
  const o = new Option(spec.flags, spec.description);
  if (spec.choices) o.choices(spec.choices);
  if (spec.defaultValue !== undefined) o.default(spec.defaultValue);
  // Values are read back by key, so a key that is not commander's name for the flag is a bug.
  if (o.attributeName() !== key) throw new Error(`${cmd.name()}: ${spec.flags} is stored as "${o.attributeName()}", not "${key}"`);
  cmd.addOption(o);
}

const syntax = (name: string, spec: ArgumentSpec<unknown>) =>
  ({ required: `<${name}>`, optional: `[${name}]`, variadic: `<${name}...>`, rest: `[${name}...]` })[spec.kind];

function addCommand(parent: Command, entry: CommandEntry, parentPath: string): void {
  const path = `${parentPath} ${entry.name}`;
  const cmd = configure(parent.command(entry.name, { isDefault: entry.isDefault }), path, entry.isDefault ? parentPath : undefined).description(entry.description);
  for (const [name, spec] of Object.entries(entry.arguments)) cmd.argument(syntax(name, spec), spec.description);
  for (const [key, spec] of Object.entries(entry.options)) addOption(cmd, key, spec);
  if (entry.usesBroker) addOption(cmd, 'port', portOption);
  if (entry.terminalPeer) addOption(cmd, 'as', asOption);
  if (entry.examples.length > 0) cmd.addHelpText('after', `\nExamples:\n${entry.examples.map((e) => `  $ ${e}`).join('\n')}`);
  cmd.action(async () => {
    const raw = cmd.opts();
    const ctx: CliContext = {
      home: resolveHome(),
      port: entry.usesBroker ? portOption.read(raw.port) || undefined : undefined,
      log: stderrLogger(process.env.PEERMESH_LOG ?? entry.logLevel),
      // The command's own --as first: commander's optsWithGlobals lets the program's win.
      as: readAs(path, entry, raw.as ?? cmd.optsWithGlobals().as),
    };
    await entry.run(ctx, cmd.processedArgs, raw);
  });
}

export function buildProgram(table: readonly TableEntry[]): Command {
  const program = configure(new Command('peermesh'), 'peermesh')
    .description('A coordination mesh for the coding agents on this machine: peers, messages, shared state, file and line locks.')
    .usage('<command> [options]')
    .version(version, '-v, --version', 'print the version')
    // `peermesh --as NAME <command>`; after the command, `--as` is the command's own option.
    .enablePositionalOptions()
    .option(asOption.flags, asOption.description)
    .addHelpText('after', environment);
  for (const entry of table) {
    if (!isGroup(entry)) {
      addCommand(program, entry, 'peermesh');
      continue;
    }
    const path = `peermesh ${entry.name}`;
    const group = configure(program.command(entry.name), path).description(entry.description).usage('<command> [options]');
    for (const sub of entry.subcommands) addCommand(group, sub, path);
  }
  return program;
}
