/**
 * The host's check of what the dashboard webview posts: a message is used only if it is one of
 * the protocol's (src/protocol/webview.ts), whole and well-typed; anything else is logged and
 * dropped. The schemas are checked against the protocol's types at compile time.
 */
import * as z from 'zod';
import { coordinationLimits } from '../../protocol/coordination';
import { PlanId, TaskStatus } from '../../protocol/plan';
import type { WebviewToHostMessage } from '../../protocol/webview';

export const WebviewMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('moveTask'), requestId: z.number().int(), taskId: PlanId, status: TaskStatus }),
  z.object({ type: z.literal('openDebate'), debateId: z.number().int().min(1) }),
  z.object({
    type: z.literal('decideDebate'), requestId: z.number().int(), debateId: z.number().int().min(1),
    pick: z.number().int().min(1).optional(), text: z.string().trim().min(1).max(coordinationLimits.detail).optional(),
  }).refine((m) => (m.pick === undefined) !== (m.text === undefined), { message: 'a ruling picks a proposal or gives its own text' }),
]);

/** Fails to compile when the schema and the protocol's types part ways. */
const sameShape: [z.infer<typeof WebviewMessage>] extends [WebviewToHostMessage] ? ([WebviewToHostMessage] extends [z.infer<typeof WebviewMessage>] ? true : false) : false = true;
void sameShape;

/** The message, when it is one of the webview's; else what is wrong with it. */
export function parseWebviewMessage(value: unknown): { ok: true; message: WebviewToHostMessage } | { ok: false; problem: string } {
  const parsed = WebviewMessage.safeParse(value);
  return parsed.success ? { ok: true, message: parsed.data } : { ok: false, problem: parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ') };
}
