/**
 * The command table is the whole `peermesh` command line: every entry is complete, names and
 * flags do not collide, the program builds from it, and a command's `run` gets typed values
 * (validated) from what commander parsed. The real commands are run end to end in
 * test/integration/cli.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Option } from 'commander';
import { argument, defineCommand, isGroup, option, type CommandEntry } from '../../../src/cli/command-spec';
import { commandTable } from '../../../src/cli/commands';
import { buildProgram } from '../../../src/cli/program';
import { BrokerError } from '../../../src/protocol/errors';

const leaves: Array<{ path: string; entry: CommandEntry }> = commandTable.flatMap((e) =>
  isGroup(e) ? e.subcommands.map((s) => ({ path: `${e.name} ${s.name}`, entry: s })) : [{ path: e.name, entry: e }]);

const duplicates = (names: string[]) => names.filter((n, i) => names.indexOf(n) !== i);

describe('peermesh command table', () => {
  it('names are unique, at the top and inside each group', () => {
    assert.deepEqual(duplicates(commandTable.map((e) => e.name)), []);
    for (const group of commandTable.filter(isGroup)) {
      assert.ok(group.subcommands.length > 0, `${group.name} has subcommands`);
      assert.deepEqual(duplicates(group.subcommands.map((s) => s.name)), [], group.name);
    }
  });

  it('every command has a description, a run, described arguments and options', () => {
    for (const e of commandTable) assert.match(e.description, /^[A-Z].*\.$/, `${e.name}: a sentence`);
    for (const { path: name, entry } of leaves) {
      assert.match(entry.description, /^[A-Z].*\.$/, `${name}: a sentence`);
      assert.equal(typeof entry.run, 'function', name);
      for (const [key, spec] of [...Object.entries(entry.arguments), ...Object.entries(entry.options)]) {
        assert.ok(spec.description.trim(), `${name} ${key}: described`);
      }
      const variadic = Object.values(entry.arguments).findIndex((a) => a.kind === 'variadic' || a.kind === 'rest');
      assert.ok(variadic === -1 || variadic === Object.keys(entry.arguments).length - 1, `${name}: only the last argument takes many words`);
      // A group's default subcommand may be shown as the group alone (`peermesh plan`).
      const forms = entry.isDefault ? [name, name.split(' ')[0]] : [name];
      for (const example of entry.examples) assert.ok(forms.some((f) => `${example} `.startsWith(`peermesh ${f} `)), `${name}: example "${example}"`);
    }
  });

  it('a group has at most one default subcommand, and only a group has one', () => {
    for (const group of commandTable.filter(isGroup)) assert.ok(group.subcommands.filter((s) => s.isDefault).length <= 1, group.name);
    for (const e of commandTable) assert.ok(isGroup(e) || !e.isDefault, e.name);
  });

  it('every option is stored under its key, and no flag is declared twice in a command', () => {
    for (const { path: name, entry } of leaves) {
      const flags = Object.values(entry.options).flatMap((o) => o.flags.split(/[ ,]+/).filter((f) => f.startsWith('-')));
      assert.deepEqual(duplicates([...flags, '-h', '--help', ...(entry.usesBroker ? ['--port'] : []), ...(entry.terminalPeer ? ['--as'] : [])]), [], name);
      for (const [key, spec] of Object.entries(entry.options)) assert.equal(new Option(spec.flags).attributeName(), key, `${name} ${spec.flags}`);
    }
    assert.doesNotThrow(() => buildProgram(commandTable));
  });

  it('only setup (no broker), hook and commit-guard (the broker broker.json names, or none) take no --port', () => {
    assert.deepEqual(leaves.filter((l) => !l.entry.usesBroker).map((l) => l.path).sort(), ['commit-guard', 'hook', 'setup']);
  });

  it('every command that reaches the broker acts as a terminal identity (takes --as), but serve, mcp, lsp (each its own peer) and doctor', () => {
    assert.deepEqual(leaves.filter((l) => l.entry.usesBroker && !l.entry.terminalPeer).map((l) => l.path).sort(), ['doctor', 'lsp', 'mcp', 'serve']);
    assert.deepEqual(leaves.filter((l) => !l.entry.usesBroker && l.entry.terminalPeer).map((l) => l.path), []);
  });
});

describe('peermesh program', () => {
  let home: string;
  const saved = process.env.PEERMESH_HOME;
  before(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'pm-cli-'));
    process.env.PEERMESH_HOME = home;
  });
  after(() => {
    if (saved === undefined) delete process.env.PEERMESH_HOME;
    else process.env.PEERMESH_HOME = saved;
    rmSync(home, { recursive: true, force: true });
  });

  let seen: unknown[] = [];
  const probe = defineCommand({
    name: 'probe',
    description: 'Records what it was given.',
    arguments: { first: argument.required('first'), rest: argument.variadic('the rest') },
    options: {
      ttl: option.integer('--ttl <seconds>', 'a number', { min: 1, max: 100 }),
      scope: option.oneOf('--scope <scope>', 'a choice', ['machine', 'repo'] as const, 'machine'),
      reason: option.text('--reason <text>', 'some text'),
      follow: option.flag('-f, --follow', 'a switch'),
      idle: option.duration('--idle <duration>', 'a duration'),
    },
    async run(ctx, args, opts) {
      seen = [ctx.port, args, opts];
    },
  });
  const parse = (...argv: string[]) => buildProgram([probe]).parseAsync(argv, { from: 'user' });
  const refusal = async (argv: string[], pattern: RegExp) => {
    const e: unknown = await parse(...argv).then(() => undefined, (err: unknown) => err);
    assert.ok(BrokerError.is(e, 'invalidInput'), `${argv.join(' ')}: ${String(e)}`);
    assert.match(e.message, pattern);
    assert.doesNotMatch(e.message, /\n/);
  };

  it('gives run typed arguments and options, with defaults', async () => {
    await parse('probe', 'a', 'b', 'c', '--ttl', '7', '-f', '--port', '4100');
    assert.deepEqual(seen, [4100, { first: 'a', rest: ['b', 'c'] }, { ttl: 7, scope: 'machine', reason: undefined, follow: true, idle: undefined }]);
    await parse('probe', 'a', 'b', '--scope', 'repo', '--reason', 'why', '--port', '0', '--idle', '1h 30m');
    assert.deepEqual(seen, [undefined, { first: 'a', rest: ['b'] }, { ttl: undefined, scope: 'repo', reason: 'why', follow: false, idle: 90 * 60_000 }]);
  });

  it('refuses bad numbers, unknown options and commands, and missing arguments as invalid input, in one line', async () => {
    await refusal(['probe', 'a', 'b', '--ttl', 'soon'], /^--ttl takes a whole number from 1 to 100, not "soon"$/);
    await refusal(['probe', 'a', 'b', '--ttl', '101'], /^--ttl takes a whole number/);
    await refusal(['probe', 'a', 'b', '--ttl', '1.5'], /^--ttl takes a whole number/);
    await refusal(['probe', 'a', 'b', '--idle', '15'], /^--idle takes a duration such as 15m, 1h or 1h 30m, not "15"$/);
    await refusal(['probe', 'a', 'b', '--idle', '0s'], /^--idle takes a duration/);
    await refusal(['probe', 'a', 'b', '--port', '70000'], /^--port takes a whole number from 0 to 65535/);
    await refusal(['probe', 'a', 'b', '--scope', 'galaxy'], /Allowed choices are machine, repo; run peermesh probe --help$/);
    await refusal(['probe', 'a', 'b', '--bogus'], /^unknown option '--bogus'; run peermesh probe --help$/);
    await refusal(['probe', 'a'], /^missing required argument 'rest'/);
    await refusal(['nonsense'], /^unknown command 'nonsense'; run peermesh --help$/);
  });

  it('runs a group\'s default subcommand when the group is named alone, with its options', async () => {
    let ran = '';
    const sub = (name: string, isDefault: boolean) => defineCommand({
      name, isDefault, description: 'Records that it ran.', arguments: {}, options: { json: option.flag('--json', 'a switch') },
      async run(_ctx, _args, opts) {
        ran = `${name} ${opts.json}`;
      },
    });
    const program = () => buildProgram([{ name: 'group', description: 'A group.', subcommands: [sub('show', true), sub('other', false)] }]);
    for (const [argv, expected] of [[['group'], 'show false'], [['group', '--json'], 'show true'], [['group', 'other', '--json'], 'other true']] as const) {
      await program().parseAsync([...argv], { from: 'user' });
      assert.equal(ran, expected, argv.join(' '));
    }
    // A mistyped subcommand is not the default's argument.
    const e: unknown = await program().parseAsync(['group', 'othr', '--json'], { from: 'user' }).then(() => undefined, (err: unknown) => err);
    assert.ok(BrokerError.is(e, 'invalidInput'), String(e));
    assert.equal(e.message, 'unknown command \'othr\': peermesh group takes show, other; run peermesh group --help');
  });

  describe('--as and PEERMESH_AS', () => {
    let as: unknown;
    const who = defineCommand({ name: 'who', description: 'Records the identity.', arguments: {}, options: {}, async run(ctx) {
      as = ctx.as;
    } });
    const quiet = defineCommand({ name: 'quiet', description: 'Joins no mesh.', arguments: {}, options: {}, usesBroker: false, async run() {
      as = 'ran';
    } });
    const run = async (env: string | undefined, ...argv: string[]) => {
      const before = process.env.PEERMESH_AS;
      if (env === undefined) delete process.env.PEERMESH_AS;
      else process.env.PEERMESH_AS = env;
      as = 'not run';
      try {
        await buildProgram([who, quiet]).parseAsync(argv, { from: 'user' });
        return as;
      } finally {
        if (before === undefined) delete process.env.PEERMESH_AS;
        else process.env.PEERMESH_AS = before;
      }
    };
    const refused = async (env: string | undefined, argv: string[], pattern: RegExp) => {
      const e: unknown = await run(env, ...argv).then(() => undefined, (err: unknown) => err);
      assert.ok(BrokerError.is(e, 'invalidInput'), `${argv.join(' ')}: ${String(e)}`);
      assert.match(e.message, pattern);
    };

    it('before or after the command, or from the environment, name the identity in lower case; the command\'s own --as wins', async () => {
      assert.equal(await run(undefined, 'who'), undefined);
      assert.equal(await run(undefined, 'who', '--as', 'CI'), 'ci');
      assert.equal(await run(undefined, '--as', 'nightly.build_2', 'who'), 'nightly.build_2');
      assert.equal(await run(undefined, '--as', 'a', 'who', '--as', 'b'), 'b');
      assert.equal(await run('from-env', 'who'), 'from-env');
      assert.equal(await run('from-env', 'who', '--as', 'flag'), 'flag');
      assert.equal(await run('  ', 'who'), undefined, 'a blank PEERMESH_AS is none');
      assert.equal(await run('from-env', 'quiet'), 'ran', 'PEERMESH_AS set for a shell does not stop commands that use no identity');
    });

    it('refuse a name that is not a plain word, and --as on a command that joins as no terminal', async () => {
      for (const bad of ['', '../x', 'a/b', '.hidden', '-x', 'a b', 'x'.repeat(33), 'con', 'LPT1.json', 'tab\there']) {
        await refused(undefined, ['who', '--as', bad], /^--as takes a name of 1 to 32 letters, digits, dots, dashes or underscores, starting with a letter or digit, not "/);
      }
      await refused('a b', ['who'], /^PEERMESH_AS takes a name of 1 to 32/);
      await refused(undefined, ['who', '--as', 'bell\u0007'], /not "bell␇"$/);
      await refused(undefined, ['--as', 'a', 'quiet'], /^peermesh quiet does not act as a terminal identity, so it takes no --as$/);
      await refused(undefined, ['quiet', '--as', 'a'], /^unknown option '--as'/);
    });
  });
});
