/**
 * The Locks view: files and line ranges that peers have claimed before editing, grouped by
 * file. A lock opens its file at its lines; its context menu releases it (this window's),
 * messages its holder or force-releases it (another peer's). "Show Its Locks" on a peer narrows
 * the view to that peer until the filter is cleared.
 */
import * as vscode from 'vscode';
import { formatDuration } from '../../core/duration';
import { describeTarget } from '../../core/paths';
import { printable } from '../../core/printable';
import type { Lock, Peer } from '../../protocol/entities';
import { workspaceUriFor } from '../decorations/lockedPaths';
import { Disposable } from '../dispose';
import { viewIds } from '../ids';
import type { MeshModel } from '../mesh/meshModel';
import type { RequestsModel } from '../mesh/requestsModel';
import type { LockRequest } from '../../protocol/requests/release';
import { peerIcon, peerKindLabel } from '../peerLook';
import { plural } from '../../core/plural';
import { createTree, SafeTooltip, type MeshTree, type TreeNode } from './tree';

/** How often the "time left" of the shown locks is redrawn. */
const redrawEveryMs = 30_000;

/** "9m left", "40s left", "expiring". */
export function formatTimeLeft(ms: number): string {
  return ms <= 0 ? 'expiring' : `${formatDuration(ms, { rounding: 'up', units: 1 })} left`;
}

/** "lines 3–5", "line 7", "whole file". */
export function describeLines(lock: Pick<Lock, 'startLine' | 'endLine'>): string {
  if (lock.startLine === null || lock.endLine === null) return 'whole file';
  return lock.startLine === lock.endLine ? `line ${lock.startLine}` : `lines ${lock.startLine}–${lock.endLine}`;
}

/** What a claim whose code is gone says of itself, in its hover and tooltip. */
export function codeGone(lock: Pick<Lock, 'startLine' | 'endLine'>): string {
  return `Code gone: the code it covered is no longer in the file. It keeps ${describeLines(lock)} until its holder claims the code again or releases it.`;
}

/** What a symbol claim that would reach into another peer's claim says of itself. */
export const symbolBlocked = 'Its symbol now reaches into another peer\'s claim: it keeps the lines it had, and widens once the symbol is clear or its holder claims it again.';

/** The icon of a claim whose code is gone, in place of its holder's. */
const codeGoneIcon = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));

/** The editor selection a lock covers, 0-based, for opening its file at it. */
export function lockSelection(lock: Lock): vscode.Range {
  if (lock.startLine === null || lock.endLine === null) return new vscode.Range(0, 0, 0, 0);
  return new vscode.Range(lock.startLine - 1, 0, lock.endLine - 1, Number.MAX_SAFE_INTEGER);
}

export class LockNode implements TreeNode {
  /** Its file's row, set by that row. */
  parent?: TreeNode;

  /** @param asked the release requests waiting for this window's answer on the claim (its own claims only) */
  constructor(readonly lock: Lock, readonly mine: boolean, readonly holder: Peer | undefined, private readonly now = Date.now(),
    private readonly asked: readonly LockRequest[] = []) {}

  toTreeItem(): vscode.TreeItem {
    const { lock } = this;
    const item = new vscode.TreeItem(lock.symbol ? `${lock.symbol} (${describeLines(lock)})` : describeLines(lock), vscode.TreeItemCollapsibleState.None);
    item.id = `lock-${lock.id}`;
    const left = formatTimeLeft(lock.expiresAt - this.now);
    const who = this.mine ? 'this window' : lock.holderName;
    const waiting = lock.waiting ?? 0;
    const gone = lock.anchorLost === true;
    const asking = this.asked.map((r) => printable(r.requesterName));
    item.description = [gone ? 'code gone' : '', asking.length > 0 ? `asked by ${asking.join(', ')}` : '', printable(who), left,
      waiting > 0 ? `${waiting} waiting` : '', printable(lock.reason)].filter(Boolean).join(' · ');
    item.iconPath = gone ? codeGoneIcon : this.holder && !this.mine ? peerIcon(this.holder) : new vscode.ThemeIcon(this.mine ? 'lock-small' : 'lock');
    item.contextValue = this.mine ? 'lock.own' : 'lock.other';
    const tip = new SafeTooltip().bold(describeTarget(lock)).text(' held by ').bold(who);
    if (this.holder && !this.mine) tip.text(` (${peerKindLabel(this.holder)})`);
    tip.paragraph().text(lock.reason || '(no reason given)').paragraph().text(left);
    if (waiting > 0) tip.text(`, ${plural(waiting, 'peer')} waiting`);
    if (gone) tip.paragraph().icon('warning').text(codeGone(lock));
    if (lock.symbolBlocked) tip.paragraph().icon('warning').text(symbolBlocked);
    for (const r of this.asked) {
      tip.paragraph().icon('bell').bold(r.requesterName).text(` asks you to release ${describeLines(r)}: ${r.reason}`);
      if (r.status === 'escalated') tip.text(' (unanswered past its time)');
    }
    item.tooltip = tip.md;
    const uri = workspaceUriFor(lock.path);
    item.command = { command: 'vscode.open', title: 'Open at the Locked Lines', arguments: [uri, { selection: lockSelection(lock), preview: true }] };
    return item;
  }
}

export class LockedFileNode implements TreeNode {
  constructor(readonly path: string, readonly relPath: string, readonly locks: readonly LockNode[]) {
    for (const lock of locks) lock.parent = this;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(vscode.Uri.file(this.path), vscode.TreeItemCollapsibleState.Expanded);
    item.id = `file-${this.path}`;
    item.label = this.relPath;
    item.resourceUri = workspaceUriFor(this.path);
    item.description = plural(this.locks.length, 'lock');
    item.contextValue = 'lockedFile';
    item.tooltip = this.path;
    return item;
  }

  getChildren(): TreeNode[] {
    return [...this.locks];
  }
}

export class LocksTree extends Disposable {
  private holderFilter: Peer | undefined;
  private readonly filterEmitter = this.register(new vscode.EventEmitter<void>());
  readonly tree: MeshTree;

  constructor(private readonly model: MeshModel, private readonly requests: RequestsModel) {
    super();
    this.tree = this.register(createTree(viewIds.locks, {
      roots: () => this.roots(),
      changes: [model.locks.onDidChange, model.peers.onDidChange, requests.onDidChange, this.filterEmitter.event],
      emptyMessage: 'No locks. Files and lines that peers claim before editing appear here.',
      redrawEveryMs,
    }));
  }

  /** Shows only `peer`'s locks (undefined: everyone's), and says so in the view's title. */
  filterByHolder(peer: Peer | undefined): void {
    this.holderFilter = peer;
    this.tree.view.description = peer ? `held by ${printable(peer.name)}` : undefined;
    void vscode.commands.executeCommand('setContext', 'peermesh.locksFiltered', peer !== undefined);
    this.filterEmitter.fire();
  }

  /** Reveals lock `id`'s row (selected, focused), showing everyone's locks if the filter hides it. Resolves to whether it is in the view. */
  async reveal(id: number): Promise<boolean> {
    if (this.holderFilter && !this.model.locks.items.some((lock) => lock.id === id && lock.holder === this.holderFilter?.id)) this.filterByHolder(undefined);
    const node = this.roots().flatMap((file) => (file instanceof LockedFileNode ? file.locks : [])).find((row) => row.lock.id === id);
    if (!node) return false;
    await this.tree.view.reveal(node, { select: true, focus: true });
    return true;
  }

  private roots(): TreeNode[] {
    const self = this.model.selfId;
    const now = Date.now();
    const byPath = new Map<string, LockNode[]>();
    const relPaths = new Map<string, string>();
    for (const lock of this.model.locks.items) {
      if (this.holderFilter && lock.holder !== this.holderFilter.id) continue;
      const mine = lock.holder === self;
      const node = new LockNode(lock, mine, this.model.peer(lock.holder), now, mine ? this.requests.on(lock.id) : []);
      byPath.set(lock.path, [...(byPath.get(lock.path) ?? []), node]);
      relPaths.set(lock.path, lock.relPath);
    }
    return [...byPath].sort(([a], [b]) => a.localeCompare(b)).map(([path, nodes]) =>
      new LockedFileNode(path, relPaths.get(path)!, nodes.sort((a, b) => (a.lock.startLine ?? 0) - (b.lock.startLine ?? 0))));
  }
}
