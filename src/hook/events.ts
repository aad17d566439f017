/**
 * The hook events PeerMesh answers, per client: each client's own spelling of the event and what
 * it means for PeerMesh (its phase). Names come from each client's hook documentation:
 *
 * - claude-code: https://code.claude.com/docs/en/hooks
 * - codex: https://developers.openai.com/codex/hooks (and codex-rs/hooks/schema/generated/*.json)
 * - cursor: https://cursor.com/docs/hooks
 * - gemini: https://geminicli.com/docs/hooks/reference
 * - copilot (VS Code agent hooks): https://code.visualstudio.com/docs/agents/reference/hooks-reference
 *
 * Kept apart from the parsing and the answers so both can look an event up without importing each
 * other.
 */

export const hookClients = ['claude-code', 'codex', 'cursor', 'gemini', 'copilot'] as const;
export type HookClient = (typeof hookClients)[number];

/** What an event means for PeerMesh, whatever the client calls it. */
export type HookPhase = 'session' | 'prompt' | 'preTool' | 'postTool' | 'stop' | 'other';

/** One event as the client spells it, and its phase. */
export interface HookEvent { name: string; phase: HookPhase }

const eventTable: Record<HookClient, Record<string, HookPhase>> = {
  'claude-code': {
    SessionStart: 'session', UserPromptSubmit: 'prompt', PreToolUse: 'preTool', PostToolUse: 'postTool',
    Stop: 'stop', SubagentStop: 'stop',
  },
  codex: {
    SessionStart: 'session', UserPromptSubmit: 'prompt', PreToolUse: 'preTool', PostToolUse: 'postTool', Stop: 'stop',
  },
  cursor: {
    sessionStart: 'session', beforeSubmitPrompt: 'prompt', preToolUse: 'preTool', postToolUse: 'postTool',
    afterFileEdit: 'postTool', stop: 'stop',
  },
  gemini: {
    SessionStart: 'session', BeforeAgent: 'prompt', BeforeTool: 'preTool', AfterTool: 'postTool', AfterAgent: 'stop',
    SessionEnd: 'other',
  },
  copilot: {
    SessionStart: 'session', UserPromptSubmit: 'prompt', PreToolUse: 'preTool', PostToolUse: 'postTool',
    Stop: 'stop', SubagentStop: 'stop',
  },
};

/**
 * The client's event for `event`, matched case-insensitively and returned in the client's own
 * spelling (answers must name the event exactly); an unknown event is phase 'other' under the
 * name it was given.
 */
export function hookEvent(client: HookClient, event: string): HookEvent {
  const wanted = event.toLowerCase();
  const name = Object.keys(eventTable[client]).find((known) => known.toLowerCase() === wanted);
  return name === undefined ? { name: event, phase: 'other' } : { name, phase: eventTable[client][name] };
}
