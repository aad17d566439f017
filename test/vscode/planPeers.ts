/**
 * Two agents working on a small plan, for the Plan view's screenshots: a separate OS process
 * (test/vscode/plan-screenshots.mjs runs this bundle, out/test/vscode/plan-peers.js, in the
 * workspace folder with the workbench's PEERMESH_HOME). It puts the plan in place (accepting
 * its own proposal when the project has a plan already), moves its tasks into every status and
 * approves its contract, prints `ready`, and stays in the mesh until its stdin closes: an
 * agent that leaves gives its tasks back. Meanwhile each line on its stdin,
 * `<agent> <task> <status>`, has that agent (`server` or `web`) move a task, as the dashboard's
 * checks need; it answers `ok <line> <sent> <answered>` (the request's times, as `Date.now()`,
 * for the bench) or `error <line>: <why>`.
 *
 * PEERMESH_PLAN_BACKLOG=N adds a third phase of N small tasks (the bench's plan at its size).
 */
import readline from 'node:readline';
import { resolveHome } from '../../src/home/home';
import { PeerClient } from '../../src/client/peer';
import type { PeerKind } from '../../src/protocol/entities';
import type { PlanInput } from '../../src/protocol/plan';

const folder = process.cwd();

const plan: PlanInput = {
  title: 'Passwordless sign-in',
  description: 'Sign in with a link sent by e-mail.',
  phases: [
    {
      id: 'server', title: 'Server', detail: 'The route, the mail and the limits.',
      tasks: [
        { id: 'login-route', title: 'Login route', detail: 'Validate the address, store a one-time token.', files: ['src/server/login.ts'], dependsOn: [], contracts: ['login-api'] },
        { id: 'mail', title: 'Mail the link', detail: 'Template and sending.', files: ['src/server/mail/**'], dependsOn: ['login-route'], contracts: [] },
        { id: 'rate-limit', title: 'Rate-limit the route', detail: '', files: ['src/server/limits.ts'], dependsOn: ['login-route'], contracts: [] },
      ],
    },
    {
      id: 'web', title: 'Web', detail: 'The pages the person sees.',
      tasks: [
        { id: 'login-form', title: 'Login form', detail: 'Posts the address, shows the result.', files: ['web/login.tsx'], dependsOn: [], contracts: ['login-api'] },
        { id: 'link-page', title: 'Link landing page', detail: '', files: ['web/link.tsx'], dependsOn: ['login-form'], contracts: [] },
        { id: 'e2e', title: 'End-to-end test', detail: '', files: ['test/e2e/login.spec.ts'], dependsOn: [], contracts: [] },
      ],
    },
  ],
  contracts: [
    { id: 'login-api', kind: 'api', name: 'POST /api/login', file: 'src/server/login.ts', symbol: 'loginRoute', spec: 'Body {"email": string}. 204 when a link was sent; 422 {"error": string} for a bad address.' },
  ],
};

/** A phase of `count` small tasks, nobody's, to do. */
function backlog(count: number): PlanInput['phases'][number] {
  return {
    id: 'backlog', title: 'Backlog', detail: 'Everything after the first release.',
    tasks: Array.from({ length: count }, (_, i) => ({
      id: `backlog-${i + 1}`, title: `Backlog item ${i + 1}`, detail: '', files: [`src/later/item${i + 1}.ts`], dependsOn: [], contracts: [],
    })),
  };
}

function join(name: string, kind: PeerKind): Promise<PeerClient> {
  return PeerClient.connect({
    home: resolveHome(process.env),
    intro: { name, kind, pid: process.pid, cwd: folder, workspace: folder, summary: `working on the sign-in plan` },
    canHost: false,
    connectTimeoutMs: 10_000,
  });
}

async function main(): Promise<void> {
  const server = await join('claude-server', 'claude-code');
  const web = await join('codex-web', 'codex');
  const extra = Number(process.env.PEERMESH_PLAN_BACKLOG ?? 0);
  const submitted = extra > 0 ? { ...plan, phases: [...plan.phases, backlog(extra)] } : plan;
  const { proposal } = await server.request('plan/submit', { plan: submitted, source: 'agent' });
  if (proposal) await server.request('plan/accept', { id: proposal.id });
  const move = (who: PeerClient, task: string, status: 'review' | 'blocked' | 'done', note?: string) =>
    who.request('plan/update', { task, status, ...(note && { note }) });
  await server.request('plan/claim', { task: 'login-route' });
  await move(server, 'login-route', 'done');
  await server.request('plan/claim', { task: 'mail' });
  await web.request('plan/claim', { task: 'rate-limit' });
  await move(web, 'rate-limit', 'blocked', 'waiting for the limits in the config');
  await web.request('plan/claim', { task: 'login-form' });
  await move(web, 'login-form', 'review');
  await server.request('plan/contract', { id: 'login-api', status: 'approved' });
  // What agents tell each other, for the dashboard's activity feed.
  await server.request('messages/send', { to: { peer: web.peer.id }, body: 'The login route is done: POST /api/login answers 204 or 422.' });
  await web.request('messages/send', { to: { peer: server.peer.id }, body: 'Thanks, wiring the form to it now.' });
  console.log('ready');
  const agents: Record<string, PeerClient> = { server, web };
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [who, task, status] = line.trim().split(/\s+/);
    try {
      const agent = agents[who];
      if (!agent) throw new Error(`no agent ${who}`);
      const sent = Date.now();
      await agent.request('plan/update', { task, status: status as 'todo' | 'in_progress' | 'review' | 'blocked' | 'done' });
      console.log(`ok ${line} ${sent} ${Date.now()}`);
    } catch (error) {
      console.log(`error ${line}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  await Promise.all([server.close(), web.close()]);
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
