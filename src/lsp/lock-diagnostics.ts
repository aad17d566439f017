/**
 * What an editor is told about a file other peers hold claims in: one Information diagnostic
 * (source `peermesh`) per claim, on its lines or, for a whole-file claim, on the first line;
 * the hover over a held line; a code lens over each claim (who holds it, Request release, Wait
 * for it); and the code actions at a selection. Pure: locks in, LSP shapes out.
 *
 * The person's own claims (those of the person's peers: an editor window, the terminal) are
 * not flagged: they are this editor's user's.
 */
import { CodeActionKind, DiagnosticSeverity, MarkupKind, type CodeAction, type CodeLens, type Diagnostic, type Hover, type Range } from 'vscode-languageserver';
import { formatDuration } from '../core/duration';
import { describeTarget } from '../core/paths';
import { printable } from '../core/printable';
import { personKinds, type Lock, type PeerKind } from '../protocol/entities';
import { lspCommands, type LinesArgs, type LockArgs } from '../protocol/lsp-commands';

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
    range: claimRange(lock),
  }));
}

/** A claim's lines as an LSP range (line 1 for a whole-file claim). */
function claimRange(lock: Lock): Range {
  return lock.startLine === null || lock.endLine === null
    ? { start: { line: 0, character: 0 }, end: { line: 0, character: Number.MAX_SAFE_INTEGER } }
    : { start: { line: lock.startLine - 1, character: 0 }, end: { line: lock.endLine - 1, character: Number.MAX_SAFE_INTEGER } };
}

/** Over each claim's first line: who holds it (showing it in the Locks list), Request release, Wait for it. */
export function lockLenses(claims: readonly Lock[], now: number): CodeLens[] {
  return claims.flatMap((lock) => {
    const range = { start: claimRange(lock).start, end: claimRange(lock).start };
    const args: [LockArgs] = [{ lockId: lock.id }];
    const left = formatDuration(lock.expiresAt - now, { rounding: 'up', units: 1 });
    return [
      { range, command: { title: `Held by ${printable(lock.holderName)} · ${left} left`, command: lspCommands.showInLocks, arguments: args } },
      { range, command: { title: 'Request release', command: lspCommands.requestRelease, arguments: args } },
      { range, command: { title: 'Wait for it', command: lspCommands.waitFor, arguments: args } },
    ];
  });
}

/**
 * The code actions on `range` of document `uri` (0-based LSP lines): for each claim it touches,
 * Request release, Wait for it and Show in Locks (quick fixes of its diagnostic); where it
 * touches none, Claim these lines, when the person asked for actions (`invoked`), not on every
 * cursor move, which would put a light bulb on every line.
 */
export function lockCodeActions(claims: readonly Lock[], uri: string, range: Range, invoked: boolean, now: number): CodeAction[] {
  const lines = selectedLines(range);
  const touched = claims.filter((lock) => lock.startLine === null || lock.endLine === null || (lock.startLine <= lines.endLine && lock.endLine >= lines.startLine));
  if (touched.length === 0) {
    if (!invoked) return [];
    const args: [LinesArgs] = [{ uri, ...lines }];
    const what = lines.startLine === lines.endLine ? `line ${lines.startLine}` : `lines ${lines.startLine}–${lines.endLine}`;
    return [{ title: `Claim ${what} (PeerMesh)`, kind: CodeActionKind.Empty, command: { title: `Claim ${what}`, command: lspCommands.claimLines, arguments: args } }];
  }
  const diagnostics = lockDiagnostics(touched, now);
  return touched.flatMap((lock, i) => {
    const args: [LockArgs] = [{ lockId: lock.id }];
    const target = describeTarget(lock);
    const holder = printable(lock.holderName);
    const fix = (title: string, command: string, preferred = false): CodeAction => ({
      title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostics[i]], isPreferred: preferred || undefined, command: { title, command, arguments: args },
    });
    return [
      fix(`Ask ${holder} to release ${target}`, lspCommands.requestRelease, true),
      fix(`Wait for ${target}, and claim it once ${holder} lets go`, lspCommands.waitFor),
      fix(`Show ${target} in Locks`, lspCommands.showInLocks),
    ];
  });
}

/** The 1-based lines a selection covers (one ending at column 0 of a later line leaves that line out). */
export function selectedLines({ start, end }: Range): { startLine: number; endLine: number } {
  const last = end.line > start.line && end.character === 0 ? end.line - 1 : end.line;
  return { startLine: start.line + 1, endLine: last + 1 };
}

/** The hover over 0-based `line`: every claim that covers it, or null when none does. */
export function lockHover(claims: readonly Lock[], line: number, now: number): Hover | null {
  const over = claims.filter((lock) => lock.startLine === null || lock.endLine === null || (line + 1 >= lock.startLine && line + 1 <= lock.endLine));
  if (over.length === 0) return null;
  return { contents: { kind: MarkupKind.PlainText, value: over.map((lock) => `Locked: ${describeClaim(lock, now)}`).join('\n') } };
}
