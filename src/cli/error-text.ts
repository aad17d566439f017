/**
 * A failure as the command line says it: the broker's words (which name no wire method), plus
 * what to run next where the reason's data says more. Branches on the typed reason and data,
 * never on message text. One line, except that the issues of a file the command line refused
 * follow it, one indented line each (a plan file with five mistakes shows all five).
 */
import { printable } from '../core/printable';
import { BrokerError } from '../protocol/errors';
import { statusWord } from './plan-format';
import { TaskStatus } from '../protocol/plan';

interface OpenTask {
  id: string;
  status: TaskStatus;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** `data.open` of `notReady`, where it is what the protocol says it is. */
function openTasks(data: Record<string, unknown> | undefined): OpenTask[] | undefined {
  const open = data?.open;
  if (!Array.isArray(open) || open.length === 0) return undefined;
  const tasks = open.filter(isRecord).flatMap((o) => {
    const status = TaskStatus.safeParse(o.status);
    return typeof o.id === 'string' && status.success ? [{ id: o.id, status: status.data }] : [];
  });
  return tasks.length === open.length ? tasks : undefined;
}

/** The first line of the failure, with what to do next. */
function firstLine(e: unknown): string {
  const message = (e instanceof Error ? e.message : String(e)).split('\n')[0];
  if (!BrokerError.is(e)) return message;
  const data = e.data;
  if (e.reason === 'notFound' && Array.isArray(data?.missing)) return `${message} (peermesh peers lists who is here)`;
  const open = e.reason === 'notReady' ? openTasks(data) : undefined;
  if (open) {
    const needs = open.map((t) => `${t.id} (${statusWord(t.status)})`).join(', ');
    const what = typeof data?.task === 'string' ? `task ${printable(data.task)} is` : 'the task is';
    return `${what} not ready: it needs ${needs} done first (peermesh plan shows them); to start it anyway, say why: --force REASON`;
  }
  if (e.reason === 'alreadyClaimed' && typeof data?.task === 'string' && typeof data.byName === 'string') {
    const status = TaskStatus.safeParse(data.status);
    const [task, by] = [printable(data.task), printable(data.byName)];
    // Assigned but not started (todo): it was handed to them.
    const taken = !status.success ? `is taken by ${by}` : status.data === 'todo' ? `was handed to ${by}` : `is taken: ${by} has it (${statusWord(status.data)})`;
    return `task ${task} ${taken}; ask them (peermesh send ${by} TEXT), or free it for anyone: peermesh task set ${task} --unassign`;
  }
  return message;
}

/**
 * `data.issues` of an input the command line refused (a plan file), one indented line each. A
 * request the broker's schema refused (`data.method`) has its first issues in its message already.
 */
function issueLines(e: unknown): string[] {
  if (!BrokerError.is(e, 'invalidInput') || !Array.isArray(e.data?.issues) || e.data.method !== undefined) return [];
  return e.data.issues.filter(isRecord).map((i) => `  ${printable(String(i.path ?? '') || '(top)')}: ${printable(String(i.message ?? ''))}`);
}

export function cliErrorText(e: unknown): string {
  return [firstLine(e), ...issueLines(e)].join('\n');
}
