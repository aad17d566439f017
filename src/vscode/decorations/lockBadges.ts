/**
 * Explorer badges (STYLE.md §10): a file in which another peer holds a lock gets a badge and a
 * tooltip naming the holders. The provider keeps what it answered last and, when the locks
 * change, fires only the URIs whose badge appeared, changed or went.
 */
import * as vscode from 'vscode';
import { describeTarget } from '../../core/paths';
import { printable } from '../../core/printable';
import type { Lock } from '../../protocol/entities';
import { Disposable } from '../dispose';
import { colorIds } from '../ids';
import type { ListModel } from '../mesh/meshModel';
import { workspaceUriFor } from './lockedPaths';

/** The badge's text (at most two characters are shown). */
const badge = 'L';

export class LockFileBadges extends Disposable implements vscode.FileDecorationProvider {
  /** By URI string: the badge shown and its tooltip (which says everything it shows). */
  private shown = new Map<string, { uri: vscode.Uri; decoration: vscode.FileDecoration }>();
  private readonly changeEmitter = this.register(new vscode.EventEmitter<vscode.Uri[]>());
  readonly onDidChangeFileDecorations = this.changeEmitter.event;

  constructor(
    private readonly locks: ListModel<Lock>,
    /** This window's peer id, once it has joined: its own locks get no badge. */
    private readonly selfId: () => string | undefined,
  ) {
    super();
    this.register(vscode.window.registerFileDecorationProvider(this));
    locks.onDidChange(this.update, this, this.subscriptions);
    this.update();
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    return this.shown.get(uri.toString())?.decoration;
  }

  private update(): void {
    const self = this.selfId();
    const byFile = new Map<string, { uri: vscode.Uri; locks: Lock[] }>();
    for (const lock of this.locks.items) {
      if (lock.holder === self) continue;
      const uri = workspaceUriFor(lock.path);
      const entry = byFile.get(uri.toString()) ?? { uri, locks: [] };
      entry.locks.push(lock);
      byFile.set(uri.toString(), entry);
    }
    const next = new Map<string, { uri: vscode.Uri; decoration: vscode.FileDecoration }>();
    for (const [key, { uri, locks }] of byFile) {
      // Plain text: a tooltip string is never rendered as Markdown.
      const tooltip = locks.map((lock) => printable(`Locked by ${lock.holderName}: ${describeTarget(lock)}${lock.reason ? ` (${lock.reason})` : ''}`)).join('\n');
      next.set(key, { uri, decoration: new vscode.FileDecoration(badge, tooltip, new vscode.ThemeColor(colorIds.lockedByOtherForeground)) });
    }
    const changed: vscode.Uri[] = [];
    for (const [key, { uri, decoration }] of next) {
      if (this.shown.get(key)?.decoration.tooltip !== decoration.tooltip) changed.push(uri);
    }
    for (const [key, { uri }] of this.shown) if (!next.has(key)) changed.push(uri);
    this.shown = next;
    if (changed.length > 0) this.changeEmitter.fire(changed);
  }
}
