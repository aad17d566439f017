/**
 * The commands `peermesh lsp` offers an editor in its code lenses and code actions
 * (`workspace/executeCommand`), with their arguments. The server runs them itself in any editor;
 * the VS Code extension, which starts the same server, runs them as the window instead (its
 * prompts, its Locks view, its own claims), so both read the ids and arguments from here.
 * Arguments come back from the editor: the server checks them like any other input.
 */
import * as z from 'zod';

export const lspCommands = {
  /** Ask the holder of claim `lockId` to let go. */
  requestRelease: 'peermesh.lsp.requestRelease',
  /** Queue for claim `lockId`'s lines, and have them once they free. */
  waitFor: 'peermesh.lsp.waitFor',
  /** Claim lines `startLine`–`endLine` (1-based, inclusive) of the document `uri`. */
  claimLines: 'peermesh.lsp.claimLines',
  /** Show claim `lockId` where the editor lists claims (in VS Code, the Locks view). */
  showInLocks: 'peermesh.lsp.showInLocks',
} as const;
export type LspCommand = (typeof lspCommands)[keyof typeof lspCommands];

export const LockArgs = z.object({ lockId: z.number().int() });
export type LockArgs = z.infer<typeof LockArgs>;

export const LinesArgs = z.object({
  uri: z.string().min(1),
  startLine: z.number().int().min(1),
  endLine: z.number().int().min(1),
}).refine((a) => a.endLine >= a.startLine, { message: 'endLine comes before startLine' });
export type LinesArgs = z.infer<typeof LinesArgs>;

/** Each command's one argument. */
export const lspCommandArgs = {
  [lspCommands.requestRelease]: LockArgs,
  [lspCommands.waitFor]: LockArgs,
  [lspCommands.claimLines]: LinesArgs,
  [lspCommands.showInLocks]: LockArgs,
} satisfies Record<LspCommand, z.ZodType>;
