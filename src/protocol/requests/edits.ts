/**
 * Who changed which lines: agents' hooks report each edit after it happened (paths and line
 * ranges, never contents), and anyone can ask who changed a file, or a line of it, lately.
 */
import * as z from 'zod';
import { LineInput, LineSpan, PathInput } from '../entities';
import { limits } from '../limits';
import { Ok, defineRequests } from './spec';

/** One recorded edit, as `edits/list` gives it. */
export const EditRecord = z.object({
  /** The `file_edited` event's sequence number. */
  seq: z.number().int(),
  peer: z.string(),
  peerName: z.string(),
  /** Epoch milliseconds. */
  at: z.number(),
  path: z.string(),
  relPath: z.string(),
  /** The lines that then held the changed text; empty: the whole file. */
  ranges: z.array(LineSpan),
  tool: z.string(),
});
export type EditRecord = z.infer<typeof EditRecord>;

export const editsRequests = defineRequests('edits', {
  /**
   * The caller's agent changed `ranges` of `path` (lines of the file after the edit; empty:
   * the whole file) with `tool`. Emits `file_edited`. Not retried: a repeat records it twice.
   */
  'edits/record': {
    params: z.object({
      path: PathInput,
      ranges: z.array(z.object({ startLine: LineInput, endLine: LineInput })).max(limits.list),
      tool: z.string().min(1).max(limits.name),
    }),
    result: Ok,
    retry: 'never',
  },
  /**
   * Recorded edits of `path` (relative to the caller's cwd), newest first: all of them, or
   * those whose ranges hold `line` (whole-file edits always do). As far back as the event
   * retention reaches.
   */
  'edits/list': {
    params: z.object({
      path: PathInput,
      line: LineInput.optional(),
      limit: z.number().int().min(1).max(limits.page).default(20),
    }),
    result: z.object({ edits: z.array(EditRecord) }),
    retry: 'safe',
  },
});
