/**
 * How a peer looks everywhere in the window (trees, hovers, quick picks): a codicon per agent
 * kind, a name for the kind, and its liveness in words and color. One table, so the Peers
 * tree, the Locks tree and the gutter hover never disagree.
 */
import * as vscode from 'vscode';
import { kindLooks } from '../core/kind-looks';
import { namedTerminalOf } from '../core/terminal-identity';
import { printable } from '../core/printable';
import type { Peer, PeerKind } from '../protocol/entities';

/** "Claude Code", "VS Code window", "terminal"… */
export function kindLabel(kind: PeerKind): string {
  return kindLooks[kind]?.label ?? kind;
}

/**
 * What this peer is, in words: its kind's name; for a named terminal identity also how to act
 * as it ("terminal --as nightly"), since it is the person's like the plain "terminal"; for an
 * MCP client of no known kind, the client's own name ("agent (mcp-inspector)").
 */
export function peerKindLabel(peer: Pick<Peer, 'kind' | 'name' | 'client'>): string {
  const named = namedTerminalOf(peer);
  if (named !== undefined) return `${kindLabel(peer.kind)} --as ${named}`;
  if (isLanguageServer(peer)) return 'editor (language server)';
  return peer.kind === 'unknown' && peer.client ? `${kindLabel(peer.kind)} (${printable(peer.client)})` : kindLabel(peer.kind);
}

/** `peermesh lsp`, an editor's lock language server (this window's among them): the person's, but no terminal. */
export function isLanguageServer(peer: Pick<Peer, 'kind' | 'client'>): boolean {
  return peer.kind === 'cli' && peer.client === 'lsp';
}

/** Codicon id of a peer kind. */
export function kindIconId(kind: PeerKind): string {
  return kindLooks[kind]?.icon ?? 'circle-large-outline';
}

/** Liveness as the person reads it. */
export type Liveness = 'working' | 'idle' | 'disconnected' | 'gone' | 'terminal';

/**
 * The peer's liveness. The terminal's `cli` identity is not an agent: between commands it is
 * disconnected yet keeps its claims, so it reads as "terminal", never as working. An editor's
 * language server is connected while its editor runs: it reads as itself.
 */
export function livenessOf(peer: Peer): Liveness {
  if (peer.kind === 'cli' && !isLanguageServer(peer) && peer.status !== 'gone' && peer.status !== 'working') return 'terminal';
  return peer.status;
}

const livenessColors: Record<Liveness, string | undefined> = {
  working: 'charts.green',
  idle: undefined,
  disconnected: 'list.warningForeground',
  gone: 'disabledForeground',
  terminal: undefined,
};

const livenessWords: Record<Liveness, string> = {
  working: 'working',
  idle: 'idle',
  disconnected: 'disconnected, claims kept',
  gone: 'gone',
  terminal: 'terminal identity',
};

/** "working", "idle", "disconnected, claims kept", "gone", "terminal identity". */
export function livenessLabel(liveness: Liveness): string {
  return livenessWords[liveness];
}

/** The peer's kind icon, tinted by its liveness. */
export function peerIcon(peer: Peer): vscode.ThemeIcon {
  const color = livenessColors[livenessOf(peer)];
  return new vscode.ThemeIcon(kindIconId(peer.kind), color ? new vscode.ThemeColor(color) : undefined);
}

