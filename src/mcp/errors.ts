/**
 * Tool failures as the model should read them: what went wrong and what to do next, in the
 * tool's own words (its name, actions and arguments as its schema spells them), never the
 * broker's methods or wire fields. Branches on the broker's typed `reason` and `data`, never
 * on message text.
 */
import type * as z from 'zod';
import { printable } from '../core/printable';
import { BrokerError } from '../protocol/errors';

export function toolErrorText(e: unknown): string {
  if (!BrokerError.is(e)) return `PeerMesh error: ${e instanceof Error ? e.message : String(e)}`;
  const data = e.data ?? {};
  switch (e.reason) {
    case 'lockConflict': {
      const holder = typeof data.holderName === 'string' ? data.holderName : 'its holder';
      return `${e.message}. Do not edit it. Either wait (mesh_lock acquire with waitSeconds), ask ${holder} with mesh_send, or work on something else.`;
    }
    case 'cancelled':
      return e.message;
    case 'timeout':
      return `${e.message}. Ask the holder with mesh_send, or work on something else and try later.`;
    case 'versionMismatch':
      return data.currentVersion === 0
        ? `${e.message}. Create it with ifVersion 0, or check the namespace and key.`
        : `${e.message}. Someone else wrote it first: read it again (mesh_state get), then retry with its version as ifVersion.`;
    case 'alreadyClaimed':
      if (typeof data.task === 'string') {
        const who = printable(typeof data.byName === 'string' ? data.byName : 'another peer');
        // A todo task with an assignee was handed to them; any other status, they are on it.
        const has = data.status === 'todo' ? `Task ${printable(data.task)} was handed to ${who}` : `${who} holds task ${printable(data.task)} (${String(data.status)})`;
        return `${has}. Leave it to them: take another task (mesh_task lists the ready ones), or ask ${who} with mesh_send.`;
      }
      return `${e.message}. Nothing was claimed: leave those to them (ack them to clear them from your inbox) and claim the others again.`;
    case 'notHolder':
      return `${e.message}. Only the holder can release or renew it.`;
    case 'notReady':
      return notReadyText(e.message, data);
    case 'unavailable':
      return `${e.message}. PeerMesh reconnects by itself; retry in a few seconds. If it persists, run \`peermesh doctor\`.`;
    case 'rateLimited':
      return `${e.message}. Retry in a moment.`;
    case 'diskFull':
      return data.applied === true
        ? `${e.message}. Do not repeat this change; other changes fail until space is freed, but reading works.`
        : `${e.message}. Reading works; retry this change after space is freed (ask the person to free disk space).`;
    case 'storeCorrupt':
      return `${e.message}. Tell the person: \`peermesh doctor\` shows what to do.`;
    case 'unauthorized':
      return `${e.message}. Restart this MCP server (it rejoins the mesh).`;
    case 'notFound':
      return Array.isArray(data.missing) ? `${e.message} (mesh_peers lists who is here)` : e.message;
    case 'invalidInput':
      return Array.isArray(data.issues) ? (data.issues as WireIssue[]).map(issueText).join('; ') : e.message;
    case 'badFrame':
    case 'internal':
      return e.message;
  }
}

/**
 * A task whose dependencies are not done: which are open, and the two ways on (a ready task,
 * or this one anyway with a reason). `data.open` lists them; `data.task` (the task asked for)
 * is added by mesh_task.
 */
function notReadyText(message: string, data: Record<string, unknown>): string {
  const open = Array.isArray(data.open) ? (data.open as Array<{ id?: unknown; status?: unknown }>) : [];
  const task = typeof data.task === 'string' ? printable(data.task) : undefined;
  const deps = open.filter((d) => typeof d.id === 'string').map((d) => `${printable(d.id as string)} (${typeof d.status === 'string' ? d.status : 'not done'})`);
  const what = deps.length > 0 ? `${task ?? 'That task'} waits on ${deps.slice(0, 10).join(', ')}${deps.length > 10 ? ` and ${deps.length - 10} more` : ''}` : message;
  const force = task ? `mesh_task action="claim" task="${task}" force="<why>"` : 'claim it again with force="<why>"';
  return `${what}. Take a ready task (mesh_task lists them), or start this one anyway: ${force}.`;
}

interface WireIssue {
  path: string;
  message: string;
}

/**
 * Wire fields as the tools' arguments name them. The tools check their arguments before they
 * ask the broker, so this only words what slipped past them.
 */
const argumentOf: Record<string, string> = {
  'target.path': 'path', 'target.startLine': 'startLine', 'target.endLine': 'endLine', target: '',
  waitMs: 'waitSeconds', prefix: 'key', after: 'cursor', before: 'cursor', unreadOnly: 'all', 'to.peer': 'to', 'to.peers': 'to',
};

function issueText(i: WireIssue): string {
  const name = argumentOf[i.path] ?? i.path.split('.').filter((p) => !/^\d+$/.test(p)).pop() ?? '';
  return name ? `${name}: ${i.message}` : i.message;
}

/**
 * Arguments that failed a tool's schema, for the model to correct: `mesh_inbox: action must be
 * one of read, claim, ack, sent (not "bogus"). Correct it and call again.`
 */
export function argumentErrorText(tool: string, error: z.ZodError): string {
  const problems = error.issues.slice(0, 5).map((i) => {
    const name = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[') || 'arguments';
    return `${name} ${problem(i)}`;
  });
  return `${tool}: ${problems.join('; ')}. Correct ${problems.length === 1 ? 'it' : 'them'} and call again.`;
}

/** What is wrong with one argument, after its name. */
function problem(issue: z.core.$ZodIssue): string {
  const got = (input: unknown) => (input === undefined ? '' : ` (not ${JSON.stringify(input)?.slice(0, 40) ?? String(input)})`);
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is missing' : `must be ${article(issue.expected)}${got(issue.input)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}${got(issue.input)}`;
    case 'too_small':
      return issue.origin === 'string' ? `must be at least ${issue.minimum} characters` : issue.origin === 'array' ? `needs at least ${issue.minimum} items` : `must be at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string' ? `must be at most ${issue.maximum} characters` : issue.origin === 'array' ? `takes at most ${issue.maximum} items` : `must be at most ${issue.maximum}`;
    default:
      return `is not right: ${issue.message}`;
  }
}

/** A zod type name as a person says it: `a whole number`, `an array`. */
function article(type: string): string {
  if (type === 'int') return 'a whole number';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
