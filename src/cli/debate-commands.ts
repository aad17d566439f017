/**
 * Debates on the command line, for the person: `peermesh debates` (those that wait on you,
 * or all), `peermesh debate show ID` (round by round), and `peermesh decide ID` (pick a
 * proposal or write the ruling). The terminal is one of the person's peers, so it may rule.
 */
import { agentProcess } from '../core/processes';
import { printable } from '../core/printable';
import { openLink } from '../hook/link';
import { personKinds } from '../protocol/entities';
import { BrokerError } from '../protocol/errors';
import { argument, defineCommand, option, type TableEntry } from './command-spec';
import { formatDebate, formatDebates } from './debate-format';
import { json, looking, numberedId, print, printJson, withClient } from './run-command';

const debateId = (text: string): number => numberedId(text, 'debate', 'peermesh debates');

const idArgument = argument.required('the debate id (peermesh debates lists them)');

const debates = defineCommand({
  name: 'debates',
  description: 'List the project\'s debates that are open or wait for your ruling (all with --all).',
  arguments: {},
  options: { all: option.flag('--all', 'resolved and decided ones too'), json },
  examples: ['peermesh debates', 'peermesh debates --all --json'],
  async run(ctx, _args, opts) {
    const status = opts.all ? undefined : (['open', 'escalated'] as const).slice();
    const list = await withClient(ctx, async (c) => (await c.request('debate/list', { project: process.cwd(), status })).debates, looking);
    if (opts.json) return printJson(list);
    print(list.length === 0 ? `no ${opts.all ? '' : 'open or escalated '}debates` : formatDebates(list));
  },
});

const debate: TableEntry = {
  name: 'debate',
  description: 'Read one debate.',
  subcommands: [
    defineCommand({
      name: 'show',
      description: 'Show a debate round by round: each turn\'s position, proposal or acceptance, and how it ended.',
      arguments: { id: idArgument },
      options: { json },
      examples: ['peermesh debate show 3'],
      async run(ctx, { id }, opts) {
        const result = await withClient(ctx, (c) => c.request('debate/get', { id: debateId(id) }), looking);
        if (opts.json) return printJson(result.debate);
        print(formatDebate(result.debate));
      },
    }),
  ],
};

const decide = defineCommand({
  name: 'decide',
  description: 'Rule on a debate: pick one of its proposals, or write your own ruling. The participants get it as a blocking decision.',
  arguments: { id: idArgument, ruling: argument.rest('your ruling, in your words (unless --pick)') },
  options: { pick: option.integer('--pick <n>', 'the proposal you pick', { min: 1 }), json },
  examples: ['peermesh decide 3 --pick 2', 'peermesh decide 3 use REST, versioned under /v1'],
  async run(ctx, { id, ruling: words }, opts) {
    await refuseAgents(ctx.home.dir);
    const ruling = words.join(' ').trim();
    if ((opts.pick === undefined) === (ruling === '')) throw new BrokerError('invalidInput', 'give --pick N or the text of your ruling, one of the two');
    const result = await withClient(ctx, (c) => c.request('debate/decide', { id: debateId(id), ...(opts.pick === undefined ? { text: ruling } : { pick: opts.pick }) }));
    if (opts.json) return printJson(result.debate);
    const d = result.debate;
    print(`ruled on #${d.id}: ${printable(d.ruling!.text)}\nsent to ${d.participants.map((p) => printable(p.peerName)).join(', ')} as blocking decision #${d.ruling!.delta}`);
  },
});

/**
 * Only the person rules. The terminal is the person's peer, so an agent that runs
 * `peermesh decide` from its shell tool would rule for them: the agent behind this process
 * (past the shells, as the commit guard finds it) is refused, naming what it may do instead.
 */
async function refuseAgents(home: string): Promise<void> {
  const link = await openLink(home, [agentProcess(process.ppid)], 3000);
  try {
    const agent = link?.peer;
    if (agent && !personKinds.includes(agent.kind)) {
      throw new BrokerError('invalidInput', `${printable(agent.name)} is an agent: only the person rules on a debate. Take your turn with mesh_debate action="respond", or set escalate to ask the person`);
    }
  } finally {
    link?.close();
  }
}

/** The debates' entries of the command table. */
export const debateCommands: readonly TableEntry[] = [debates, debate, decide];
