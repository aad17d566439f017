/**
 * The calling agent's own model, through MCP sampling (`sampling/createMessage`), as a
 * core/decompose.ts `AskModel`. Only a client that declared the `sampling` capability is
 * asked; the client may show the request to its person first, so the wait is long.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { AskModel } from '../core/decompose';

/** How long the client (and perhaps its person, approving the request) may take to answer. */
export const samplingTimeoutMs = 5 * 60 * 1000;

/** Room for a plan's JSON in the answer (a plan of many tasks runs to a few thousand tokens). */
const maxTokens = 16_000;

/** The agent's model through its client, or undefined when the client offers no sampling. */
export function samplingModel(server: Server): AskModel | undefined {
  if (!server.getClientCapabilities()?.sampling) return undefined;
  return async (turns, signal) => {
    const r = await server.createMessage({
      messages: turns.map((t) => ({ role: t.role, content: { type: 'text' as const, text: t.text } })),
      systemPrompt: 'You plan software work for a team of AI coding agents. Answer with the plan as one JSON object and nothing else.',
      maxTokens,
      // A plan wants a capable model more than a fast one.
      modelPreferences: { intelligencePriority: 0.8, speedPriority: 0.2 },
    }, { signal, timeout: samplingTimeoutMs });
    // Anything but text (an image, audio) holds no plan: decompose() reads it as "no JSON" and asks again.
    return r.content.type === 'text' ? r.content.text : '';
  };
}
