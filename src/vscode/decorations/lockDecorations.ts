/**
 * The one owner of the editor decorations for locks (STYLE.md §10). Lines another peer holds
 * get a gutter badge, a tint and an overview-ruler mark, with a hover naming the holder; lines
 * this window holds only a quiet ruler mark. The decoration types are created once and again on
 * a theme change; decorations are re-applied to every visible editor, debounced, when the locks
 * or peers change, when the visible editors change, and every half minute while any lock is
 * shown (for the hover's time left). A whole-file lock is drawn on the file's first line.
 */
import * as vscode from 'vscode';
import type { Lock, Peer } from '../../protocol/entities';
import { Disposable } from '../dispose';
import { colorIds } from '../ids';
import type { ListModel } from '../mesh/meshModel';
import { lockHover } from './lockHover';
import { realPathOf } from './lockedPaths';

/** How long to wait for the rest of a burst of changes before drawing. */
const debounceMs = 50;
/** How often the hovers' time left is redrawn while locks are shown. */
const redrawEveryMs = 30_000;

/** One drawn lock, in 1-based inclusive lines as the broker counts them. */
export interface DecoratedLock {
  readonly lockId: number;
  readonly holderName: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly wholeFile: boolean;
}

/** What one visible editor shows (the internal test query's answer). */
export interface EditorDecorations {
  readonly path: string;
  /** Locks of other peers: badge, tint, ruler mark. */
  readonly others: readonly DecoratedLock[];
  /** This window's own locks: a quiet ruler mark. */
  readonly own: readonly DecoratedLock[];
}

interface DecorationTypes {
  readonly others: vscode.TextEditorDecorationType;
  readonly own: vscode.TextEditorDecorationType;
}

export class LockDecorations extends Disposable {
  private types: DecorationTypes;
  private readonly drawn = new Map<vscode.TextEditor, EditorDecorations>();
  private timer: NodeJS.Timeout | undefined;
  private readonly redrawTimer: NodeJS.Timeout;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly locks: ListModel<Lock>,
    private readonly peers: ListModel<Peer>,
    /** This window's peer id, once it has joined. */
    private readonly selfId: () => string | undefined,
  ) {
    super();
    this.types = this.createTypes();
    this.register({ dispose: () => this.disposeTypes() });
    locks.onDidChange(() => this.schedule(), undefined, this.subscriptions);
    peers.onDidChange(() => this.schedule(), undefined, this.subscriptions);
    vscode.window.onDidChangeVisibleTextEditors(() => this.schedule(), undefined, this.subscriptions);
    vscode.window.onDidChangeActiveColorTheme(() => {
      this.disposeTypes();
      this.types = this.createTypes();
      this.schedule();
    }, undefined, this.subscriptions);
    this.redrawTimer = setInterval(() => {
      if (this.locks.items.length > 0) this.schedule();
    }, redrawEveryMs);
    this.register({ dispose: () => { clearTimeout(this.timer); clearInterval(this.redrawTimer); } });
    this.schedule();
  }

  /** Per visible editor, what is drawn in it now. */
  snapshot(): EditorDecorations[] {
    return vscode.window.visibleTextEditors.map((editor) =>
      this.drawn.get(editor) ?? { path: editor.document.uri.fsPath, others: [], own: [] });
  }

  private schedule(): void {
    if (this.timer || this.isDisposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.apply();
    }, debounceMs);
  }

  private apply(): void {
    const self = this.selfId();
    const byPath = new Map<string, Lock[]>();
    for (const lock of this.locks.items) byPath.set(lock.path, [...(byPath.get(lock.path) ?? []), lock]);
    const peers = new Map(this.peers.items.map((peer) => [peer.id, peer]));
    const now = Date.now();

    const visible = new Set(vscode.window.visibleTextEditors);
    for (const editor of this.drawn.keys()) if (!visible.has(editor)) this.drawn.delete(editor);
    for (const editor of visible) {
      const { document } = editor;
      const locks = document.uri.scheme === 'file' ? byPath.get(realPathOf(document.uri.fsPath)) ?? [] : [];
      const others: vscode.DecorationOptions[] = [];
      const own: vscode.DecorationOptions[] = [];
      const drawn = { others: [] as DecoratedLock[], own: [] as DecoratedLock[] };
      for (const lock of locks) {
        const mine = lock.holder === self;
        const decorated = toDecorated(lock, document.lineCount);
        const range = new vscode.Range(decorated.startLine - 1, 0, decorated.endLine - 1, 0);
        (mine ? own : others).push({ range, hoverMessage: lockHover(lock, peers.get(lock.holder), mine, now) });
        (mine ? drawn.own : drawn.others).push(decorated);
      }
      editor.setDecorations(this.types.others, others);
      editor.setDecorations(this.types.own, own);
      this.drawn.set(editor, { path: document.uri.fsPath, ...drawn });
    }
  }

  private createTypes(): DecorationTypes {
    const icon = (theme: 'light' | 'dark') => vscode.Uri.joinPath(this.extensionUri, 'media', `lock-${theme}.svg`);
    return {
      others: vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        backgroundColor: new vscode.ThemeColor(colorIds.lockedByOtherBackground),
        overviewRulerColor: new vscode.ThemeColor(colorIds.lockedByOtherRuler),
        overviewRulerLane: vscode.OverviewRulerLane.Right,
        gutterIconSize: 'contain',
        light: { gutterIconPath: icon('light') },
        dark: { gutterIconPath: icon('dark') },
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
      own: vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        overviewRulerColor: new vscode.ThemeColor(colorIds.lockedBySelfRuler),
        overviewRulerLane: vscode.OverviewRulerLane.Right,
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
    };
  }

  private disposeTypes(): void {
    this.types.others.dispose();
    this.types.own.dispose();
    this.drawn.clear();
  }
}

/** A lock's lines, clamped to the document; a whole-file lock is drawn on the first line. */
function toDecorated(lock: Lock, lineCount: number): DecoratedLock {
  const { id: lockId, holderName } = lock;
  if (lock.startLine === null || lock.endLine === null) return { lockId, holderName, startLine: 1, endLine: 1, wholeFile: true };
  const last = Math.max(1, lineCount);
  const startLine = Math.min(Math.max(1, lock.startLine), last);
  const endLine = Math.min(Math.max(startLine, lock.endLine), last);
  return { lockId, holderName, startLine, endLine, wholeFile: false };
}
