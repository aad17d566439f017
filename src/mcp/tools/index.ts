/**
 * Every mesh tool, in the order `tools/list` shows them: the catalogue the MCP server
 * registers. A tool module's export that is missing here fails the unit test
 * (test/unit/mcp/tools.test.ts).
 */
import type * as z from 'zod';
import type { MeshTool } from '../tool';
import { deltaTool } from './deltas';
import { debateTool } from './debates';
import { eventsTool } from './events';
import { lockTool } from './locks';
import { inboxTool, sendTool } from './messages';
import { peersTool, statusTool, summaryTool, whoamiTool } from './peers';
import { planTool } from './plan';
import { stateTool } from './state';
import { syncTool } from './sync';
import { taskTool } from './tasks';

/** A tool of any input and output shape. */
export type AnyMeshTool = MeshTool<z.ZodRawShape, z.ZodRawShape>;

export const meshTools: readonly AnyMeshTool[] = [
  whoamiTool, peersTool, summaryTool, sendTool, inboxTool, stateTool, lockTool, planTool, taskTool, deltaTool, debateTool, syncTool, eventsTool, statusTool,
];
