/**
 * What a `peermesh` command is: one declarative entry (name, description, arguments, options,
 * examples, run) from which `program.ts` builds the commander program and its `--help`.
 *
 * Arguments and options are declared with the helpers below. Each carries a `read` that narrows
 * the value commander kept (untyped) back to the declared type, validating it on the way, so a
 * command's `run` receives typed objects and never casts a bag of flags.
 */
import { parseDuration } from '../core/duration';
import { printable } from '../core/printable';
import { BrokerError } from '../protocol/errors';
import type { CliContext } from './terminal-peer';

/** One option of one command. */
export interface OptionSpec<T> {
  /** As commander parses it and `--help` shows it: `--ttl <seconds>`, `-f, --follow`. */
  readonly flags: string;
  readonly description: string;
  /** The only values commander accepts (listed in `--help`). */
  readonly choices?: readonly string[];
  /** Shown in `--help`; `read` returns it when the option is absent. */
  readonly defaultValue?: string;
  /** Narrows and validates the value commander kept; throws `invalidInput` with a one-line reason. */
  readonly read: (value: unknown) => T;
}

/** One positional argument; its name is its key in the command's `arguments`. */
export interface ArgumentSpec<T> {
  readonly description: string;
  /**
   * `required` is `<name>`, `optional` is `[name]`, `variadic` is `<name...>` (one or more),
   * `rest` is `[name...]` (none or more).
   */
  readonly kind: 'required' | 'optional' | 'variadic' | 'rest';
  readonly read: (value: unknown) => T;
}

type Specs<S> = Readonly<Record<string, S>>;
export type OptionSpecs = Specs<OptionSpec<unknown>>;
export type ArgumentSpecs = Specs<ArgumentSpec<unknown>>;

/** The typed values of a set of specs: `{ ttl: number | undefined, json: boolean }`. */
export type Values<S extends Specs<{ read(value: unknown): unknown }>> = { [K in keyof S]: ReturnType<S[K]['read']> };

/** A whole number in [min, max]; anything else is refused naming the flag and the range. */
function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (n >= min && n <= max) return n;
  const range = max === Number.MAX_SAFE_INTEGER ? `of ${min} or more` : `from ${min} to ${max}`;
  throw new BrokerError('invalidInput', `${flag} takes a whole number ${range}, not "${text}"`);
}

const longName = (flags: string) => /--[\w-]+/.exec(flags)?.[0] ?? flags;

export const option = {
  /** A switch: `--json`. */
  flag(flags: string, description: string): OptionSpec<boolean> {
    return { flags, description, read: (v) => v === true };
  },
  /** Free text: `--reason <text>`. */
  text(flags: string, description: string): OptionSpec<string | undefined> {
    return { flags, description, read: (v) => (typeof v === 'string' ? v : undefined) };
  },
  /** A whole number in [min, max] (no max: any safe integer): `--ttl <seconds>`. */
  integer(flags: string, description: string, range: { min: number; max?: number }): OptionSpec<number | undefined> {
    const flag = longName(flags);
    const { min, max = Number.MAX_SAFE_INTEGER } = range;
    return {
      flags,
      description: max === Number.MAX_SAFE_INTEGER ? description : `${description} (${min}–${max})`,
      read: (v) => (typeof v === 'string' ? wholeNumber(flag, v, min, max) : undefined),
    };
  },
  /** A duration as people write it (`15m`, `1h 30m`: see core/duration.ts), in ms: `--debate-idle <duration>`. */
  duration(flags: string, description: string): OptionSpec<number | undefined> {
    const flag = longName(flags);
    return {
      flags,
      description,
      read: (v) => {
        if (typeof v !== 'string') return undefined;
        const ms = parseDuration(v);
        if (ms === undefined || ms === 0) throw new BrokerError('invalidInput', `${flag} takes a duration such as 15m, 1h or 1h 30m, not "${printable(v)}"`);
        return ms;
      },
    };
  },
  /** One of a fixed list, checked by commander: `--scope <scope>`. */
  oneOf<C extends string>(flags: string, description: string, choices: readonly C[], fallback: C): OptionSpec<C> {
    return { flags, description, choices, defaultValue: fallback, read: (v) => choices.find((c) => c === v) ?? fallback };
  },
};

const isString = (v: unknown): v is string => typeof v === 'string';

export const argument = {
  required(description: string): ArgumentSpec<string> {
    return { description, kind: 'required', read: (v) => (isString(v) ? v : '') };
  },
  optional(description: string): ArgumentSpec<string | undefined> {
    return { description, kind: 'optional', read: (v) => (isString(v) ? v : undefined) };
  },
  /** One or more words, e.g. a message's text. */
  variadic(description: string): ArgumentSpec<string[]> {
    return { description, kind: 'variadic', read: (v) => (Array.isArray(v) ? v.filter(isString) : []) };
  },
  /** Any number of words, none included, e.g. a ruling that `--pick` makes unneeded. */
  rest(description: string): ArgumentSpec<string[]> {
    return { description, kind: 'rest', read: (v) => (Array.isArray(v) ? v.filter(isString) : []) };
  },
};

/** How a command is declared: typed by its own arguments and options. */
export interface CommandDefinition<A extends ArgumentSpecs, O extends OptionSpecs> {
  readonly name: string;
  /** One sentence: the first line is what `peermesh --help` lists. */
  readonly description: string;
  /** Positional arguments in order, by name (`{}` for none). */
  readonly arguments: A;
  /** Options by commander attribute name (`ifVersion` for `--if-version`; `{}` for none). */
  readonly options: O;
  /** Whole command lines shown under "Examples" in the command's `--help`. */
  readonly examples?: readonly string[];
  /** Takes `--port` and reaches a broker (default true; `setup` only writes files). */
  readonly usesBroker?: boolean;
  /**
   * Joins the mesh as the person's terminal identity and takes `--as` (default: when it uses
   * the broker; `serve`, `mcp` and `doctor` do not join as the terminal).
   */
  readonly terminalPeer?: boolean;
  /** Log level unless PEERMESH_LOG says otherwise (default `warn`). */
  readonly logLevel?: 'info' | 'warn';
  /** In a group: what runs when the group is named alone (`peermesh plan` is `peermesh plan show`). */
  readonly isDefault?: boolean;
  run(ctx: CliContext, args: Values<A>, opts: Values<O>): Promise<void>;
}

/** A command as the program builder sees it, with its types erased behind `run`. */
export interface CommandEntry {
  readonly name: string;
  readonly description: string;
  readonly arguments: ArgumentSpecs;
  readonly options: OptionSpecs;
  readonly examples: readonly string[];
  readonly usesBroker: boolean;
  readonly terminalPeer: boolean;
  readonly logLevel: 'info' | 'warn';
  readonly isDefault: boolean;
  /** Runs with what commander parsed: positionals in declared order, options by attribute name. */
  run(ctx: CliContext, positionals: readonly unknown[], options: Readonly<Record<string, unknown>>): Promise<void>;
}

/** A command made of subcommands (`peermesh state get|set|del|list`). */
export interface CommandGroup {
  readonly name: string;
  readonly description: string;
  readonly subcommands: readonly CommandEntry[];
}

export type TableEntry = CommandEntry | CommandGroup;

export const isGroup = (e: TableEntry): e is CommandGroup => 'subcommands' in e;

/** Reads every spec's value: each field is narrowed by its own spec's `read`. */
function readAll<S extends Specs<{ read(value: unknown): unknown }>>(specs: S, valueOf: (key: string, index: number) => unknown): Values<S> {
  const out: Record<string, unknown> = {};
  Object.entries(specs).forEach(([key, spec], i) => {
    out[key] = spec.read(valueOf(key, i));
  });
  // The one place the types meet: `out` has exactly the keys of S, each from S[key].read.
  return out as Values<S>;
}

export function defineCommand<A extends ArgumentSpecs, O extends OptionSpecs>(def: CommandDefinition<A, O>): CommandEntry {
  const { arguments: args, options: opts } = def;
  return {
    name: def.name,
    description: def.description,
    arguments: args,
    options: opts,
    examples: def.examples ?? [],
    usesBroker: def.usesBroker ?? true,
    terminalPeer: def.terminalPeer ?? def.usesBroker ?? true,
    logLevel: def.logLevel ?? 'warn',
    isDefault: def.isDefault ?? false,
    run: (ctx, positionals, options) => def.run(ctx, readAll(args, (_key, i) => positionals[i]), readAll(opts, (key) => options[key])),
  };
}
