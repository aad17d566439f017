/**
 * One way to define a mesh tool: zod input and output shapes, and a `run` that returns a short
 * text and the structured data. Every result, success or failure (arguments that fail the
 * schema included), ends with the session's "pending" news: the messages that reached this
 * peer since the last result, bodies and all, in `structuredContent` (what some clients show
 * the model) and in the text alike. Clients that never show notifications or subscribe to
 * resources still put news in front of the model on its next call of any mesh tool. Each
 * tool keeps its own part within the byte budget (budget.ts).
 */
import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import type { AskModel } from '../core/decompose';
import type { Logger } from '../core/logger';
import { BrokerError } from '../protocol/errors';
import { noNews, pendingText, type News } from '../core/news';
import { jsonBytes, resultBytes } from './budget';
import { argumentErrorText, toolErrorText } from './errors';
import type { MeshClient, MeshSession } from './mesh-session';

/** What every tool may use. */
export interface ToolContext {
  session: MeshSession;
  /** The agent's working directory: relative paths are resolved against it. */
  cwd: string;
  log: Logger;
  /** The agent's own model through MCP sampling; undefined when its client offers none. */
  askModel?: () => AskModel | undefined;
}

export interface ToolOutput<O extends z.ZodRawShape> {
  /** A few lines for the model. */
  text: string;
  data: z.output<z.ZodObject<O>>;
}

export interface MeshTool<I extends z.ZodRawShape, O extends z.ZodRawShape> {
  /** snake_case, `mesh_*`. */
  name: string;
  title: string;
  /** When to use it, in a sentence or three. */
  description: string;
  input: I;
  output: O;
  /** Reads only: clients may run it without asking. */
  readOnly?: boolean;
  /** `signal` aborts when the agent cancels the call. */
  run(args: z.output<z.ZodObject<I>>, client: MeshClient, ctx: ToolContext, signal?: AbortSignal): Promise<ToolOutput<O>>;
}

/**
 * The news every output carries: core/news.ts's `News` (`messages`, `more`, `unread`). Its shape
 * is left open in the schema: every tool's output schema repeats it, and `tools/list` is paid
 * for on every turn.
 */
const pendingField = { pending: z.record(z.string(), z.unknown()) };

/** What the SDK is told a tool takes: any object; {@link registerMeshTool}'s handler checks the rest. */
const anyArguments = z.looseObject({});

/** The news for a result, from the connected client if there is one (never throws). */
async function newsFor(ctx: ToolContext): Promise<News> {
  const client = ctx.session.connected;
  return client ? ctx.session.news(client) : noNews;
}

/**
 * Registers the tool and returns its `tools/list` entry in compact form (see
 * {@link compactSchema}).
 */
export function registerMeshTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(
  server: McpServer,
  ctx: ToolContext,
  tool: MeshTool<I, O>,
): Tool {
  const input = z.object(tool.input);
  const failure = async (text: string): Promise<CallToolResult> => ({ content: [{ type: 'text', text: `${text}\n${pendingText(await newsFor(ctx))}` }], isError: true });
  const handler = async (raw: Record<string, unknown>, extra?: { signal?: AbortSignal }): Promise<CallToolResult> => {
    // Checked here, not by the SDK (which answers without the news): a tool error the model can correct.
    const parsed = input.safeParse(raw, { reportInput: true });
    if (!parsed.success) return failure(argumentErrorText(tool.name, parsed.error));
    try {
      const client = await ctx.session.client();
      const out = await tool.run(parsed.data, client, ctx, extra?.signal);
      const pending = await newsFor(ctx);
      const result: CallToolResult = {
        content: [{ type: 'text', text: `${out.text}\n${pendingText(pending)}` }],
        structuredContent: { ...(out.data as Record<string, unknown>), pending },
      };
      const bytes = jsonBytes(result);
      if (bytes > resultBytes) ctx.log.warn(`[mcp] ${tool.name}: a result of ${bytes} bytes, over the ${resultBytes} budget`);
      return result;
    } catch (e) {
      if (!BrokerError.is(e)) ctx.log.error(`[mcp] ${tool.name} failed: ${(e as Error).stack ?? String(e)}`);
      return failure(toolErrorText(e));
    }
  };
  const config = {
    title: tool.title,
    description: tool.description,
    inputSchema: tool.input,
    outputSchema: { ...tool.output, ...pendingField },
    ...(tool.readOnly && { annotations: { readOnlyHint: true } }),
  };
  // The SDK sees any object of arguments (`tools/list` is ours, with the real schema); the
  // handler checks them against the tool's own. Its callback type is generic over zod 3 and 4.
  server.registerTool(tool.name, { ...config, inputSchema: anyArguments }, handler as never);
  return {
    name: tool.name,
    title: config.title,
    description: config.description,
    inputSchema: compactSchema(z.toJSONSchema(z.object(config.inputSchema), { io: 'input', target: 'draft-7' })) as Tool['inputSchema'],
    outputSchema: compactSchema(z.toJSONSchema(z.object(config.outputSchema), { io: 'output', target: 'draft-7' })) as Tool['outputSchema'],
    ...(config.annotations && { annotations: config.annotations }),
  };
}

/** Keywords that only repeat limits the server enforces anyway. */
const droppedKeys = new Set(['$schema', 'minLength', 'maxLength', 'maxItems', 'additionalProperties', 'propertyNames']);
const safeInt = Number.MAX_SAFE_INTEGER;

/**
 * A JSON schema without what costs the model tokens and tells it nothing: `$schema`, size
 * limits (enforced by the server), `additionalProperties: false`, and the ±2^53 bounds zod
 * puts on every integer. Agents pay for `tools/list` on every turn.
 */
export function compactSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(compactSchema);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (droppedKeys.has(k) && !(k === 'additionalProperties' && typeof v === 'object')) continue;
    if ((k === 'minimum' || k === 'maximum') && Math.abs(v as number) === safeInt) continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, compactSchema(s)])) : compactSchema(v);
  }
  return out;
}

/** An absolute path for the broker: relative ones are taken from the agent's working directory. */
export function resolvePath(ctx: ToolContext, p: string): string {
  return path.resolve(ctx.cwd, p);
}

/** Lets TypeScript infer a tool's input and output types from its shapes. */
export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(tool: MeshTool<I, O>): MeshTool<I, O> {
  return tool;
}
