/**
 * The hover on lines a peer holds. Names and reasons are other peers' words: appended as text,
 * never as Markdown (as the trees do), so nobody can put links or images into this window. The
 * only trusted command is the one the hover itself links to.
 */
import * as vscode from 'vscode';
import { describeTarget } from '../../core/paths';
import { printable } from '../../core/printable';
import type { Lock, Peer } from '../../protocol/entities';
import { commandIds, focusViewCommand, viewIds } from '../ids';
import { peerKindLabel } from '../peerLook';
import { codeGone, formatTimeLeft, symbolBlocked } from '../trees/locksTree';

const showLocks = focusViewCommand(viewIds.locks);
const requestRelease = commandIds.requestRelease;

/** @param holder the holding peer when the window knows it (for its kind) */
export function lockHover(lock: Lock, holder: Peer | undefined, self: boolean, now = Date.now()): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', true);
  md.isTrusted = { enabledCommands: [showLocks, requestRelease] };
  md.appendMarkdown('$(lock) **').appendText(describeTarget(lock)).appendMarkdown('** ');
  if (self) {
    md.appendText('locked by this window');
  } else {
    md.appendText('locked by ').appendMarkdown('**').appendText(printable(lock.holderName)).appendMarkdown('**');
    if (holder) md.appendText(` (${peerKindLabel(holder)})`);
  }
  if (lock.anchorLost) md.appendMarkdown('\n\n$(warning) ').appendText(codeGone(lock));
  if (lock.symbolBlocked) md.appendMarkdown('\n\n$(warning) ').appendText(symbolBlocked);
  md.appendMarkdown('\n\n').appendText(printable(lock.reason) || '(no reason given)');
  md.appendMarkdown('\n\n').appendText(formatTimeLeft(lock.expiresAt - now));
  md.appendMarkdown('\n\n');
  if (!self) {
    const args = encodeURIComponent(JSON.stringify([{ lockId: lock.id }]));
    md.appendMarkdown(`[$(bell) Request Release](command:${requestRelease}?${args} "Ask the holder to let go, saying why") · `);
  }
  md.appendMarkdown(`[$(lock) Show in Locks](command:${showLocks} "Reveal the PeerMesh Locks view")`);
  return md;
}
