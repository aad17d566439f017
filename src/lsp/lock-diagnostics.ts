/**
 * What an editor is told about a file other peers hold claims in: one Information diagnostic
 * (source `peermesh`) per claim, on its lines or, for a whole-file claim, on the first line;
 * and the hover over a held line. Pure: locks in, LSP shapes out.
 *
 * The person's own claims (those of the person's peers: an editor window, the terminal) are
 * not flagged: they are this editor's user's.
 */
import { DiagnosticSeverity, MarkupKind, type Diagnostic, type Hover } from 'vscode-languageserver';
import { formatDuration } from '../core/duration';
import { describeTarget } from '../core/paths';
import { printable } from '../core/printable';
import { personKinds, type Lock, type PeerKind } from '../protocol/entities';

/** The diagnostics' source, which editors show beside each. */
export const diagnosticSource = 'peermesh';

/** Other peers' claims among `locks`: those whose holder is not one of the person's own peers. */
export function othersClaims(locks: readonly Lock[], kindOf: (peerId: string) => PeerKind | undefined): Lock[] {
  return locks.filter((lock) => {
    const kind = kindOf(lock.holder);
    return kind === undefined || !personKinds.includes(kind);
  });
}

/** "held by claude-code: renaming the parser · 9m left". */
export function describeClaim(lock: Lock, now: number): string {
  const left = formatDuration(lock.expiresAt - now, { rounding: 'up', units: 1 });
  const why = lock.reason ? `: ${printable(lock.reason)}` : '';
  return `${describeTarget(lock)} held by ${printable(lock.holderName)}${why} · ${left} left`;
}

/** One diagnostic per claim, on its lines (0-based for LSP), or on line 1 for a whole-file claim. */
export function lockDiagnostics(claims: readonly Lock[], now: number): Diagnostic[] {
  return claims.map((lock) => ({
    severity: DiagnosticSeverity.Information,
    source: diagnosticSource,
    code: `lock-${lock.id}`,
    message: describeClaim(lock, now),
    range: lock.startLine === null || lock.endLine === null
      ? { start: { line: 0, character: 0 }, end: { line: 0, character: Number.MAX_SAFE_INTEGER } }
      : { start: { line: lock.startLine - 1, character: 0 }, end: { line: lock.endLine - 1, character: Number.MAX_SAFE_INTEGER } },
  }));
}

/** The hover over 0-based `line`: every claim that covers it, or null when none does. */
export function lockHover(claims: readonly Lock[], line: number, now: number): Hover | null {
  const over = claims.filter((lock) => lock.startLine === null || lock.endLine === null || (line + 1 >= lock.startLine && line + 1 <= lock.endLine));
  if (over.length === 0) return null;
  return { contents: { kind: MarkupKind.PlainText, value: over.map((lock) => `Locked: ${describeClaim(lock, now)}`).join('\n') } };
}
