/**
 * Two agents that cannot agree, for the Debates view's screenshots: a separate OS process
 * (test/vscode/debate-screenshots.mjs runs this bundle, out/test/vscode/debate-peers.js, in the
 * workspace folder with the workbench's PEERMESH_HOME). One pushes a blocking contract change,
 * the other disputes it; they argue two rounds without agreement, so the debate escalates to
 * the person. Prints `ready`, and stays in the mesh until its stdin closes; meanwhile it answers
 * `news <agent>` lines with what that agent has to ack (the checks read the ruling there).
 */
import readline from 'node:readline';
import { resolveHome } from '../../src/home/home';
import { PeerClient } from '../../src/client/peer';
import type { TurnInput } from '../../src/protocol/coordination';
import type { PeerKind } from '../../src/protocol/entities';

const folder = process.cwd();

function join(name: string, kind: PeerKind): Promise<PeerClient> {
  return PeerClient.connect({
    home: resolveHome(process.env),
    intro: { name, kind, pid: process.pid, cwd: folder, workspace: folder, summary: 'the /users listing' },
    canHost: false,
    connectTimeoutMs: 10_000,
  });
}

const turn = (position: string, more: Partial<TurnInput> = {}): TurnInput => ({ position, constraints: [], alternatives: [], escalate: false, ...more });

async function main(): Promise<void> {
  const api = await join('claude-api', 'claude-code');
  const web = await join('codex-web', 'codex');
  const { delta } = await api.request('delta/push', {
    kind: 'discovery', severity: 'warning',
    summary: '/users is too slow to list whole: it will be paginated',
    detail: 'Listing 40k users takes 9 s. The endpoint gets pagination this week.',
    affects: { files: ['src/api/users.ts'], contracts: [], tasks: [] },
  });
  const { debate } = await web.request('debate/start', {
    topic: 'Paginate /users: cursor or pages?', with: [api.peer.id], origin: delta.id, maxRounds: 2,
    turn: turn('The table jumps to page 7; a cursor cannot do that.', {
      constraints: ['the admin table ships Friday'], proposal: 'Offset pagination: ?page=&size=, with a total count',
    }),
  });
  await api.request('debate/respond', {
    id: debate.id,
    turn: turn('Offsets skip or repeat rows while users sign up; the export relies on a stable order.', {
      constraints: ['the nightly export must not miss a row'], alternatives: ['both: a cursor, plus a page index for the table'],
      proposal: 'Cursor pagination: ?after=<id>&limit=, ordered by id',
    }),
  });
  await web.request('debate/respond', { id: debate.id, turn: turn('Jumping to a page is what the table is for.', { accept: 1 }) });
  await api.request('debate/respond', { id: debate.id, turn: turn('A stable export matters more than jumping.', { accept: 2 }) });
  console.log('ready');
  // `news <agent>`: the blocking deltas that agent (api or web) has not acked, as JSON on the answer's line.
  const agents: Record<string, PeerClient> = { api, web };
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const [what, who] = line.trim().split(/\s+/);
    const agent = agents[who];
    if (what !== 'news' || !agent) {
      console.log(`error ${line}: say news api or news web`);
      continue;
    }
    const { blocking } = await agent.request('delta/mine', {});
    console.log(`ok ${line} ${JSON.stringify(blocking.map((d) => ({ kind: d.kind, summary: d.summary, debate: d.debate })))}`);
  }
  await Promise.all([api.close(), web.close()]);
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
