/**
 * File and line-range locks: a peer claims what it is about to edit so others keep out. A lock
 * expires after its TTL unless renewed, and outlives a dropped connection for a grace period.
 */
import * as z from 'zod';
import { LineInput, Lock, PathInput, SaveGuardChoice, TtlInput, WaitInput, WorktreeClaim } from '../entities';
import { limits } from '../limits';
import { Ok, defineRequests } from './spec';

/** A file, or a line range of it, or a symbol in it. */
export const LockTarget = z.object({
  path: PathInput,
  startLine: LineInput.optional(),
  endLine: LineInput.optional(),
  /**
   * A declaration by its dotted name (`AuthService.refresh`, `parse_config`), instead of lines:
   * the broker resolves it to the lines it spans now and re-resolves it when the file changes
   * (core/symbols.ts). Fails `invalidInput` for a file no grammar reads, `notFound` (with
   * `data.closeMatches`) for a name the file does not declare.
   */
  symbol: z.string().min(1).max(limits.symbol).optional(),
}).refine((t) => t.symbol === undefined || (t.startLine === undefined && t.endLine === undefined), {
  message: 'give a symbol or lines, not both',
}).refine((t) => (t.startLine === undefined) === (t.endLine === undefined), {
  message: 'give both startLine and endLine, or neither',
}).refine((t) => t.startLine === undefined || t.endLine === undefined || t.startLine <= t.endLine, {
  message: 'startLine must not be after endLine',
});
export type LockTarget = z.infer<typeof LockTarget>;

/** A position in a text, as editors and the Language Server Protocol count: 0-based line and UTF-16 column. */
const TextPosition = z.object({ line: z.number().int().min(0), character: z.number().int().min(0) });

/** One edit of a text, as VS Code's `TextDocumentContentChangeEvent` and LSP's incremental `didChange` give it. */
export const TextChange = z.object({
  range: z.object({ start: TextPosition, end: TextPosition }),
  text: z.string(),
});
export type TextChange = z.infer<typeof TextChange>;

export const locksRequests = defineRequests('locks', {
  /**
   * Claims `target` for the caller; re-acquiring one's own target renews it (`renewed: true`),
   * which is also why a repeat is safe, unless `reentrant` is false. Fails `lockConflict`
   * (`data` names holder, reason, time left) at once, or after queueing FIFO for `waitMs`:
   * `timeout`, or `cancelled` when the caller cancels. Emits `lock_acquired` / `lock_renewed`.
   */
  'locks/acquire': {
    params: z.object({
      target: LockTarget,
      reason: z.string().max(limits.reason).default(''),
      ttlSeconds: TtlInput.optional(),
      /** Wait up to this long, queued FIFO, for the lock to free. 0 = fail at once. */
      waitMs: WaitInput.default(0),
      /**
       * False: the caller's own live locks overlapping `target` conflict like another peer's
       * (`data.holder` is then the caller; nothing is renewed) and its own earlier waiting
       * requests go first. For processes that share one identity and must exclude each other,
       * as `peermesh lock` does. Default true.
       */
      reentrant: z.boolean().default(true),
    }),
    result: z.object({
      lock: Lock,
      renewed: z.boolean(),
      /** Claims on the same file in other worktrees of the same repository: warnings, not conflicts. */
      alsoClaimed: z.array(WorktreeClaim).optional(),
    }),
    // A repeat renews the caller's own lock, except with `reentrant: false`: there the repeat of
    // a grant the old broker journaled would meet that very lock and report a conflict (or wait
    // on it) while the caller holds it.
    retry: (params: { reentrant?: boolean }) => (params.reentrant === false ? 'never' : 'safe'),
  },
  /**
   * Releases the caller's lock by id, or its locks on `target` (a whole-file target releases
   * every range it holds in the file). Fails `notFound` when the caller holds none there,
   * `notHolder` when another peer does. Emits `lock_released`. Not retried: a repeat of a
   * release that worked would report `notFound`.
   */
  'locks/release': {
    params: z.object({ target: LockTarget.optional(), lockId: z.number().int().optional() }),
    result: z.object({ released: z.array(Lock) }),
    retry: 'never',
  },
  /**
   * Releases, in one transaction, every lock the caller holds, or only those on the file or
   * under the folder `path` (relative to the caller's cwd). Holding none is not an error
   * (`released` is empty). Emits `lock_released` per lock. Not retried: a repeat of one that
   * worked would report nothing released.
   */
  'locks/releaseAll': {
    params: z.object({ path: PathInput.optional() }),
    result: z.object({ released: z.array(Lock) }),
    retry: 'never',
  },
  /**
   * The person takes another peer's lock away: releases lock `lockId` whoever holds it. Only a
   * peer of kind `vscode-window` or `cli` (the person's editor or terminal) may; any other
   * fails `unauthorized`. Fails `notFound` when no live lock has that id. Emits `lock_released`
   * with reason `forced`, the caller as its `peer` and the caller's name in `by`. A holder that
   * is connected is sent an `alert` message from the caller saying so (`alerted: true`). Not
   * retried: a repeat of one that worked would report `notFound`.
   */
  'locks/forceRelease': {
    params: z.object({
      lockId: z.number().int(),
      /** Why, told to the holder in the alert. */
      reason: z.string().max(limits.reason).optional(),
    }),
    result: z.object({
      /** The lock as it was held. */
      released: Lock,
      /** Whether its holder was connected and sent an alert. */
      alerted: z.boolean(),
    }),
    retry: 'never',
  },
  /**
   * Records what the person chose when the editor warned before saving `path` over other
   * peers' claims `lockIds`: saved anyway, asked the holder to release, or cancelled. Emits
   * `save_guarded` naming the claims still held and their holders; ids of claims released or
   * expired meanwhile are left out, not an error. Not retried: a repeat would record it twice.
   */
  'locks/saveGuarded': {
    params: z.object({
      path: PathInput,
      lockIds: z.array(z.number().int()).min(1).max(limits.list),
      choice: SaveGuardChoice,
    }),
    result: Ok,
    retry: 'never',
  },
  /**
   * Extends by `ttlSeconds` (or the default) from now, in one transaction: the caller's lock
   * `lockId`, or its locks on `target` (a range: exactly that range; a file: every lock in it;
   * a folder: every lock under it), or with neither every lock it holds. Fails `notFound` when
   * that matches none of its live locks, `notHolder` when another peer holds it. Emits
   * `lock_renewed` per lock.
   */
  'locks/renew': {
    params: z.object({
      lockId: z.number().int().optional(),
      target: LockTarget.optional(),
      ttlSeconds: TtlInput.optional(),
    }).refine((p) => p.lockId === undefined || p.target === undefined, { message: 'give lockId or target, not both' }),
    result: z.object({ locks: z.array(Lock) }),
    retry: 'safe',
  },
  /**
   * An agent is about to change `ranges` of `path` (lines of the file as it is now; empty: the
   * whole file): the live claims of other peers that overlap them. With `claim`, when there is
   * no conflict, the caller also takes a claim on each range (re-taking one of its own renews
   * it), in the same transaction. Sent by hooks; a hook session that matched no peer may call
   * it without `claim` (every claim is then another's). With `asPerson` (a commit no agent
   * made), the person's own claims (editor windows, the terminal) are not conflicts. Emits
   * `lock_acquired` per claim taken.
   */
  'locks/guardEdit': {
    params: z.object({
      path: PathInput,
      ranges: z.array(z.object({ startLine: LineInput, endLine: LineInput })).max(limits.list),
      claim: z.object({ ttlSeconds: TtlInput, reason: z.string().max(limits.reason) }).optional(),
      asPerson: z.boolean().optional(),
    }),
    result: z.object({ conflicts: z.array(Lock), claimed: z.array(Lock) }),
    retry: 'safe',
  },
  /**
   * Locks that would conflict with acquiring `target` (the caller's own are left out), claims
   * on the same file in other worktrees of the same repository (`alsoClaimed`), and the other
   * peers' requests already waiting for it (`queued`): the target is free only when there are
   * neither conflicts nor queued requests, since an acquire now would queue behind them.
   */
  'locks/check': {
    params: z.object({ target: LockTarget }),
    result: z.object({
      conflicts: z.array(Lock),
      alsoClaimed: z.array(WorktreeClaim).optional(),
      /** Requests ahead of an acquire made now (its place would be `ahead` + 1), and the first one's holder name. */
      queued: z.object({ ahead: z.number().int(), first: z.string() }).optional(),
    }),
    retry: 'safe',
  },
  /**
   * The contents of `path` changed in an editor before it was saved: the ranged claims on it
   * follow their code (`lock_moved` per claim that moved). Either the whole new `text`, or the
   * `changes` made to the text whose content hash is `baseHash`, in order. `hash` is the content
   * hash of the result (see core/reanchor.ts `contentHash`): a change already seen (the same
   * save again, from the disk) is applied once. When the broker does not have the text
   * `baseHash` names, it answers `needText` and the editor sends the whole text. A file no
   * claim covers is ignored (`tracked: false`).
   */
  'locks/fileChanged': {
    params: z.object({
      path: PathInput,
      hash: z.string().max(128),
      text: z.string().optional(),
      baseHash: z.string().max(128).optional(),
      changes: z.array(TextChange).max(limits.textChanges).optional(),
    }).refine((p) => (p.text === undefined) !== (p.changes === undefined), { message: 'give the text or the changes, not both' })
      .refine((p) => p.changes === undefined || p.baseHash !== undefined, { message: 'changes need the baseHash of the text they change' }),
    result: z.object({
      /** Whether any ranged claim is on the file (only those files are followed). */
      tracked: z.boolean(),
      /** True when `changes` could not be applied: send the whole text. */
      needText: z.boolean().optional(),
      /** The claims that moved (or lost their code). */
      moved: z.array(Lock),
    }),
    retry: 'safe',
  },
  /**
   * Live locks of every peer, optionally under `path` (a file or folder, relative to the
   * caller's cwd) or held by `holder` (peer id or name).
   */
  'locks/list': {
    params: z.object({ path: PathInput.optional(), holder: z.string().max(limits.name).optional() }),
    result: z.object({ locks: z.array(Lock) }),
    retry: 'safe',
  },
});
