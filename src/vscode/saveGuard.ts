/**
 * The save guard: keeps the person from saving over lines another peer has claimed without
 * knowing it. VS Code cannot be asked to hold or cancel a save (a will-save participant times
 * out after about 1.5 s, and a rejected `waitUntil` does not stop the save: microsoft/vscode
 * #216676), so the guard works in two places:
 *
 * - **Ctrl+S / Cmd+S** in a file another peer holds claims in runs {@link SaveGuard.save}
 *   instead of VS Code's save (the keybinding's `when` reads {@link contextKeys}, kept here).
 *   It diffs the document against the file on disk and, when a changed line falls in another
 *   peer's claim, asks first: Save Anyway, Request Release (not saved), or Cancel. The choice
 *   is recorded in the mesh (`locks/saveGuarded`; asking the holder to release is recorded `requested`) and logged, without the file's contents. A
 *   save that touches no claimed line goes through without a word.
 * - **Typing**: autosave and menu saves cannot be stopped, so the first edit that touches a
 *   claim warns (once per claim while the document is open), without blocking anything.
 */
import * as vscode from 'vscode';
import { describeTarget } from '../core/paths';
import type { Lock } from '../protocol/entities';
import type { ActionContext } from './actions/context';
import { askRelease, requestReleaseButton } from './actions/lockActions';
import { changedLines, describeSpans, editedLines, listNames, spansInside, touchedLocks, type LineSpan } from './changedLines';
import { isCancellation } from './commands';
import type { Config } from './config';
import { realPathOf } from './decorations/lockedPaths';
import { Disposable } from './dispose';
import { commandIds, contextKeys, focusViewCommand, viewIds } from './ids';
import { inert } from './messageText';
import { describeLines, LockNode } from './trees/locksTree';

/** What the person chose when warned (as `locks/saveGuarded` records it). */
type GuardChoice = 'saved' | 'requested' | 'cancelled';

/** What the guard decided for one save (the answer of `peermesh._test.saveGuard`). */
export interface SaveGuardDecision {
  /** Real path of the file. */
  readonly path: string;
  /** The other peers' locks that the lines changed since the last save fall in. */
  readonly lockIds: readonly number[];
  /** What the person chose; `no-conflict` when the save touched no claim and nothing was asked. */
  readonly choice: GuardChoice | 'no-conflict';
}

/** How the log tells each choice. */
const outcomes: Record<GuardChoice, string> = {
  saved: 'the person saved anyway',
  requested: 'the person asked the holder to release instead of saving',
  cancelled: 'the person cancelled the save',
};

/** How long after a clean document's edit its dirty state is looked at (see `onDidEdit`). */
const dirtyStateSettleMs = 100;

const saveAnyway = 'Save Anyway';
const showInLocks = 'Show in Locks';

export class SaveGuard extends Disposable {
  /** Other peers' locks by real path, rebuilt when the locks change; edits look here first. */
  private othersByPath = new Map<string, Lock[]>();
  /** Per open document (its URI), the locks its edits have already warned about. */
  private readonly warned = new Map<string, Set<number>>();
  /** Guarded saves under way, by document URI: a second Ctrl+S joins the first. */
  private readonly saving = new Map<string, Promise<SaveGuardDecision | undefined>>();
  private hasClaims = false;
  private last: SaveGuardDecision | undefined;

  constructor(private readonly ctx: ActionContext, private readonly config: Config) {
    super();
    ctx.model.locks.onDidChange(this.onLocksChanged, this, this.subscriptions);
    vscode.window.onDidChangeActiveTextEditor(this.updateContextKey, this, this.subscriptions);
    vscode.workspace.onDidChangeTextDocument(this.onDidEdit, this, this.subscriptions);
    vscode.workspace.onDidCloseTextDocument((document) => this.warned.delete(document.uri.toString()), undefined, this.subscriptions);
    this.onLocksChanged();
  }

  /** Whether the active editor shows a file another peer holds a claim in (the context key's value). */
  get editorHasOthersClaims(): boolean {
    return this.hasClaims;
  }

  /** The decision of the last guarded save, for the tests inside VS Code. */
  get lastDecision(): SaveGuardDecision | undefined {
    return this.last;
  }

  /**
   * Saves the active document, first asking the person if the lines changed since the last
   * save fall in another peer's claim. Returns the decision; undefined when the guard did not
   * look (it is off, or the document is not a file on disk). Compared with the file on disk,
   * the changes include an agent's edits made there since, which the save would overwrite.
   */
  async save(): Promise<SaveGuardDecision | undefined> {
    const document = vscode.window.activeTextEditor?.document;
    if (!document || document.uri.scheme !== 'file') {
      // No file on disk to guard: VS Code's own save (Save As for an untitled document).
      await vscode.commands.executeCommand('workbench.action.files.save');
      return undefined;
    }
    const key = document.uri.toString();
    const pending = this.saving.get(key);
    if (pending) return pending;
    const saved = this.guard(document).finally(() => this.saving.delete(key));
    this.saving.set(key, saved);
    return saved;
  }

  private async guard(document: vscode.TextDocument): Promise<SaveGuardDecision | undefined> {
    if (!this.config.get('saveGuard')) {
      await this.write(document);
      return undefined;
    }
    const path = realPathOf(document.uri.fsPath);
    const locks = this.othersByPath.get(path) ?? [];
    const changed = locks.length > 0 && document.isDirty ? await changedLines(await this.savedText(document), document.getText()) : [];
    const touched = touchedLocks(locks, changed);
    if (touched.length === 0) {
      await this.write(document);
      return this.decided({ path, lockIds: [], choice: 'no-conflict' });
    }

    const choice = await this.ask(document, touched, changed);
    const lockIds = touched.map((lock) => lock.id);
    const claims = touched.map((lock) => `${describeTarget(lock)} (${lock.holderName})`).join(', ');
    this.ctx.log.info(`[save-guard] ${vscode.workspace.asRelativePath(document.uri)}: the changes since the last save (${describeSpans(changed)}) touch ${claims}; ${outcomes[choice]}`);
    await this.record(path, lockIds, choice);
    return this.decided({ path, lockIds, choice });
  }

  /** The modal warning, and what the person chose: saved (and saved), asked the first holder to release, or cancelled. */
  private async ask(document: vscode.TextDocument, touched: readonly Lock[], changed: readonly LineSpan[]): Promise<GuardChoice> {
    const file = vscode.workspace.asRelativePath(document.uri);
    const holders = [...new Set(touched.map((lock) => lock.holderName))];
    const detail = touched.map((lock) => {
      const why = lock.reason ? ` (${lock.reason})` : '';
      return `${lock.holderName} holds ${heldPart(lock, file)}${why}; you changed ${describeSpans(spansInside(lock, changed))} there.`;
    }).join('\n');
    const message = `Save ${file}? Your changes touch lines that ${listNames(holders)} locked.`;
    const answer = await this.ctx.prompts.notify('warning', inert(message), { modal: true, detail: inert(detail) }, saveAnyway, requestReleaseButton);
    if (answer === saveAnyway) return (await this.write(document)) ? 'saved' : 'cancelled';
    if (answer !== requestReleaseButton) return 'cancelled';
    const [lock] = touched;
    try {
      await askRelease(this.ctx, lock);
      return 'requested';
    } catch (error) {
      if (isCancellation(error)) return 'cancelled'; // dismissed the message box: nothing sent, nothing saved
      throw error;
    }
  }

  /** The text of the file on disk, decoded as the document was; empty when it is gone or unreadable. */
  private async savedText(document: vscode.TextDocument): Promise<string> {
    try {
      return await vscode.workspace.decode(await vscode.workspace.fs.readFile(document.uri), { encoding: document.encoding });
    } catch (error) {
      this.ctx.log.debug(`[save-guard] could not read ${document.uri.fsPath} (${describe(error)}); every line counts as changed`);
      return '';
    }
  }

  /** Saves; false when VS Code did not (a newer file on disk, a write error it showed itself). */
  private async write(document: vscode.TextDocument): Promise<boolean> {
    if (await document.save() || !document.isDirty) return true;
    this.ctx.log.warn(`[save-guard] VS Code did not save ${document.uri.fsPath}`);
    return false;
  }

  /** Tells the mesh what the person chose; a failure is logged, never in the way of the save. */
  private async record(path: string, lockIds: number[], choice: GuardChoice): Promise<void> {
    const client = this.ctx.mesh.client;
    if (!client) {
      this.ctx.log.warn('[save-guard] not in the mesh: the choice was not recorded');
      return;
    }
    try {
      await client.request('locks/saveGuarded', { path, lockIds, choice });
    } catch (error) {
      this.ctx.log.warn(`[save-guard] recording the choice failed: ${describe(error)}`);
    }
  }

  private decided(decision: SaveGuardDecision): SaveGuardDecision {
    this.last = decision;
    return decision;
  }

  private onLocksChanged(): void {
    const byPath = new Map<string, Lock[]>();
    for (const lock of this.ctx.model.othersLocks()) byPath.set(lock.path, [...(byPath.get(lock.path) ?? []), lock]);
    this.othersByPath = byPath;
    this.updateContextKey();
  }

  private updateContextKey(): void {
    const document = vscode.window.activeTextEditor?.document;
    const has = document !== undefined && this.othersLocksIn(document).length > 0;
    if (has === this.hasClaims) return;
    this.hasClaims = has;
    void vscode.commands.executeCommand('setContext', contextKeys.editorHasOthersClaims, has);
  }

  private othersLocksIn(document: vscode.TextDocument): readonly Lock[] {
    if (this.othersByPath.size === 0 || document.uri.scheme !== 'file') return [];
    return this.othersByPath.get(realPathOf(document.uri.fsPath)) ?? [];
  }

  /** On every keystroke: a map lookup; in a file with claims not yet warned about, a range check per change. */
  private onDidEdit(event: vscode.TextDocumentChangeEvent): void {
    const { document } = event;
    if (event.contentChanges.length === 0) return; // only the dirty state changed
    if (this.unwarnedLocksIn(document).length === 0) return;
    const edited = event.contentChanges.map(({ range, text }) => editedLines(range.start, range.end, text));
    if (document.isDirty) {
      this.warnIfTouched(document, edited);
      return;
    }
    // Either the person's first edit, which VS Code reports before it marks the document dirty
    // (microsoft/vscode#27231), or a reload from disk (an agent wrote the file), which leaves
    // it clean and is not the person's edit. The dirty state tells them apart a moment later.
    setTimeout(() => {
      if (document.isDirty && !this.isDisposed) this.warnIfTouched(document, edited);
    }, dirtyStateSettleMs);
  }

  private warnIfTouched(document: vscode.TextDocument, edited: readonly LineSpan[]): void {
    const touched = touchedLocks(this.unwarnedLocksIn(document), edited);
    if (touched.length === 0 || !this.config.get('saveGuard')) return;
    const key = document.uri.toString();
    const warned = this.warned.get(key) ?? new Set<number>();
    for (const lock of touched) warned.add(lock.id);
    this.warned.set(key, warned);
    for (const lock of touched) {
      this.warnWhileTyping(document, lock).catch((error: unknown) => this.ctx.log.warn(`[save-guard] the warning while typing failed: ${describe(error)}`));
    }
  }

  /** Other peers' locks in `document` that its edits have not warned about yet. */
  private unwarnedLocksIn(document: vscode.TextDocument): readonly Lock[] {
    const locks = this.othersLocksIn(document);
    const warned = locks.length > 0 ? this.warned.get(document.uri.toString()) : undefined;
    return warned ? locks.filter((lock) => !warned.has(lock.id)) : locks;
  }

  private async warnWhileTyping(document: vscode.TextDocument, lock: Lock): Promise<void> {
    const file = vscode.workspace.asRelativePath(document.uri);
    const why = lock.reason ? ` (${lock.reason})` : '';
    this.ctx.log.info(`[save-guard] an edit in ${file} touches ${describeTarget(lock)}, held by ${lock.holderName}; warned`);
    // Another peer's name and reason: inert, so no link or icon syntax comes alive in the notification.
    const answer = await this.ctx.prompts.notify('warning', inert(`${lock.holderName} holds ${heldPart(lock, file)}${why}. Your edits here may collide.`), {}, requestReleaseButton, showInLocks);
    // Through the commands, so a failure is reported as any command's is.
    if (answer === requestReleaseButton) await vscode.commands.executeCommand(commandIds.requestRelease, new LockNode(lock, false, this.ctx.model.peer(lock.holder)));
    if (answer === showInLocks) await vscode.commands.executeCommand(focusViewCommand(viewIds.locks));
  }
}

/** "app.ts lines 3–5", "app.ts line 7", "all of app.ts". */
function heldPart(lock: Lock, file: string): string {
  return lock.startLine === null ? `all of ${file}` : `${file} ${describeLines(lock)}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
