/**
 * JSON-RPC 2.0 for one line from the agent: what the SDK may see, and what gets an error answer
 * instead. The SDK's stdio transport drops a line it cannot parse or validate without a word,
 * and its handlers answer params that do not fit with -32603 and a zod dump; here each gets the
 * answer the JSON-RPC specification gives it (section 5.1), in one short line naming the field.
 */
import {
  CallToolRequestSchema, CancelledNotificationSchema, InitializedNotificationSchema, ProgressNotificationSchema,
  RootsListChangedNotificationSchema, CompleteRequestSchema, GetPromptRequestSchema, InitializeRequestSchema, JSONRPCNotificationSchema,
  JSONRPCRequestSchema, JSONRPCResponseSchema, ListPromptsRequestSchema, ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema, ListToolsRequestSchema, PingRequestSchema, ReadResourceRequestSchema,
  SetLevelRequestSchema, SubscribeRequestSchema, UnsubscribeRequestSchema,
  type JSONRPCMessage, type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import type * as z from 'zod';

/** JSON-RPC 2.0 error codes (specification, section 5.1). */
export const rpcError = { parse: -32700, invalidRequest: -32600, methodNotFound: -32601, invalidParams: -32602 } as const;

/** A JSON-RPC id we can echo back: a string or a number. */
export type WireId = string | number;

/** An error answer, written as is: its id may be null, which the SDK's own types do not allow. */
export interface ErrorReply {
  jsonrpc: '2.0';
  id: WireId | null;
  error: { code: number; message: string };
}

/**
 * What to do with one value from the wire: hand a `message` to the server, answer with `reply`,
 * or drop it (a malformed notification or response: JSON-RPC answers neither), saying `why` in the log.
 */
export type Verdict =
  | { kind: 'message'; message: JSONRPCMessage }
  | { kind: 'reply'; reply: ErrorReply }
  | { kind: 'drop'; why: string };

/** The params schema of each request method a server answers, by method. */
export type AnsweredRequests = ReadonlyMap<string, z.ZodType>;

interface RequestSchema {
  shape: { method: { value: string }; params: z.ZodType };
}

const alwaysAnswered: RequestSchema[] = [InitializeRequestSchema, PingRequestSchema];

/** The notifications a client may send, by method, with the schema of their params. */
const clientNotifications: ReadonlyMap<string, z.ZodType> = new Map(
  [CancelledNotificationSchema, ProgressNotificationSchema, InitializedNotificationSchema, RootsListChangedNotificationSchema]
    .map((s) => [s.shape.method.value, s.shape.params] as const),
);

/**
 * The requests a server with these capabilities answers (MCP ties each method to the
 * capability that advertises it), with the schema of their params.
 */
export function answeredRequests(capabilities: ServerCapabilities): AnsweredRequests {
  const schemas = [...alwaysAnswered];
  if (capabilities.logging) schemas.push(SetLevelRequestSchema);
  if (capabilities.tools) schemas.push(ListToolsRequestSchema, CallToolRequestSchema);
  if (capabilities.resources) schemas.push(ListResourcesRequestSchema, ListResourceTemplatesRequestSchema, ReadResourceRequestSchema);
  if (capabilities.resources?.subscribe) schemas.push(SubscribeRequestSchema, UnsubscribeRequestSchema);
  if (capabilities.prompts) schemas.push(ListPromptsRequestSchema, GetPromptRequestSchema);
  if (capabilities.completions) schemas.push(CompleteRequestSchema);
  return new Map(schemas.map((s) => [s.shape.method.value, s.shape.params]));
}

export function errorReply(id: WireId | null, code: number, message: string): ErrorReply {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

/** Parses one line: the value, or the -32700 answer. */
export function parseLine(line: string): { value: unknown } | { reply: ErrorReply } {
  try {
    return { value: JSON.parse(line) as unknown };
  } catch (e) {
    return { reply: errorReply(null, rpcError.parse, `Parse error: ${(e as Error).message}`) };
  }
}

const requestMembers = new Set(['jsonrpc', 'id', 'method', 'params']);

/** Judges one parsed value (a whole line, or one element of a batch) against JSON-RPC 2.0 and the server's methods. */
export function classify(value: unknown, answered: AnsweredRequests): Verdict {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid(null, `expected a JSON-RPC request object, got ${kindOf(value)}`);
  }
  const obj = value as Record<string, unknown>;
  if (!('method' in obj)) {
    if ('result' in obj || 'error' in obj) return response(obj);
    return invalid(usableId(obj.id), 'no "method"');
  }
  const problem = envelopeProblem(obj);
  const notification = !('id' in obj);
  if (notification) {
    // A notification gets no answer, even a malformed one; an object that is not even that
    // (wrong version, no string method) is an invalid request, answered for id null.
    if (obj.jsonrpc !== '2.0' || typeof obj.method !== 'string') return invalid(null, problem!);
    const method = JSON.stringify(obj.method.slice(0, 60));
    if (problem) return { kind: 'drop', why: `malformed notification ${method}: ${problem}` };
    // Checked here, or the SDK's handler logs a zod dump for it.
    const fit = clientNotifications.get(obj.method)?.safeParse(obj.params);
    if (fit && !fit.success) return { kind: 'drop', why: `malformed notification ${method}: ${describeIssues(fit.error)}` };
    const checked = JSONRPCNotificationSchema.safeParse(obj);
    return checked.success ? { kind: 'message', message: checked.data } : { kind: 'drop', why: `malformed notification ${method}: ${describeIssues(checked.error, 'message')}` };
  }
  const id = usableId(obj.id);
  if (problem) return invalid(id, problem);
  const method = obj.method as string;
  const params = answered.get(method);
  if (!params) {
    // Not a method of this server: "method not found" comes before anything about its params.
    const checked = JSONRPCRequestSchema.safeParse(obj);
    return checked.success ? { kind: 'message', message: checked.data } : { kind: 'reply', reply: errorReply(id, rpcError.methodNotFound, 'Method not found') };
  }
  const fit = params.safeParse(obj.params);
  if (!fit.success) return { kind: 'reply', reply: errorReply(id, rpcError.invalidParams, `Invalid params for ${method}: ${describeIssues(fit.error)}`) };
  const checked = JSONRPCRequestSchema.safeParse(obj);
  return checked.success ? { kind: 'message', message: checked.data } : invalid(id, describeIssues(checked.error, 'message'));
}

/** What is wrong with a request or notification's envelope, if anything. */
function envelopeProblem(obj: Record<string, unknown>): string | undefined {
  if (obj.jsonrpc !== '2.0') return `"jsonrpc" must be "2.0", got ${typeof obj.jsonrpc === 'string' ? JSON.stringify(obj.jsonrpc.slice(0, 20)) : kindOf(obj.jsonrpc)}`;
  if (typeof obj.method !== 'string') return `"method" must be a string, got ${kindOf(obj.method)}`;
  if ('id' in obj && !isRequestId(obj.id)) return `"id" must be a string or an integer, got ${typeof obj.id === 'number' ? obj.id : kindOf(obj.id)}`;
  const extra = Object.keys(obj).filter((k) => !requestMembers.has(k));
  if (extra.length) return `unexpected member${extra.length > 1 ? 's' : ''} ${extra.slice(0, 3).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}`;
  return undefined;
}

/** A response from the client (to a request of ours): handed on if well-formed; never answered. */
function response(obj: Record<string, unknown>): Verdict {
  const checked = JSONRPCResponseSchema.safeParse(obj);
  if (checked.success) return { kind: 'message', message: checked.data };
  return { kind: 'drop', why: `malformed response for id ${JSON.stringify(usableId(obj.id))}: not a JSON-RPC 2.0 result (an object) or error` };
}

function invalid(id: WireId | null, why: string): Verdict {
  return { kind: 'reply', reply: errorReply(id, rpcError.invalidRequest, `Invalid Request: ${why}`) };
}

/** The ids the SDK takes (JSON-RPC also allows fractions; MCP does not). */
function isRequestId(id: unknown): id is WireId {
  return typeof id === 'string' || Number.isSafeInteger(id);
}

/** The id to answer an invalid request with: its own when it can be echoed, else null. */
export function usableId(id: unknown): WireId | null {
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
}

/**
 * A zod error in one line, `field: problem; field: problem`, the fields named from inside the
 * value checked (so `name`, not `params.name`), and that value itself as `whole`.
 */
function describeIssues(error: z.ZodError, whole = 'params'): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : whole}: ${i.message}`)
    .join('; ');
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'nothing';
  const type = typeof value;
  return type === 'object' ? 'an object' : `a ${type}`;
}
