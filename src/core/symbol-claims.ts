/**
 * Symbol claims through an edit: a claim taken on a symbol is re-resolved by name in the new
 * text rather than diffed, so it takes its symbol's whole new range (a method that grew, moved
 * to the end of the file, or had a comment added above it). Two exceptions keep the diff's
 * placement instead:
 *
 * - the symbol is gone (renamed, deleted, or unreadable in a broken text): the claim is lost
 *   (`anchorLost`), as a ranged claim whose code is gone; it is found again if the name returns;
 * - the symbol's new range reaches into another peer's claim (code pasted into it, or two
 *   symbols now share lines): the claim is never widened into it; it keeps the diff's lines and
 *   is flagged `symbolBlocked` until the symbol is clear again or its holder re-takes it.
 */
import type { LockRow } from './lock-rows';
import type { Placement } from './reanchor';
import { declarationsIn, findSymbol } from './symbols';

export type SymbolPlacement = Placement & { blocked: boolean };

/**
 * Where each of `rows` (the ranged claims on `file`) goes in `text`: `diffed[i]` for a claim on
 * lines, its symbol's range (or the exceptions above) for a symbol claim.
 */
export async function followSymbols(file: string, text: string, rows: readonly LockRow[], diffed: readonly Placement[]): Promise<SymbolPlacement[]> {
  if (!rows.some((r) => r.symbol !== null)) return diffed.map((p) => ({ ...p, blocked: false }));
  // A parser that fails (it cannot, short of a broken install) leaves every symbol lost, not the edit unapplied.
  const declarations = await declarationsIn(file, text).catch(() => []) ?? [];
  const wanted: Placement[] = rows.map((row, i) => {
    if (row.symbol === null) return diffed[i];
    const found = findSymbol(declarations, row.symbol);
    return found ? { startLine: found.startLine, endLine: found.endLine, lost: false } : { ...diffed[i], lost: true };
  });
  return rows.map((row, i) => {
    if (row.symbol === null || wanted[i].lost) return { ...wanted[i], blocked: false };
    const intrudes = rows.some((other, j) => j !== i && other.holder !== row.holder
      && wanted[j].startLine <= wanted[i].endLine && wanted[i].startLine <= wanted[j].endLine);
    return intrudes ? { ...diffed[i], blocked: true } : { ...wanted[i], blocked: false };
  });
}
