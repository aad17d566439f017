/**
 * Claims that follow the person's typing. For every open document of a file that carries a
 * ranged claim (anyone's), the edits VS Code reports are collected and sent to the broker a
 * moment after the burst ends, as one `locks/fileChanged`: the changes, the content hash of the
 * text they apply to and of the text they make. The broker moves the claims and says so
 * (`lock_moved`), and every view redraws from the refetched locks, before anything is saved.
 *
 * Undo, redo, a revert and a reload from disk (VS Code reloads an unmodified document when an
 * agent writes the file) are content changes like any other. The broker keys texts by content
 * hash, so the same change arriving again from the disk watcher is applied once.
 *
 * A document with unsaved edits when its file becomes followed sends its whole text at once:
 * the claim was taken on the file as saved, and its code may already sit elsewhere in the
 * editor. So does every unsaved followed document when another broker takes over (it knows no
 * editor's text). Should the broker still not know the text a report starts from, it answers
 * `needText` and the whole text goes instead. Documents of files without ranged claims send
 * nothing.
 */
import * as vscode from 'vscode';
import { taggedLogger, type Logger } from '../../core/logger';
import { contentHash } from '../../core/reanchor';
import type { Lock } from '../../protocol/entities';
import { limits } from '../../protocol/limits';
import type { TextChange } from '../../protocol/requests/locks';
import { realPathOf } from '../decorations/lockedPaths';
import { Disposable } from '../dispose';
import { debounceMs } from '../timing';
import { fitsInFrame, followedPaths, PendingEdits, type FileChangedParams } from '../../client/edit-reports';
import type { MeshConnection } from './meshConnection';
import type { ListModel } from './meshModel';

/** One followed document. */
interface Followed {
  readonly document: vscode.TextDocument;
  /** Real path of its file, as the broker names it. */
  readonly path: string;
  readonly edits: PendingEdits;
  timer?: NodeJS.Timeout;
  /** A report is on its way: the next waits for its answer, so the broker gets them in order. */
  sending: boolean;
  /** The whole text is to go next, instead of the changes (which it includes). */
  textDue: boolean;
  /** The whole text was once too large to send (said once in the log). */
  tooLarge?: boolean;
}

export class EditReporter extends Disposable {
  /** Followed documents by URI. */
  private readonly followed = new Map<string, Followed>();
  private paths = new Set<string>();
  private readonly log: Logger;

  constructor(
    private readonly mesh: MeshConnection,
    private readonly locks: ListModel<Lock>,
    log: Logger,
  ) {
    super();
    this.log = taggedLogger(log, 'follow');
    locks.onDidChange(this.onLocksChanged, this, this.subscriptions);
    vscode.workspace.onDidOpenTextDocument(this.follow, this, this.subscriptions);
    vscode.workspace.onDidCloseTextDocument((document) => this.unfollow(document.uri.toString()), undefined, this.subscriptions);
    vscode.workspace.onDidChangeTextDocument(this.onDidChange, this, this.subscriptions);
    // Changes collected while the window was out of the mesh go once it is back.
    mesh.onDidChangeState((state) => {
      if (state.kind === 'connected') for (const followed of this.followed.values()) this.schedule(followed);
    }, undefined, this.subscriptions);
    mesh.onDidChangeBroker(() => {
      for (const followed of this.followed.values()) if (followed.document.isDirty) this.sendTextSoon(followed);
    }, undefined, this.subscriptions);
    this.register({ dispose: () => { for (const key of [...this.followed.keys()]) this.unfollow(key); } });
    this.onLocksChanged();
  }

  /** URIs of the documents whose edits are reported now, for the tests inside VS Code. */
  get followedDocuments(): string[] {
    return [...this.followed.keys()];
  }

  private onLocksChanged(): void {
    this.paths = followedPaths(this.locks.items);
    for (const [key, followed] of this.followed) if (!this.paths.has(followed.path)) this.unfollow(key);
    for (const document of vscode.workspace.textDocuments) this.follow(document);
  }

  /** Starts following `document` if its file carries a ranged claim and it is not followed yet. */
  private follow(document: vscode.TextDocument): void {
    if (document.uri.scheme !== 'file' || document.isClosed || this.paths.size === 0) return;
    const key = document.uri.toString();
    if (this.followed.has(key)) return;
    const path = realPathOf(document.uri.fsPath);
    if (!this.paths.has(path)) return;
    // The text as it is now is what the first report's changes apply to.
    const followed: Followed = { document, path, edits: new PendingEdits(contentHash(document.getText())), sending: false, textDue: false };
    this.followed.set(key, followed);
    if (document.isDirty) this.sendTextSoon(followed);
  }

  private sendTextSoon(followed: Followed): void {
    followed.textDue = true;
    this.schedule(followed);
  }

  private unfollow(key: string): void {
    const followed = this.followed.get(key);
    if (!followed) return;
    clearTimeout(followed.timer);
    this.followed.delete(key);
  }

  private onDidChange(event: vscode.TextDocumentChangeEvent): void {
    if (event.contentChanges.length === 0) return; // only the dirty state changed
    const followed = this.followed.get(event.document.uri.toString());
    if (!followed) return;
    followed.edits.add(event.contentChanges.map(toTextChange));
    this.schedule(followed);
  }

  private schedule(followed: Followed): void {
    if (followed.timer || !hasNews(followed) || this.isDisposed) return;
    followed.timer = setTimeout(() => {
      followed.timer = undefined;
      void this.report(followed);
    }, debounceMs.edits);
  }

  /** Sends what was collected, or the whole text when it is due or the broker asks for it. */
  private async report(followed: Followed): Promise<void> {
    const client = this.mesh.client;
    if (followed.sending || !hasNews(followed) || !client || !this.isFollowed(followed)) return;
    followed.sending = true;
    try {
      if (followed.textDue) {
        await this.sendText(followed);
        return;
      }
      const text = followed.document.getText();
      const report = followed.edits.take(followed.path, contentHash(text));
      // Background: the window keeping claims in place is not the person acting in the mesh.
      const sendable = fitsInFrame(report) && (report.changes?.length ?? 0) <= limits.textChanges;
      const answer = sendable ? await client.request('locks/fileChanged', report, { background: true }) : { needText: true };
      if (answer.needText && this.isFollowed(followed)) await this.sendText(followed);
    } catch (error) {
      // The broker may not have what was lost: the whole text goes next time.
      followed.textDue = true;
      this.log.warn(`reporting the edits of ${followed.path} failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      followed.sending = false;
      this.schedule(followed);
    }
  }

  /** The document's whole text as it is now (edits collected meanwhile included), unless it is too large to send. */
  private async sendText(followed: Followed): Promise<void> {
    const text = followed.document.getText();
    const report: FileChangedParams = { path: followed.path, hash: contentHash(text), text };
    followed.edits.restart(report.hash);
    followed.textDue = false;
    if (!fitsInFrame(report)) {
      if (!followed.tooLarge) this.log.info(`${followed.path} is too large to send whole: its claims follow its edits once they are saved`);
      followed.tooLarge = true;
      return;
    }
    await this.mesh.client?.request('locks/fileChanged', report, { background: true });
  }

  private isFollowed(followed: Followed): boolean {
    return this.followed.get(followed.document.uri.toString()) === followed;
  }
}

/** Whether `followed` has anything to send. */
function hasNews(followed: Followed): boolean {
  return followed.textDue || !followed.edits.isEmpty;
}

/** VS Code's change, as the protocol's plain object (a `vscode.Range` serializes as an array). */
function toTextChange({ range, text }: vscode.TextDocumentContentChangeEvent): TextChange {
  return {
    range: {
      start: { line: range.start.line, character: range.start.character },
      end: { line: range.end.line, character: range.end.character },
    },
    text,
  };
}
