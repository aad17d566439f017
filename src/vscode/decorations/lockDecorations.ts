/**
 * The one owner of the editor decorations for locks (STYLE.md §10). Lines another peer holds
 * get a gutter badge, a tint and an overview-ruler mark, with a hover naming the holder; lines
 * this window holds only a quiet ruler mark. The decoration types are created once and again on
 * a theme change; decorations are re-applied to every visible editor, debounced, when the locks
 * or peers change, when the visible editors change, and every half minute while any lock is
 * shown (for the hover's time left). A whole-file lock is drawn on the file's first line.
 * The gutter badge says which kind of agent holds the lines (one decoration type per badge).
 */
import * as vscode from 'vscode';
import type { Lock, Peer } from '../../protocol/entities';
import { Disposable } from '../dispose';
import { colorIds } from '../ids';
import { debounceMs } from '../timing';
import type { ListModel } from '../mesh/meshModel';
import { gutterBadge, gutterBadges, type GutterBadge } from './gutterBadges';
import { lockHover } from './lockHover';
import { realPathOf } from './lockedPaths';

/** How often the hovers' time left is redrawn while locks are shown. */
const redrawEveryMs = 30_000;

/** One drawn lock, in 1-based inclusive lines as the broker counts them. */
export interface DecoratedLock {
  readonly lockId: number;
  readonly holderName: string;
  /** The gutter badge drawn: the holder's kind of agent (see {@link gutterBadge}). */
  readonly badge: GutterBadge;
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
  /** Other peers' locks, one type per gutter badge (made when first needed). */
  readonly others: Map<GutterBadge, vscode.TextEditorDecorationType>;
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
    }, debounceMs.decorations);
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
      const others = new Map<GutterBadge, vscode.DecorationOptions[]>(gutterBadges.map((badge) => [badge, []]));
      const own: vscode.DecorationOptions[] = [];
      const drawn = { others: [] as DecoratedLock[], own: [] as DecoratedLock[] };
      for (const lock of locks) {
        const mine = lock.holder === self;
        const holder = peers.get(lock.holder);
        const decorated = toDecorated(lock, document.lineCount, gutterBadge(holder?.kind));
        const range = new vscode.Range(decorated.startLine - 1, 0, decorated.endLine - 1, 0);
        const options = { range, hoverMessage: lockHover(lock, holder, mine, now) };
        if (mine) own.push(options);
        else others.get(decorated.badge)!.push(options);
        (mine ? drawn.own : drawn.others).push(decorated);
      }
      for (const [badge, options] of others) {
        // A type is made the first time its badge is drawn; clearing one never made is a no-op.
        if (options.length > 0 || this.types.others.has(badge)) editor.setDecorations(this.othersType(badge), options);
      }
      editor.setDecorations(this.types.own, own);
      this.drawn.set(editor, { path: document.uri.fsPath, ...drawn });
    }
  }

  private othersType(badge: GutterBadge): vscode.TextEditorDecorationType {
    let type = this.types.others.get(badge);
    if (!type) {
      const icon = (theme: 'light' | 'dark') => vscode.Uri.joinPath(this.extensionUri, 'media', 'gutter', `${badge}-${theme}.svg`);
      type = vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        backgroundColor: new vscode.ThemeColor(colorIds.lockedByOtherBackground),
        overviewRulerColor: new vscode.ThemeColor(colorIds.lockedByOtherRuler),
        overviewRulerLane: vscode.OverviewRulerLane.Right,
        gutterIconSize: 'contain',
        light: { gutterIconPath: icon('light') },
        dark: { gutterIconPath: icon('dark') },
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      });
      this.types.others.set(badge, type);
    }
    return type;
  }

  private createTypes(): DecorationTypes {
    return {
      others: new Map(),
      own: vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        overviewRulerColor: new vscode.ThemeColor(colorIds.lockedBySelfRuler),
        overviewRulerLane: vscode.OverviewRulerLane.Right,
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
    };
  }

  private disposeTypes(): void {
    for (const type of this.types.others.values()) type.dispose();
    this.types.own.dispose();
    this.drawn.clear();
  }
}

/** A lock's lines, clamped to the document; a whole-file lock is drawn on the first line. */
function toDecorated(lock: Lock, lineCount: number, badge: GutterBadge): DecoratedLock {
  const { id: lockId, holderName } = lock;
  if (lock.startLine === null || lock.endLine === null) return { lockId, holderName, badge, startLine: 1, endLine: 1, wholeFile: true };
  const last = Math.max(1, lineCount);
  const startLine = Math.min(Math.max(1, lock.startLine), last);
  const endLine = Math.min(Math.max(startLine, lock.endLine), last);
  return { lockId, holderName, badge, startLine, endLine, wholeFile: false };
}
