/**
 * Claims that follow the code they cover (see reanchor.ts for the rules of one move).
 *
 * The broker keeps, in memory, the last text it saw of every file that carries a ranged claim,
 * and watches the files' folders. When a file's text changes — on disk (any program's edit,
 * a branch switch) or in an editor before it is saved (`locks/fileChanged`) — every ranged
 * claim on it is moved by diffing the two texts, in one transaction, with a `lock_moved`
 * event per claim that moved or lost its code. Changes are keyed by content hash, so a save
 * that reaches the broker twice (from the editor, then from the disk) applies once.
 *
 * Durably, each claim keeps what it remembers of its code (`locks.anchor`), written with every
 * move: a broker that starts (after a restart or a fail-over) has no earlier text to diff
 * against, so it re-finds each claim's code in the file as it is from that.
 *
 * Before any rule reads claimed ranges (an acquire, a check, an edit guard) the file is brought
 * up to date, so a claim made right after an edit never meets ranges from before it.
 */
import path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { BrokerError } from '../protocol/errors';
import type { Lock } from '../protocol/entities';
import type { TextChange } from '../protocol/requests/locks';
import type { MeshContext, MeshTx } from './context';
import type { FileAccess, FileStamp } from './files';
import { eventData, toLock, type LockRow } from './lock-rows';
import type { NormalizedTarget } from './paths';
import { printable } from './printable';
import { anchorOf, contentHash, followEdit, relocate, splitLines, type Anchor, type LineRange, type Placement } from './reanchor';
import { followSymbols } from './symbol-claims';
import { resolveSymbol } from './symbols';

/** Larger files are not followed: their claims keep their lines (one read of them per edit would cost too much). */
export const followedFileBytes = 8 * 1024 * 1024;

/** How long a burst of changes to one file is gathered before the file is read, in ms. */
export const settleMs = 40;

/**
 * The last text seen of a followed file (from the disk or an editor), and the file's stamp on
 * disk when the disk was last read: while the person types, the text is the editor's and the
 * disk has not changed since.
 */
interface Seen {
  hash: string;
  text: string;
  disk?: FileStamp;
  /**
   * Set while the text is an editor's unsaved text: the peer (the person's window) whose editor
   * it is, and the file's text on disk (when known). Claims are then in the editor's numbering;
   * other peers, who read the file from disk, name lines in the disk's.
   */
  editor?: { peer: string; diskText?: string };
}

export interface EditorChange {
  hash: string;
  text?: string;
  baseHash?: string;
  changes?: readonly TextChange[];
}

export class ClaimAnchors {
  private readonly seen = new Map<string, Seen>();
  /** The files followed (those with a ranged claim), and one watch per folder holding any. */
  private readonly followedFiles = new Set<string>();
  private readonly watches = new Map<string, { close(): void }>();
  private readonly settling = new Map<string, NodeJS.Timeout>();
  private disposed = false;

  constructor(
    private readonly ctx: MeshContext,
    private readonly files: FileAccess,
    /** Claims moved on `path`: waiters for it may go now. */
    private readonly moved: (path: string) => void,
  ) {}

  /**
   * Re-finds every ranged claim's code in its file as it is now, and starts following the
   * files: the broker may have been down while they were edited.
   */
  async start(): Promise<void> {
    const now = this.ctx.clock.now();
    await this.ctx.tx(async (t) => {
      const rows = await t.db.all<LockRow>('SELECT * FROM locks WHERE start_line IS NOT NULL AND expires_at > ? ORDER BY path, id', [now]);
      for (const file of new Set(rows.map((r) => r.path))) {
        // An editor that reported its unsaved text first has the newer word.
        const seen = this.seen.get(file)?.editor ? undefined : this.fromDisk(file);
        if (seen) await this.moveClaims(t, file, rows.filter((r) => r.path === file), seen);
        t.whenCommitted(`anchors.follow.${file}`, () => this.follow(file));
      }
    });
  }

  /**
   * Inside the transaction that granted (or re-took) a ranged claim: remembers the code it covers
   * now, clears a lost anchor, and follows its file from then on.
   */
  async claimed(t: MeshTx, lock: Lock): Promise<Lock> {
    if (lock.startLine === null || lock.endLine === null) return lock;
    const seen = this.seen.get(lock.path) ?? this.fromDisk(lock.path);
    const anchor = seen ? JSON.stringify(anchorOf(splitLines(seen.text), lock as LineRange)) : null;
    await t.db.run('UPDATE locks SET anchor = ?, anchor_lost = 0, symbol_blocked = 0 WHERE id = ?', [anchor, lock.id]);
    t.whenCommitted(`anchors.follow.${lock.path}`, () => this.follow(lock.path));
    const { anchorLost: _gone, symbolBlocked: _blocked, ...found } = lock;
    return found;
  }

  /**
   * `target`'s symbol (if it names one) resolved to the lines it spans now, in the numbering claims on the file
   * are in (an editor's unsaved text, when one has reported it): inside the transaction that
   * takes or checks the claim. `notFound` when the file cannot be read.
   */
  async symbolLines(t: MeshTx, target: NormalizedTarget): Promise<NormalizedTarget> {
    if (target.symbol === undefined) return target;
    await this.current(t, target.path);
    const text = this.seen.get(target.path)?.text ?? this.readText(target.path);
    if (text === null) throw new BrokerError('notFound', `cannot read ${printable(target.relPath)} to find ${printable(target.symbol)} in it`);
    const found = await resolveSymbol(target.path, target.relPath, text, target.symbol);
    return { ...target, startLine: found.startLine, endLine: found.endLine };
  }

  /**
   * Brings the claims on `file` up to date with the disk before a rule reads them: a no-op for a
   * file that is not followed or whose stamp on disk is the one last read.
   */
  async current(t: MeshTx, file: string): Promise<void> {
    if (!this.followed(file)) return;
    // Its folder may not have existed when the claim was taken.
    if (!this.watches.has(path.dirname(file))) this.watch(path.dirname(file));
    const stamp = this.files.stat(file);
    const disk = this.seen.get(file)?.disk;
    if (!stamp || (disk && disk.size === stamp.size && disk.mtimeMs === stamp.mtimeMs)) return;
    await this.reread(t, file);
  }

  /** `locks/fileChanged`: the text of `file` in an editor changed before it was saved. */
  async editorChanged(caller: string, file: string, change: EditorChange): Promise<{ tracked: boolean; needText?: boolean; moved: Lock[] }> {
    let text = change.text;
    if (text === undefined) {
      const seen = this.seen.get(file);
      if (!seen || seen.hash !== change.baseHash) return { tracked: this.followed(file), ...(this.followed(file) && { needText: true }), moved: [] };
      text = applyChanges(seen.text, change.changes ?? []);
    }
    if (contentHash(text) !== change.hash) {
      if (change.text !== undefined) throw new BrokerError('invalidInput', 'hash is not the content hash of text');
      // The changes did not make the text the editor has: start again from its whole text.
      return { tracked: true, needText: true, moved: [] };
    }
    const body = text;
    const moved = await this.ctx.tx((t) => this.changed(t, file, { text: body, editor: caller }));
    return { tracked: this.followed(file), moved };
  }

  /**
   * `span` of `file` as `caller` named it, in the numbering claims on the file are in: while
   * another peer's editor has unsaved changes, the caller (an agent, the terminal) read the
   * file from disk, so its lines are carried through the difference.
   */
  inClaimLines<S extends { startLine: number | null; endLine: number | null }>(file: string, caller: string, span: S): S {
    const editor = this.seen.get(file)?.editor;
    if (span.startLine === null || span.endLine === null || !editor || editor.peer === caller || editor.diskText === undefined) return span;
    const [to] = followEdit(splitLines(editor.diskText), splitLines(this.seen.get(file)!.text), [{ startLine: span.startLine, endLine: span.endLine }]);
    return to.lost ? span : { ...span, startLine: to.startLine, endLine: to.endLine };
  }

  /** After a claim on `file` went: stops following the file once no ranged claim is left on it. */
  async released(file: string): Promise<void> {
    if (!this.followed(file)) return;
    const left = await this.ctx.tx((t) => this.rangedOn(t, file));
    if (left.length === 0) this.unfollow(file);
  }

  dispose(): void {
    this.disposed = true;
    for (const timer of this.settling.values()) clearTimeout(timer);
    this.settling.clear();
    for (const watch of this.watches.values()) watch.close();
    this.watches.clear();
    this.followedFiles.clear();
    this.seen.clear();
  }

  /** The file's text changed (or may have): moves its claims; returns those that moved. */
  private async changed(t: MeshTx, file: string, next: { text: string; disk?: FileStamp; editor?: string }): Promise<Lock[]> {
    const rows = await this.rangedOn(t, file);
    if (rows.length === 0) {
      t.whenCommitted(`anchors.unfollow.${file}`, () => this.unfollow(file));
      return [];
    }
    const hash = contentHash(next.text);
    const before = this.seen.get(file);
    const disk = next.disk ?? before?.disk;
    // An editor's text keeps the disk's beside it (the disk's as last read, if it was); a text
    // read from the disk is both.
    const diskText = before && (before.editor ? before.editor.diskText : before.text);
    const editor = next.editor !== undefined && { editor: { peer: next.editor, ...(diskText !== undefined && { diskText }) } };
    this.seen.set(file, { hash, text: next.text, ...(disk && { disk }), ...editor });
    if (before?.hash === hash) return [];
    return this.moveClaims(t, file, rows, { hash, text: next.text }, before);
  }

  /**
   * Moves `rows` (the ranged claims on `file`) to where their code is in `now`: by diffing
   * against `before` when the broker has it, else from what each claim remembers.
   */
  private async moveClaims(t: MeshTx, file: string, rows: readonly LockRow[], now: Pick<Seen, 'hash' | 'text'>, before?: Pick<Seen, 'text'>): Promise<Lock[]> {
    const lines = splitLines(now.text);
    const ranges = rows.map((r) => ({ startLine: r.start_line!, endLine: r.end_line! }));
    const placed: Placement[] = before
      ? followEdit(splitLines(before.text), lines, ranges)
      : rows.map((r, i) => (r.anchor ? relocate(JSON.parse(r.anchor) as Anchor, ranges[i], lines) : { ...ranges[i], lost: false }));
    // A lost claim keeps the anchor of the code it lost: that code may come back (an undo, the
    // second half of a cut and paste), and then the claim is where it is again.
    const diffed = rows.map((row, i) => {
      const back = row.anchor_lost !== 0 && row.anchor ? relocate(JSON.parse(row.anchor) as Anchor, ranges[i], lines) : undefined;
      return back && !back.lost ? back : back ? { ...placed[i], lost: true } : placed[i];
    });
    // Symbol claims are placed by their symbol instead, where it can be found (symbol-claims.ts).
    const final = await followSymbols(file, now.text, rows, diffed);
    const moved: Lock[] = [];
    for (const [i, row] of rows.entries()) {
      const { blocked, ...to } = final[i];
      const lost = to.lost;
      const anchor = lost ? row.anchor : JSON.stringify(anchorOf(lines, to));
      const shifted = to.startLine !== row.start_line || to.endLine !== row.end_line || lost !== (row.anchor_lost !== 0) || blocked !== (row.symbol_blocked !== 0);
      // Rows that did not change are not written: while the person types, this runs every few
      // keystrokes, and every write goes to the journal.
      if (!shifted && anchor === row.anchor) continue;
      await t.db.run('UPDATE locks SET start_line = ?, end_line = ?, anchor = ?, anchor_lost = ?, symbol_blocked = ? WHERE id = ?',
        [to.startLine, to.endLine, anchor, lost ? 1 : 0, blocked ? 1 : 0, row.id]);
      if (!shifted) continue;
      const lock = toLock({ ...row, start_line: to.startLine, end_line: to.endLine, anchor_lost: lost ? 1 : 0, symbol_blocked: blocked ? 1 : 0 });
      await t.emit('lock_moved', row.holder, { ...eventData(lock), from: ranges[i], anchorLost: lost, ...(blocked && { symbolBlocked: true }) });
      moved.push(lock);
    }
    if (moved.length > 0) t.whenCommitted(`anchors.moved.${file}`, () => this.moved(file));
    return moved;
  }

  private rangedOn(t: MeshTx, file: string): Promise<LockRow[]> {
    return t.db.all<LockRow>('SELECT * FROM locks WHERE path = ? AND start_line IS NOT NULL AND expires_at > ? ORDER BY id', [file, this.ctx.clock.now()]);
  }

  /** The file as it is on disk, remembered as the last text seen of it; undefined if it cannot be read. */
  private fromDisk(file: string): Seen | undefined {
    const disk = this.files.stat(file);
    const text = this.readText(file);
    if (text === null) return undefined;
    const seen = { hash: contentHash(text), text, ...(disk && { disk }) };
    this.seen.set(file, seen);
    return seen;
  }

  /** Reads the file from disk and moves its claims if its text changed. */
  private async reread(t: MeshTx, file: string): Promise<void> {
    const disk = this.files.stat(file);
    const text = this.readText(file);
    // A file deleted (or grown too large) keeps its claims where they are: it may come back.
    if (text !== null) await this.changed(t, file, { text, ...(disk && { disk }) });
  }

  /** The file's text without a byte-order mark (an editor reports it without one), or null. */
  private readText(file: string): string | null {
    const text = this.files.read(file, followedFileBytes);
    return text !== null && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  private followed(file: string): boolean {
    return this.followedFiles.has(file);
  }

  private follow(file: string): void {
    if (this.disposed) return;
    this.followedFiles.add(file);
    if (!this.watches.has(path.dirname(file))) this.watch(path.dirname(file));
  }

  /** Watches `dir` for the followed files in it; a folder that cannot be watched yet is tried again on the next request. */
  private watch(dir: string): void {
    const opened = this.files.watch(dir, (changed) => this.heard(dir, changed), (e) => {
      this.ctx.log.warn(`stopped following edits in ${dir}: ${e.message}`);
      this.watches.get(dir)?.close();
      this.watches.delete(dir);
    });
    if (opened) this.watches.set(dir, opened);
  }

  private unfollow(file: string): void {
    this.seen.delete(file);
    this.followedFiles.delete(file);
    const dir = path.dirname(file);
    if ([...this.followedFiles].some((f) => path.dirname(f) === dir)) return;
    this.watches.get(dir)?.close();
    this.watches.delete(dir);
  }

  /** A file in `dir` changed on disk (`null`: the system could not say which): read it once the burst settles. */
  private heard(dir: string, changed: string | null): void {
    const files = [...this.followedFiles].filter((f) => path.dirname(f) === dir);
    for (const file of changed === null ? files : files.includes(changed) ? [changed] : []) {
      clearTimeout(this.settling.get(file));
      this.settling.set(file, setTimeout(() => {
        this.settling.delete(file);
        void this.settled(file);
      }, settleMs).unref());
    }
  }

  private async settled(file: string): Promise<void> {
    if (this.disposed) return;
    try {
      await this.ctx.tx((t) => this.reread(t, file));
    } catch (e) {
      this.ctx.log.error(e instanceof Error ? e : String(e));
    }
  }
}

/** `text` after `changes`, applied in order as an editor reports them. */
function applyChanges(text: string, changes: readonly TextChange[]): string {
  const doc = TextDocument.create('file:///followed', 'plaintext', 0, text);
  return TextDocument.update(doc, changes.map((c) => ({ range: c.range, text: c.text })), 1).getText();
}
