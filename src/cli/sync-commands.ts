/**
 * The landing queue on the command line: `peermesh sync` (status, the default), `peermesh
 * sync acquire` and `peermesh sync release`, for the repository of the current folder and, by
 * default, the branch checked out in it.
 */
import { formatDuration, parseDuration } from '../core/duration';
import { printable } from '../core/printable';
import { nodeWorkspaceProbe } from '../core/workspace';
import { Branch, type SyncQueue } from '../protocol/coordination';
import { BrokerError } from '../protocol/errors';
import { limits } from '../protocol/limits';
import { defineCommand, option, type OptionSpec, type TableEntry } from './command-spec';
import { json, looking, print, printJson, withClient } from './run-command';

const branchOption = option.text('--branch <branch>', 'the branch (default: the one checked out here)');

/** `--wait 90`, `--wait 90s`, `--wait 2m`: how long to wait for the token, at most the longest a request may wait. */
const waitOption: OptionSpec<number | undefined> = {
  flags: '--wait <duration>',
  description: `if another holds it, wait this long for your turn (30s, 5m; at most ${formatDuration(limits.waitMs, { rounding: 'nearest' })})`,
  read(v) {
    if (typeof v !== 'string') return undefined;
    const ms = /^\d+$/.test(v.trim()) ? Number(v.trim()) * 1000 : parseDuration(v);
    if (ms === undefined || ms > limits.waitMs) {
      throw new BrokerError('invalidInput', `--wait takes a duration up to ${formatDuration(limits.waitMs, { rounding: 'nearest' })} (30s, 5m, or seconds), not "${printable(v)}"`);
    }
    return ms;
  },
};

/** The branch given (checked), else the one checked out in the current folder. */
function branchOf(given: string | undefined): string {
  if (given !== undefined) {
    const parsed = Branch.safeParse(given);
    if (!parsed.success) throw new BrokerError('invalidInput', `--branch: "${printable(given)}" is not a branch name (${parsed.error.issues[0].message})`);
    return parsed.data;
  }
  const root = nodeWorkspaceProbe.gitRoot(process.cwd());
  const branch = root && nodeWorkspaceProbe.gitBranch(root);
  if (!branch) throw new BrokerError('invalidInput', 'this folder has no git branch checked out: name one with --branch');
  return branch;
}

/** "main: bob holds it for 3m (4m left), waiting: carol, dave". */
export function formatQueue(q: SyncQueue, now = Date.now()): string {
  const holder = q.holder
    ? `${printable(q.holder.peerName)} holds it for ${formatDuration(now - q.holder.since, { rounding: 'nearest', units: 1 })} (${formatDuration(q.holder.expiresAt - now, { rounding: 'up', units: 1 })} left)${q.stalled ? ', stalled: far longer than usual' : ''}`
    : 'free';
  const waiting = q.waiting.length > 0 ? `, waiting: ${q.waiting.map((w) => printable(w.peerName)).join(', ')}` : '';
  return `${printable(q.branch)}: ${holder}${waiting}`;
}

const sync: TableEntry = {
  name: 'sync',
  description: 'The landing queue: one at a time pushes to a shared branch. See who holds or waits (the default), take the token, give it back.',
  subcommands: [
    defineCommand({
      name: 'status',
      isDefault: true,
      description: 'Who holds the landing token of each branch of this repository, and who waits (only --branch\'s when given).',
      arguments: {},
      options: { branch: branchOption, json },
      examples: ['peermesh sync', 'peermesh sync status --branch main --json'],
      async run(ctx, _args, opts) {
        const branch = opts.branch === undefined ? undefined : branchOf(opts.branch);
        const { queues } = await withClient(ctx, (c) => c.request('sync/status', { project: process.cwd(), branch }), looking);
        if (opts.json) return printJson(queues);
        print(queues.length === 0 ? `no one holds or waits for ${branch ? printable(branch) : 'a branch of this repository'}` : queues.map((q) => formatQueue(q)).join('\n'));
      },
    }),
    defineCommand({
      name: 'acquire',
      description: 'Take the branch\'s landing token before pushing, or a place in line (kept when the wait ends); release it once pushed.',
      arguments: {},
      options: {
        branch: branchOption,
        wait: waitOption,
        ttl: option.integer('--ttl <seconds>', 'how long you may hold it before it passes on (default 600)', { min: 10, max: limits.ttlSeconds }),
        json,
      },
      examples: ['peermesh sync acquire', 'peermesh sync acquire --branch release/2.0 --wait 5m'],
      async run(ctx, _args, opts) {
        const branch = branchOf(opts.branch);
        const r = await withClient(ctx, (c) => c.request('sync/acquire', { project: process.cwd(), branch, ttlSeconds: opts.ttl, waitMs: opts.wait ?? 0 }));
        if (opts.json) return printJson(r);
        if (r.acquired) {
          return print(`you hold the landing token for ${printable(branch)} for ${formatDuration(r.queue.holder!.expiresAt - Date.now(), { rounding: 'up', units: 1 })}; push, then: peermesh sync release`);
        }
        const holder = r.queue.holder ? ` behind ${printable(r.queue.holder.peerName)}` : '';
        print(`${r.position === 1 ? 'next' : `number ${r.position}`} in line for ${printable(branch)}${holder}; your place is kept (peermesh sync acquire --wait 5m waits for it; peermesh sync release leaves the line)`);
      },
    }),
    defineCommand({
      name: 'release',
      description: 'Give the branch\'s landing token back (it passes to the next in line), or leave the line.',
      arguments: {},
      options: { branch: branchOption, json },
      examples: ['peermesh sync release', 'peermesh sync release --branch release/2.0'],
      async run(ctx, _args, opts) {
        const branch = branchOf(opts.branch);
        const { queue } = await withClient(ctx, (c) => c.request('sync/release', { project: process.cwd(), branch }), looking);
        if (opts.json) return printJson(queue);
        print(`done with ${printable(branch)}: ${queue.holder ? `${printable(queue.holder.peerName)} holds it now` : 'it is free'}`);
      },
    }),
  ],
};

export const syncCommands: readonly TableEntry[] = [sync];
