/**
 * Decomposition of a project description into a plan by a language model, whichever model it
 * is: the editor's (`vscode.lm`), or the calling agent's through MCP sampling. The model is a
 * function from a conversation to its answer; this module writes the prompt, reads the answer
 * as a {@link PlanInput}, and when the answer is not a valid plan asks once more with what was
 * wrong. A second invalid answer fails with both attempts: nothing half-parsed is ever returned.
 */
import { BrokerError } from '../protocol/errors';
import { PlanInput, planLimits } from '../protocol/plan';

export interface ChatTurn {
  role: 'user' | 'assistant';
  text: string;
}

/** Asks the model: the conversation so far, answered with the model's whole text. */
export type AskModel = (turns: ChatTurn[], signal: AbortSignal) => Promise<string>;

/** Longest description accepted, in characters. */
export const descriptionLimit = 20_000;

/** Most validation issues read back to the model (the first are the ones worth fixing). */
const issuesShown = 20;

/** Both answers were not a valid plan; `attempts` has each answer and what was wrong with it. */
export class DecompositionFailed extends Error {
  constructor(readonly attempts: ReadonlyArray<{ answer: string; issues: string[] }>) {
    const last = attempts[attempts.length - 1];
    super(`the model's plan was not valid after ${attempts.length} attempts: ${last.issues.slice(0, 3).join('; ')}`);
    this.name = 'DecompositionFailed';
  }
}

const example = {
  title: 'Sign-in with e-mail links',
  description: 'Passwordless sign-in for the web app.',
  contracts: [{
    id: 'login-api', kind: 'api', name: 'POST /api/login', file: 'src/server/routes/login.ts', symbol: 'loginRoute',
    spec: 'Body {"email": string}. 204 when a link was sent; 422 {"error": string} for a bad address.',
  }],
  phases: [{
    id: 'server', title: 'Server', detail: '',
    tasks: [
      { id: 'login-route', title: 'Login route sends the link', detail: 'Validate the address, store a one-time token, send the mail.', files: ['src/server/routes/login.ts', 'src/server/mail/**'], dependsOn: [], contracts: ['login-api'] },
    ],
  }, {
    id: 'web', title: 'Web', detail: '',
    tasks: [
      { id: 'login-form', title: 'Login form', detail: 'Form that posts the address and shows the result.', files: ['web/src/login/**'], dependsOn: [], contracts: ['login-api'] },
    ],
  }],
};

/** The conversation's first turn: what to produce, in which shape, by which rules. */
export function decompositionPrompt(description: string, context?: string): ChatTurn[] {
  const text = [
    'Break the work described below into a plan that several AI coding agents can carry out at the same time.',
    '',
    'Rules:',
    '- Phases group tasks in the order the work lands; a task is one agent\'s unit of work (hours, not days).',
    '- Make tasks parallel: give each task the files or globs (relative to the project root) it will change, and keep tasks that can run at once on different files.',
    '- Where two tasks meet (an API, a schema, a type, an event, a CLI, a config format), write an interface contract with its spec, and list its id in both tasks\' contracts, so they can code against it at once instead of waiting on each other.',
    '- dependsOn only where a task really cannot start before another is done. No cycles.',
    `- Ids are short lowercase names (letters, digits, dashes), unique within the plan. At most ${planLimits.phases} phases, ${planLimits.tasks} tasks, ${planLimits.contracts} contracts.`,
    '- contract kind is one of api, schema, type, event, cli, config, other.',
    '',
    'Answer with the plan as one JSON object and nothing else, shaped like this example:',
    JSON.stringify(example),
    ...(context ? ['', 'What the project has now:', context] : []),
    '',
    'The work:',
    description,
  ].join('\n');
  return [{ role: 'user', text }];
}

/**
 * The plan in a model's answer, or what is wrong with it. Accepts the JSON bare or in a fenced
 * block, with prose around it; issues name the JSON path (`phases.0.tasks.1.dependsOn.0`).
 */
export function readPlanAnswer(answer: string): { plan: PlanInput } | { issues: string[] } {
  const json = jsonIn(answer);
  if (json === undefined) return { issues: ['the answer holds no JSON object: answer with the plan as one JSON object'] };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    return { issues: [`the JSON does not parse: ${e instanceof Error ? e.message : String(e)}`] };
  }
  const parsed = PlanInput.safeParse(value);
  if (parsed.success) return { plan: parsed.data };
  return { issues: parsed.error.issues.slice(0, issuesShown).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(top)'}: ${i.message}`) };
}

/** The text from the first `{` to its last `}`, inside a fenced block when there is one. */
function jsonIn(answer: string): string | undefined {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)```/.exec(answer);
  const text = fenced ? fenced[1] : answer;
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start >= 0 && end > start ? text.slice(start, end + 1) : undefined;
}

/**
 * Asks `ask` for a plan of `description`; an invalid answer is answered once with its issues.
 * Throws `DecompositionFailed` after a second invalid answer, a `cancelled` BrokerError when
 * `signal` aborts, `invalidInput` for an empty or oversized description.
 */
export async function decompose(
  description: string,
  ask: AskModel,
  opts: { context?: string; signal?: AbortSignal; onAttempt?: (attempt: number) => void } = {},
): Promise<PlanInput> {
  const text = description.trim();
  if (text.length === 0) throw new BrokerError('invalidInput', 'describe the work to plan: the description is empty');
  if (text.length > descriptionLimit) throw new BrokerError('invalidInput', `the description is ${text.length} characters; at most ${descriptionLimit}`);
  const signal = opts.signal ?? new AbortController().signal;
  const turns = decompositionPrompt(text, opts.context);
  const attempts: Array<{ answer: string; issues: string[] }> = [];
  for (let attempt = 1; attempt <= 2; attempt++) {
    checkCancelled(signal);
    opts.onAttempt?.(attempt);
    const answer = await ask(turns, signal);
    checkCancelled(signal);
    const read = readPlanAnswer(answer);
    if ('plan' in read) return read.plan;
    attempts.push({ answer, issues: read.issues });
    turns.push({ role: 'assistant', text: answer }, {
      role: 'user',
      text: `That is not a valid plan:\n${read.issues.map((i) => `- ${i}`).join('\n')}\nAnswer again with the whole corrected plan as one JSON object and nothing else.`,
    });
  }
  throw new DecompositionFailed(attempts);
}

function checkCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new BrokerError('cancelled', 'the plan was not made: decomposition cancelled');
}
