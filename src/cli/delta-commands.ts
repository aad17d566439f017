/**
 * Context deltas on the command line: `peermesh deltas` lists a project's deltas (the one
 * `--project DIR` is in, else the current folder's) with who has acked each and who has not.
 */
import { defineCommand, option, type TableEntry } from './command-spec';
import { formatDeltas } from './delta-format';
import { projectDir, projectOption } from './plan-commands';
import { json, looking, print, printJson, withClient } from './run-command';

const deltas = defineCommand({
  name: 'deltas',
  description: 'List the project\'s context deltas, oldest first: what agents found out, whom it was sent to, who has acked it.',
  arguments: {},
  options: {
    since: option.integer('--since <id>', 'only deltas after this one (its number, as listed)', { min: 0 }),
    blocking: option.flag('--blocking', 'only blocking deltas (each recipient must ack)'),
    project: projectOption,
    json,
  },
  examples: ['peermesh deltas', 'peermesh deltas --blocking --since 12 --json'],
  async run(ctx, _args, opts) {
    const project = await projectDir(opts.project);
    const result = await withClient(ctx, (c) => c.request('delta/list', { project, since: opts.since, blocking: opts.blocking }), looking);
    if (opts.json) return printJson(result);
    const what = opts.blocking ? 'blocking deltas' : 'deltas';
    if (result.deltas.length === 0) return print(`no ${what}${opts.since ? ` after #${opts.since}` : ''} in the project of ${project}`);
    print(formatDeltas(result.deltas, Date.now()));
    if (result.more) print(`\nmore: peermesh deltas --since ${result.deltas[result.deltas.length - 1].id}${opts.blocking ? ' --blocking' : ''}`);
  },
});

/** The deltas' entries of the command table. */
export const deltaCommands: readonly TableEntry[] = [deltas];
