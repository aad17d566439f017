/**
 * Claiming and releasing from the editor: Lock File, Lock Selection, the lock / unlock toggle
 * of the keybinding, Unlock, Unlock All Mine, the Locks tree's Release, Request Release and
 * Force Release, and the language server's code actions run as the window (Claim these lines,
 * Wait for it). A conflict is not an error: it says who holds the lines, and offers to ask them
 * to let go.
 */
import * as vscode from 'vscode';
import { describeTarget, spansOverlap } from '../../core/paths';
import { followEdit, splitLines } from '../../core/reanchor';
import type { Lock } from '../../protocol/entities';
import type { LockRequest } from '../../protocol/requests/release';
import { BrokerError } from '../../protocol/errors';
import { limits } from '../../protocol/limits';
import type { LockTarget } from '../../protocol/requests/locks';
import { realPathOf } from '../decorations/lockedPaths';
import { inert } from '../messageText';
import { describeLines, formatTimeLeft, LockNode } from '../trees/locksTree';
import { clientOf, type ActionContext } from './context';
import { cancelled } from './prompts';

/** The file a command acts on: the explorer's or editor title's URI argument, else the active editor's. */
function fileOf(arg: unknown): string {
  const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
  if (!uri) throw new Error('open a file first, or pick one in the explorer');
  if (uri.scheme !== 'file') throw new Error(`only files on disk can be locked, not ${uri.scheme}: documents`);
  return realPathOf(uri.fsPath);
}

/** The active editor's selection as 1-based inclusive lines (a selection ending at column 0 leaves that line out). */
export function selectedLines(editor: vscode.TextEditor): { startLine: number; endLine: number } {
  const { start, end } = editor.selection;
  const last = end.line > start.line && end.character === 0 ? end.line - 1 : end.line;
  return { startLine: start.line + 1, endLine: last + 1 };
}

/**
 * The selected lines as the broker should read them. Claims follow the code, and the broker
 * starts following a file when its first ranged claim is taken, from the file on disk: in a
 * document with unsaved changes and no ranged claim yet, the selection is carried back to the
 * saved file's lines (this window then sends its text, and the claim comes forward with the
 * rest). Once the file is followed, the broker has this window's text and takes its lines as
 * they are. A selection of lines not saved yet cannot be claimed by the saved file's lines: the
 * person may save first.
 */
export async function linesToClaim(ctx: ActionContext, document: vscode.TextDocument, path: string, lines: { startLine: number; endLine: number }): Promise<{ startLine: number; endLine: number }> {
  const followed = ctx.model.locks.items.some((lock) => lock.path === path && lock.startLine !== null);
  if (!document.isDirty || followed) return lines;
  let saved: string;
  try {
    saved = new TextDecoder().decode(await vscode.workspace.fs.readFile(document.uri));
  } catch {
    return lines; // not on disk yet: its lines are the editor's
  }
  const [placed] = followEdit(splitLines(document.getText()), splitLines(saved), [lines]);
  if (!placed.lost && placed.endLine - placed.startLine === lines.endLine - lines.startLine) return { startLine: placed.startLine, endLine: placed.endLine };
  const choice = await ctx.prompts.notify('warning', `PeerMesh: ${describeLines(lines)} hold lines that are not saved yet. Save the file to claim them.`, {}, 'Save and Lock');
  if (choice !== 'Save and Lock' || !(await document.save())) cancelled();
  return lines;
}

function activeEditor(): vscode.TextEditor {
  const editor = vscode.window.activeTextEditor;
  if (!editor) throw new Error('open a file and select the lines to lock');
  if (editor.document.uri.scheme !== 'file') throw new Error('only files on disk can be locked');
  return editor;
}

export async function askReason(ctx: ActionContext, what: string): Promise<string> {
  const reason = await ctx.prompts.input({
    title: `Lock ${what}`,
    prompt: 'Why? Other agents see this (optional).',
    placeHolder: 'e.g. reworking the parser',
    validateInput: (value) => (value.length > limits.reason ? `At most ${limits.reason} characters.` : undefined),
  });
  return reason ?? cancelled();
}

/** Claims `target`; on a conflict, says who holds it and offers to message them. Returns the lock, or undefined on a conflict. */
export async function acquire(ctx: ActionContext, target: LockTarget, reason: string): Promise<Lock | undefined> {
  const client = clientOf(ctx.mesh);
  try {
    const { lock, renewed } = await client.request('locks/acquire', { target, reason });
    ctx.log.info(`[locks] this window ${renewed ? 'renewed' : 'locked'} ${describeTarget(lock)}`);
    void vscode.window.setStatusBarMessage(`$(lock) ${renewed ? 'Renewed' : 'Locked'} ${describeTarget(lock)}`, 4000);
    return lock;
  } catch (error) {
    if (!BrokerError.is(error, 'lockConflict')) throw error;
    const held = error.data?.lock as Lock | undefined;
    const holder = String(error.data?.holderName ?? 'another peer');
    const left = typeof error.data?.expiresInMs === 'number' ? `, ${formatTimeLeft(error.data.expiresInMs)}` : '';
    // `data.reason` is the error's own reason (lockConflict); the lock's is in `data.lock`.
    const why = held?.reason ? ` (${held.reason})` : '';
    const what = held ? describeTarget(held) : 'those lines';
    const choice = await ctx.prompts.notify('warning', inert(`PeerMesh: ${what} is locked by ${holder}${why}${left}.`), {}, requestReleaseButton);
    if (choice === requestReleaseButton && held) await askRelease(ctx, held);
    return undefined;
  }
}

export async function lockFile(ctx: ActionContext, arg?: unknown): Promise<Lock | undefined> {
  const path = fileOf(arg);
  const reason = await askReason(ctx, vscode.workspace.asRelativePath(path));
  return acquire(ctx, { path }, reason);
}

/** Claim these lines (the language server's code action on `uri`): as Lock Selection, for lines the person picked there. */
export async function claimLines(ctx: ActionContext, uri: vscode.Uri, lines: { startLine: number; endLine: number }): Promise<Lock | undefined> {
  if (uri.scheme !== 'file') throw new Error(`only files on disk can be locked, not ${uri.scheme}: documents`);
  const document = await vscode.workspace.openTextDocument(uri);
  const path = realPathOf(uri.fsPath);
  const reason = await askReason(ctx, `${vscode.workspace.asRelativePath(path)}, ${describeLines(lines)}`);
  return acquire(ctx, { path, ...await linesToClaim(ctx, document, path, lines) }, reason);
}

/**
 * Wait for it: queues for the lines of another peer's claim (the broker hands them over in
 * turn once they free), with a notification the person can cancel; says when they are the
 * window's, or that the wait ran out.
 */
export async function waitForLock(ctx: ActionContext, arg?: unknown): Promise<Lock | undefined> {
  const lock = lockArg(ctx, arg) ?? await pickOthersLock(ctx, 'Wait for…');
  const target = lock.startLine === null || lock.endLine === null ? { path: lock.path } : { path: lock.path, startLine: lock.startLine, endLine: lock.endLine };
  const what = describeTarget(lock);
  const title = inert(`Waiting for ${lock.holderName} to let go of ${what}…`);
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (_progress, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    try {
      const { lock: mine } = await clientOf(ctx.mesh).request('locks/acquire', { target, reason: 'waited for in the editor', waitMs: limits.waitMs }, { signal: abort.signal });
      ctx.log.info(`[locks] this window waited for and locked ${describeTarget(mine)}`);
      void ctx.prompts.notify('info', inert(`PeerMesh: ${describeTarget(mine)} is yours now.`), {});
      return mine;
    } catch (error) {
      if (BrokerError.is(error, 'cancelled')) cancelled();
      if (BrokerError.is(error, 'timeout')) throw new Error(`${lock.holderName} still holds ${what} after ${limits.waitMs / 60_000} minutes`, { cause: error });
      throw error;
    }
  });
}

export async function lockSelection(ctx: ActionContext): Promise<Lock | undefined> {
  const editor = activeEditor();
  const lines = selectedLines(editor);
  const path = realPathOf(editor.document.uri.fsPath);
  const reason = await askReason(ctx, `${vscode.workspace.asRelativePath(path)}, ${describeLines(lines)}`);
  return acquire(ctx, { path, ...await linesToClaim(ctx, editor.document, path, lines) }, reason);
}

/** The keybinding: releases this window's locks touching the selection, else locks the selection (no questions). */
export async function toggleSelectionLock(ctx: ActionContext): Promise<'locked' | 'released' | 'conflict'> {
  const editor = activeEditor();
  const lines = selectedLines(editor);
  const path = realPathOf(editor.document.uri.fsPath);
  const mine = ctx.model.ownLocks().filter((lock) => lock.path === path && spansOverlap(lock, lines));
  if (mine.length > 0) {
    await release(ctx, mine);
    return 'released';
  }
  return (await acquire(ctx, { path, ...await linesToClaim(ctx, editor.document, path, lines) }, '')) ? 'locked' : 'conflict';
}

/** Unlock: the locks given (a tree row), else the ones of this window touching the selection, else a pick among all of them. */
export async function unlock(ctx: ActionContext, arg?: unknown): Promise<Lock[]> {
  if (arg instanceof LockNode) return release(ctx, [arg.lock]);
  const mine = ctx.model.ownLocks();
  if (mine.length === 0) {
    void ctx.prompts.notify('info', 'PeerMesh: this window holds no locks.', {});
    return [];
  }
  const editor = vscode.window.activeTextEditor;
  const here = editor ? realPathOf(editor.document.uri.fsPath) : undefined;
  const touching = editor ? mine.filter((lock) => lock.path === here && spansOverlap(lock, selectedLines(editor))) : [];
  const items = mine.map((lock) => ({ label: `$(lock) ${inert(describeTarget(lock))}`, description: inert(lock.reason), picked: touching.includes(lock), lock }));
  const picked = await ctx.prompts.pickMany(items, { title: 'Unlock', placeHolder: 'The locks to release' });
  if (!picked || picked.length === 0) cancelled();
  return release(ctx, picked.map((item) => item.lock));
}

export async function unlockAllMine(ctx: ActionContext): Promise<Lock[]> {
  const { released } = await clientOf(ctx.mesh).request('locks/releaseAll', {});
  ctx.log.info(`[locks] this window released all its locks (${released.length})`);
  void vscode.window.setStatusBarMessage(`$(unlock) Released ${released.length === 1 ? '1 lock' : `${released.length} locks`}`, 4000);
  return released;
}

/** The lock a command was given: a Locks row, or `{ lockId }` from a hover's link. */
function lockArg(ctx: ActionContext, arg: unknown): Lock | undefined {
  if (arg instanceof LockNode) return arg.lock;
  const id = (arg as { lockId?: unknown } | undefined)?.lockId;
  if (typeof id !== 'number') return undefined;
  const lock = ctx.model.locks.items.find((l) => l.id === id);
  if (!lock) throw new Error('that lock has been released meanwhile');
  return lock;
}

/** The button that asks a lock's holder to let go, wherever the editor offers it. */
export const requestReleaseButton = 'Request Release';

/** Request Release on a lock row or hover, or on a lock the person picks. */
export async function requestRelease(ctx: ActionContext, arg?: unknown): Promise<LockRequest[]> {
  const lock = lockArg(ctx, arg) ?? await pickOthersLock(ctx, 'Ask the holder to release…');
  return askRelease(ctx, lock);
}

/** Asks the holder of `lock` to let go, with the reason the person gives; it answers release, deny or narrow. */
export async function askRelease(ctx: ActionContext, lock: Lock): Promise<LockRequest[]> {
  const reason = await ctx.prompts.input({
    title: inert(`Ask ${lock.holderName} to release ${describeTarget(lock)}`),
    prompt: 'Why you need it: the holder reads this',
    validateInput: (text) => (text.trim() ? undefined : 'Say why you need it'),
  });
  if (reason === undefined) cancelled();
  const { requests } = await clientOf(ctx.mesh).request('release/request', { lockId: lock.id, reason });
  ctx.log.info(`[locks] the person asked ${lock.holderName} to release ${describeTarget(lock)}`);
  void vscode.window.setStatusBarMessage(`$(bell) Asked ${inert(lock.holderName)} to release ${inert(describeTarget(lock))}`, 4000);
  return requests;
}

/** Force Release: another peer's lock, after a confirmation; the broker records who did it and tells the holder. */
export async function forceRelease(ctx: ActionContext, arg?: unknown): Promise<Lock | undefined> {
  const lock = lockArg(ctx, arg) ?? await pickOthersLock(ctx, 'Force-release…');
  const choice = await ctx.prompts.notify('warning', inert(`Force-release ${describeTarget(lock)}, held by ${lock.holderName}?`), {
    modal: true,
    detail: inert(`${lock.holderName} may be editing these lines right now${lock.reason ? ` (${lock.reason})` : ''}. It is told that you released its lock, and the mesh records it.`),
  }, 'Force Release');
  if (choice !== 'Force Release') cancelled();
  const { released } = await clientOf(ctx.mesh).request('locks/forceRelease', { lockId: lock.id, reason: 'released by the person from the editor' });
  ctx.log.info(`[locks] this window force-released ${describeTarget(lock)} held by ${lock.holderName}`);
  return released;
}

async function release(ctx: ActionContext, locks: readonly Lock[]): Promise<Lock[]> {
  const client = clientOf(ctx.mesh);
  const released: Lock[] = [];
  for (const lock of locks) {
    try {
      released.push(...(await client.request('locks/release', { lockId: lock.id })).released);
    } catch (error) {
      if (!BrokerError.is(error, 'notFound')) throw error; // expired meanwhile: already free
    }
  }
  ctx.log.info(`[locks] this window released ${released.map(describeTarget).join(', ') || 'nothing (already free)'}`);
  return released;
}

async function pickOthersLock(ctx: ActionContext, title: string): Promise<Lock> {
  const locks = ctx.model.othersLocks();
  if (locks.length === 0) throw new Error('no other peer holds a lock');
  const picked = await ctx.prompts.pick(
    locks.map((lock) => ({ label: `$(lock) ${inert(describeTarget(lock))}`, description: inert(lock.holderName), detail: inert(lock.reason) || undefined, lock })),
    { title, placeHolder: 'A lock another peer holds' },
  );
  return picked?.lock ?? cancelled();
}
