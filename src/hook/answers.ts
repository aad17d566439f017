/**
 * What PeerMesh prints back to each client: the exact stdout and exit code the client documents for
 * an event, for a {@link HookDecision} or for no decision at all. Nothing beyond the documented
 * fields is ever printed: Codex, for one, rejects output with an unknown field as a failed hook and
 * then runs the tool anyway. Where an event cannot carry what PeerMesh wants to say, the news is
 * folded into a field it does carry, or dropped; each case says which below.
 *
 * Sources: https://code.claude.com/docs/en/hooks, https://developers.openai.com/codex/hooks with
 * codex-rs/hooks/schema/generated/*.command.output.schema.json, https://cursor.com/docs/hooks,
 * https://geminicli.com/docs/hooks/reference,
 * https://code.visualstudio.com/docs/agents/reference/hooks-reference.
 */
import { hookEvent, type HookClient, type HookPhase } from './events';

/** The decision PeerMesh takes for one hook call. */
export interface HookDecision {
  /** News to put in front of the model (additional context), if the event can carry it. */
  context?: string;
  /** For preTool: stop or question the tool call. `warn` lets it run and tells the model why it should not have. */
  permission?: { decision: 'deny' | 'ask' | 'warn'; reason: string };
}

export interface HookAnswer { stdout: string; stderr: string; exitCode: number }

type Json = Record<string, unknown>;
type Permission = NonNullable<HookDecision['permission']>;

/**
 * The permission decisions the client really honours on its preTool event. Codex rejects
 * `permissionDecision: "ask"` as unsupported and runs the tool, and Gemini CLI documents only
 * allow and deny, so for both an `ask` becomes a `deny`.
 */
export function honoured(client: HookClient, wanted: 'deny' | 'ask' | 'warn'): 'deny' | 'ask' | 'warn' {
  return wanted === 'ask' && (client === 'codex' || client === 'gemini') ? 'deny' : wanted;
}

/** The client's no-op answer for the event: what a hook prints to change nothing. */
export function noopAnswer(client: HookClient, event: string): HookAnswer {
  switch (client) {
    // Both document exit 0 with nothing on stdout as "go ahead".
    case 'claude-code':
    case 'codex':
      return { stdout: '', stderr: '', exitCode: 0 };
    // VS Code parses stdout as JSON on exit 0; its own pass-through examples print this.
    case 'copilot':
      return json({ continue: true });
    // Cursor expects JSON on every path; beforeSubmitPrompt reads `continue`.
    case 'cursor':
      return json(hookEvent(client, event).name === 'beforeSubmitPrompt' ? { continue: true } : {});
    // Gemini CLI's own examples print an empty object.
    case 'gemini':
      return json({});
  }
}

/** Exactly what the client expects on stdout / exit code for this event and decision. */
export function renderAnswer(input: { client: HookClient; event: string; phase: HookPhase }, decision: HookDecision): HookAnswer {
  const { client } = input;
  const event = hookEvent(client, input.event).name;
  const permission = input.phase === 'preTool' && decision.permission
    ? { ...decision.permission, decision: honoured(client, decision.permission.decision) }
    : undefined;
  const context = decision.context || undefined;
  if (!permission && !context) return noopAnswer(client, event);
  const body = bodyFor(client, event, input.phase, permission, context);
  return body === undefined ? noopAnswer(client, event) : json(body);
}

function bodyFor(client: HookClient, event: string, phase: HookPhase, permission: Permission | undefined, context: string | undefined): Json | undefined {
  switch (client) {
    case 'claude-code': return claudeCode(event, phase, permission, context);
    case 'copilot': return copilot(event, phase, permission, context);
    case 'codex': return codex(event, phase, permission, context);
    case 'cursor': return cursor(event, phase, permission, context);
    case 'gemini': return gemini(event, phase, permission, context);
  }
}

const joined = (...parts: Array<string | undefined>) => parts.filter(Boolean).join('\n\n');

function specific(event: string, fields: Json): Json {
  return { hookSpecificOutput: { hookEventName: event, ...fields } };
}

/**
 * Claude Code: every event PeerMesh uses takes `hookSpecificOutput.additionalContext` (on Stop it
 * keeps the conversation going so Claude can act on it). A `warn` gives no permissionDecision at
 * all, only context: `allow` would skip the user's permission prompt, which is not PeerMesh's call.
 * An `ask` reason is shown to the user only, so the model learns why through additionalContext.
 */
function claudeCode(event: string, phase: HookPhase, permission: Permission | undefined, context: string | undefined): Json | undefined {
  if (phase === 'other') return undefined;
  if (!permission) return specific(event, { additionalContext: context });
  if (permission.decision === 'warn') return specific(event, { additionalContext: joined(permission.reason, context) });
  const model = permission.decision === 'ask' ? joined(permission.reason, context) : context;
  return specific(event, {
    permissionDecision: permission.decision,
    permissionDecisionReason: permission.reason,
    ...(model ? { additionalContext: model } : {}),
  });
}

/**
 * VS Code agent hooks: Claude Code's shape for PreToolUse, PostToolUse and SessionStart.
 * UserPromptSubmit takes only the common output (continue, stopReason, systemMessage), none of which
 * reaches the model: the news is dropped there. Stop cannot add context, only refuse to stop with a
 * reason the agent reads, so the news is folded into that (documented inside hookSpecificOutput for
 * Stop, at the top level for SubagentStop).
 */
function copilot(event: string, phase: HookPhase, permission: Permission | undefined, context: string | undefined): Json | undefined {
  if (phase === 'prompt' || phase === 'other') return undefined;
  if (phase === 'stop') {
    const block = { decision: 'block', reason: context };
    return event === 'Stop' ? specific(event, block) : block;
  }
  return claudeCode(event, phase, permission, context);
}

/**
 * Codex: SessionStart, UserPromptSubmit, PreToolUse and PostToolUse take
 * `hookSpecificOutput.additionalContext`; Stop takes only `decision: "block"` with a reason, which
 * makes Codex continue with that reason, so the news goes there. A deny carries no
 * additionalContext (older Codex releases rejected it on PreToolUse, and a rejected deny lets the
 * tool run): the news is folded into the reason instead. `permissionDecision: "allow"` without
 * updatedInput is rejected, so a warn is context only.
 */
function codex(event: string, phase: HookPhase, permission: Permission | undefined, context: string | undefined): Json | undefined {
  if (phase === 'other') return undefined;
  if (phase === 'stop') return { decision: 'block', reason: context };
  if (!permission) return specific(event, { additionalContext: context });
  if (permission.decision === 'warn') return specific(event, { additionalContext: joined(permission.reason, context) });
  return specific(event, { permissionDecision: 'deny', permissionDecisionReason: joined(permission.reason, context) });
}

/**
 * Cursor: preToolUse answers `permission` with `user_message` (to the person) and `agent_message`
 * (to the model); a warn or plain news is an agent_message with no permission, so Cursor's own
 * approval flow stays as it is. sessionStart and postToolUse take `additional_context`; stop takes a
 * `followup_message` that Cursor sends as the next prompt. beforeSubmitPrompt and afterFileEdit
 * carry nothing to the model: the news is dropped there.
 */
function cursor(event: string, phase: HookPhase, permission: Permission | undefined, context: string | undefined): Json | undefined {
  switch (phase) {
    case 'preTool':
      if (!permission || permission.decision === 'warn') return { agent_message: joined(permission?.reason, context) };
      return { permission: permission.decision, user_message: permission.reason, agent_message: joined(permission.reason, context) };
    case 'session': return { additional_context: context };
    case 'postTool': return event === 'postToolUse' ? { additional_context: context } : undefined;
    case 'stop': return { followup_message: context };
    default: return undefined;
  }
}

/**
 * Gemini CLI: SessionStart, BeforeAgent and AfterTool take `hookSpecificOutput.additionalContext`.
 * BeforeTool blocks with top-level `decision: "deny"` and a `reason` the model reads, but has no
 * field that reaches the model when the tool runs: a warn shows the reason to the person
 * (`systemMessage`) and plain news is dropped, to be given on AfterTool. AfterAgent cannot add
 * context; `decision: "deny"` sends its reason to the model as a new prompt, so the news goes there.
 */
function gemini(event: string, phase: HookPhase, permission: Permission | undefined, context: string | undefined): Json | undefined {
  switch (phase) {
    case 'preTool':
      if (!permission) return undefined;
      if (permission.decision === 'warn') return { systemMessage: permission.reason };
      return { decision: 'deny', reason: joined(permission.reason, context) };
    case 'stop': return { decision: 'deny', reason: context };
    case 'other': return undefined;
    default: return specific(event, { additionalContext: context });
  }
}

function json(body: Json): HookAnswer {
  return { stdout: `${JSON.stringify(body)}\n`, stderr: '', exitCode: 0 };
}
