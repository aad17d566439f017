/**
 * `peermesh hook <event> --client <client>`: what an agent's hook runs. It reads the client's
 * hook JSON on stdin, joins its agent's peer at the broker (link.ts), and prints the client's
 * own answer:
 * - news (messages nothing has shown the model yet, tasks newly assigned to the agent, and the
 *   task it holds) as added context, on the events that put it in front of the model: session
 *   start, a prompt, after any tool (there the held task only along with other news);
 * - before a file edit, a denial (or a question, or a warning: `--mode`) when the lines it
 *   touches overlap another peer's claim; with `--claim`, free lines get a short claim;
 * - after a file edit, a record of which lines changed (paths and line numbers only);
 * - at the end of a turn, the peer shows as idle.
 * Every hook call counts as the agent's activity. A hook must never wedge an agent: without a
 * mesh home or a broker, on bad input, on any error, and past a deadline, it prints the
 * client's no-op answer and exits 0 (bad input also says why on stderr).
 *
 * This is a bundle of its own (dist/hook.js), loading neither sql.js nor the MCP SDK nor the
 * schemas: an agent pays its start-up on every tool call.
 */
import { readFileSync, statSync } from 'node:fs';
import { toCoordinationNews, type CoordinationNews } from '../core/coordination-news';
import { hookContext, newsBudget, newsMax, toNews, toTasksNews, type TasksNews } from '../core/news';
import type { RequestResult } from '../protocol/methods';
import { agentProcess } from '../core/processes';
import type { Lock, Message } from '../protocol/entities';
import type { Task } from '../protocol/plan';
import {
  HookInputError, hookClients, honoured, isEditTool, noopAnswer, parseHookInput, renderAnswer,
  type FileEdit, type HookAnswer, type HookClient, type HookDecision, type HookInput,
} from './clients';
import { touchedAfter, touchedBefore, type LineSpan } from './edits';
import { homeDirOf } from '../home/location';
import { openLink, type HookLink } from './link';
import { conflictReason, type GuardMode } from './reason';

export interface HookOptions {
  event: string;
  client: HookClient;
  mode: GuardMode;
  /** Seconds of the claim taken on free lines an edit touches; 0: none. */
  claimSeconds: number;
}

/** How long one hook call may take in all before it gives up and answers the no-op. */
const deadlineMs = 3000;
/** Largest stdin accepted (a Write of a big file arrives whole). */
const maxInputBytes = 32 * 1024 * 1024;
/** Files larger than this are guarded whole rather than read. */
const maxFileBytes = 8 * 1024 * 1024;

export const usage = `usage: peermesh hook <event> --client <${hookClients.join('|')}> [--mode deny|ask|warn] [--claim [seconds]]
  Answers an agent's hook: reads its JSON on stdin, prints its answer on stdout.
  <event> is the client's own event name (PreToolUse, BeforeTool, preToolUse, …).
  --mode   what an edit to lines another agent claims gets: deny (default), ask, or warn
           (also PEERMESH_HOOK_MODE); a client that cannot ask gets deny.
  --claim  an edit to free lines claims them for this many seconds (default 300; also PEERMESH_HOOK_CLAIM).`;

/** Reads the command line; throws a usage error (exit 2) on a mistake. */
export function parseHookArgs(argv: readonly string[], env: NodeJS.ProcessEnv): HookOptions {
  const rest = [...argv];
  let event: string | undefined;
  let client: string | undefined;
  let mode = env.PEERMESH_HOOK_MODE || 'deny';
  let claimSeconds = Number(env.PEERMESH_HOOK_CLAIM || 0);
  while (rest.length > 0) {
    const arg = rest.shift() as string;
    if (arg === '--client') client = rest.shift();
    else if (arg.startsWith('--client=')) client = arg.slice('--client='.length);
    else if (arg === '--mode') mode = rest.shift() ?? '';
    else if (arg.startsWith('--mode=')) mode = arg.slice('--mode='.length);
    else if (arg === '--claim') claimSeconds = /^\d+$/.test(rest[0] ?? '') ? Number(rest.shift()) : 300;
    else if (arg.startsWith('--claim=')) claimSeconds = Number(arg.slice('--claim='.length));
    else if (!arg.startsWith('-') && event === undefined) event = arg;
    else throw new UsageError(`unexpected argument "${arg}"`);
  }
  if (!event) throw new UsageError('name the hook event');
  if (!client || !(hookClients as readonly string[]).includes(client)) throw new UsageError(`--client must be one of ${hookClients.join(', ')}`);
  if (mode !== 'deny' && mode !== 'ask' && mode !== 'warn') throw new UsageError(`--mode must be deny, ask or warn, not "${mode}"`);
  if (!Number.isInteger(claimSeconds) || claimSeconds < 0 || claimSeconds > 86_400) throw new UsageError('--claim takes whole seconds, at most 86400');
  return { event, client: client as HookClient, mode, claimSeconds };
}

export class UsageError extends Error {}

/** What the hook does with one input, given a link to the broker. */
export async function decide(input: HookInput, link: HookLink, opts: HookOptions): Promise<HookDecision> {
  const peer = link.peer;
  // The agent is at work again (a Stop hook said idle, which holds until it says otherwise).
  if (peer?.status === 'idle' && input.phase !== 'stop' && input.phase !== 'other') await link.request('peers/update', { status: 'working' });
  switch (input.phase) {
    case 'preTool':
      return guard(input, link, opts);
    case 'postTool': {
      if (peer && input.edits.length > 0) await attribute(input, link);
      return news(link, false);
    }
    case 'session':
    case 'prompt':
      return news(link, true);
    case 'stop':
      if (peer) await link.request('peers/update', { status: 'idle' });
      return {};
    case 'other':
      return {};
  }
}

/**
 * The messages and the tasks news, asked at once (one round trip). `withHeld`: say the held
 * task even when nothing else is new (at a session start or a prompt; not after every tool).
 */
async function news(link: HookLink, withHeld: boolean): Promise<HookDecision> {
  const peer = link.peer;
  if (!peer) return {};
  const own = peer.gitRoot ?? peer.workspace ?? peer.cwd;
  const [r, tasks, coordination] = await Promise.all([
    link.request<{ messages: Array<Message & { truncated: boolean }>; more: number; unread: number }>('messages/deliver', { budget: newsBudget, max: newsMax }),
    tasksNews(link, own),
    coordinationNews(link, peer.id, own, withHeld),
  ]);
  const context = hookContext({ ...toNews(r), ...(tasks && { tasks }), ...(coordination && { coordination }) }, peer.name, withHeld);
  return context ? { context } : {};
}

/**
 * Blocking deltas, release requests awaiting the agent's answer, its own requests answered, the
 * agent's claims whose code is gone (after every tool too: they stay until it releases or
 * re-takes them), debates awaiting a turn, other new deltas (marked shown), and
 * with `withTokens` the landing tokens held or waited for (not after every tool: they would
 * repeat); each part the broker cannot say left out: messages still go out.
 */
async function coordinationNews(link: HookLink, self: string, ownProject: string | null, withTokens: boolean): Promise<CoordinationNews | undefined> {
  type Mine<M extends 'delta/mine' | 'debate/mine' | 'sync/mine' | 'locks/list' | 'release/mine'> = RequestResult<M>;
  // Each answer stands alone: what was marked shown is shown even when another ask fails.
  const [deltas, debates, sync, claims, requests] = await Promise.allSettled([
    link.request<Mine<'delta/mine'>>('delta/mine', { seen: true }),
    link.request<Mine<'debate/mine'>>('debate/mine', { seen: true }),
    withTokens ? link.request<Mine<'sync/mine'>>('sync/mine', {}) : { queues: [] },
    link.request<Mine<'locks/list'>>('locks/list', { holder: self }),
    link.request<Mine<'release/mine'>>('release/mine', { seen: true }),
  ]);
  const value = <T>(r: PromiseSettledResult<T>): T | undefined => (r.status === 'fulfilled' ? r.value : undefined);
  return toCoordinationNews({
    deltas: value(deltas), debates: value(debates), landing: value(sync)?.queues, claims: value(claims)?.locks, requests: value(requests),
  }, self, ownProject, Date.now());
}

/** The tasks news (marking new assignments shown), or none if the broker cannot say: messages still go out. */
async function tasksNews(link: HookLink, ownProject: string | null): Promise<TasksNews | undefined> {
  type Mine = { held: Array<Task & { project: string }>; assigned: Array<Task & { project: string }> };
  try {
    return toTasksNews(await link.request<Mine>('plan/mine', { seen: true }), ownProject);
  } catch {
    return undefined;
  }
}

/** The lines of `edit`'s file that it touches now: [] for the whole file. */
function linesBefore(edit: FileEdit): LineSpan[] {
  const text = readSmall(edit.path);
  const spans = touchedBefore(edit, text === null ? undefined : text);
  return spans === 'file' ? [] : spans;
}

/** The file's text; undefined if it does not exist; null if too large or unreadable (guard it whole). */
function readSmall(file: string): string | undefined | null {
  try {
    return statSync(file).size > maxFileBytes ? null : readFileSync(file, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : null;
  }
}

interface Guarded { path: string; ranges: LineSpan[] }

async function guard(input: HookInput, link: HookLink, opts: HookOptions): Promise<HookDecision> {
  if (input.edits.length === 0 || (input.toolName && !isEditTool(input.client, input.toolName))) return {};
  const targets: Guarded[] = [];
  for (const edit of input.edits) {
    targets.push({ path: edit.path, ranges: linesBefore(edit) });
    if (edit.kind === 'patch' && edit.moveTo) targets.push({ path: edit.moveTo, ranges: [] });
  }
  // With --claim, the check and the claim are one step per file (the broker claims only what is
  // free); an edit of several files is checked whole first, so none is claimed when one is held.
  const claim = opts.claimSeconds > 0 && link.peer ? { ttlSeconds: opts.claimSeconds, reason: `editing (claimed by its ${input.toolName ?? 'edit'} hook)` } : undefined;
  const ask = (withClaim: boolean) => Promise.all(targets.map((t) => link.request<{ conflicts: Lock[] }>('locks/guardEdit', withClaim ? { ...t, claim } : t)));
  let answers = await ask(claim !== undefined && targets.length === 1);
  if (claim && targets.length > 1 && answers.every((r) => r.conflicts.length === 0)) answers = await ask(true);
  const conflicts = new Map<number, Lock>();
  for (const lock of answers.flatMap((r) => r.conflicts)) conflicts.set(lock.id, lock);
  if (conflicts.size === 0) return {};
  const decision = honoured(input.client, opts.mode);
  return { permission: { decision, reason: conflictReason([...conflicts.values()], input.cwd, decision) } };
}

async function attribute(input: HookInput, link: HookLink): Promise<void> {
  for (const edit of input.edits) {
    // A moved file is where it went now.
    const file = edit.kind === 'patch' && edit.moveTo ? edit.moveTo : edit.path;
    const after = readSmall(file);
    const spans = touchedAfter(edit, after === null ? undefined : after);
    // A deleted file or an unlocatable change is recorded as the whole file.
    await link.request('edits/record', { path: file, ranges: spans === 'file' ? [] : spans, tool: input.toolName ?? 'edit' });
  }
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    process.stdin.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxInputBytes) reject(new HookInputError(`hook input is larger than ${maxInputBytes} bytes`));
      else chunks.push(c);
    });
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

let answered = false;

/** Prints the answer and exits; only the first answer counts (the deadline may race the real one). */
function answer(a: HookAnswer): never {
  if (answered) return undefined as never;
  answered = true;
  if (a.stderr) process.stderr.write(a.stderr.endsWith('\n') ? a.stderr : a.stderr + '\n');
  process.stdout.write(a.stdout, () => process.exit(a.exitCode));
  // stdout may be a pipe whose reader is gone: exit anyway.
  setTimeout(() => process.exit(a.exitCode), 500).unref();
  return undefined as never;
}

/** The whole hook: arguments, stdin, link, decision, answer. Never returns. */
export async function runHook(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<never> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage + '\n');
    process.exit(0);
  }
  let opts: HookOptions;
  try {
    opts = parseHookArgs(argv, env);
  } catch (e) {
    process.stderr.write(`peermesh hook: ${(e as Error).message}\n${usage}\n`);
    process.exit(2);
  }
  const noop = noopAnswer(opts.client, opts.event);
  setTimeout(() => answer({ ...noop, stderr: `peermesh hook: no answer within ${deadlineMs} ms; the ${opts.event} hook changed nothing` }), deadlineMs).unref();
  // Nothing left to wait for and nothing answered (a connection that ended mid-way): the no-op.
  process.once('beforeExit', () => answer({ ...noop, stderr: `peermesh hook: the broker went away; the ${opts.event} hook changed nothing` }));
  let link: HookLink | undefined;
  try {
    // The link opens while stdin is read: most of a hook's time is these two waits.
    // Only the agent that runs this hook (past the shell it ran it in) may be spoken for.
    const linking = openLink(homeDirOf(env), [agentProcess(process.ppid)], deadlineMs);
    void linking.then((l) => (link = l));
    const input = parseHookInput(opts.client, opts.event, JSON.parse(await readStdin()) as unknown, process.cwd());
    if (input.phase === 'other') return answer(noop);
    link = await linking;
    if (!link) return answer(noop);
    const decision = await decide(input, link, opts);
    return answer(renderAnswer(input, decision));
  } catch (e) {
    const why = e instanceof SyntaxError ? `the ${opts.client} hook input on stdin is not JSON (${e.message})` : (e as Error).message;
    return answer({ ...noop, stderr: `peermesh hook: ${why}; the ${opts.event} hook changed nothing` });
  } finally {
    link?.close();
  }
}

