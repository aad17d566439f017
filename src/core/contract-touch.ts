/**
 * Whether an edit touched a plan contract: the rule that drafts a `contract_change` for the
 * editing peer (contract-drift.ts). A contract with a `file` (a path or glob relative to the
 * project) is touched by an edit of a file it names; with a `symbol` too, only when the edited
 * lines overlap the symbol's lines now (found as symbol claims find theirs: symbols.ts), or the
 * edit's lines are unknown.
 *
 * When the symbol cannot be looked for, the file rule stands: a language no grammar reads, or a
 * file that cannot be read (deleted: its contract surely changed). A symbol the file
 * does not declare touches nothing: it may not be written yet, and a rename is not told apart.
 */
import type { LineSpan } from '../protocol/entities';
import type { Contract } from '../protocol/plan';
import { grammarFor } from './symbol-parser';
import type { Declaration } from './symbol-outline';
import { declarationsIn, findSymbol } from './symbols';
import { toPattern } from './task-overlap';

export interface ContractTouch {
  contract: Contract;
  /** The lines of its symbol now; null when the touch is by file. */
  symbolLines: LineSpan | null;
}

/**
 * The contracts of `contracts` that an edit of `relPath` (relative to `root`) on the lines
 * `spans` (none: the whole file) touches. `text` reads the file as it is after the edit, only
 * when a symbol must be found (null when it cannot be read).
 */
export async function touchedContracts(
  contracts: readonly Contract[], root: string, relPath: string, spans: readonly LineSpan[], text: () => string | null,
): Promise<ContractTouch[]> {
  const touches: ContractTouch[] = [];
  let read: string | null | undefined;
  let declarations: Declaration[] | undefined;
  for (const contract of contracts) {
    if (contract.file === null || !toPattern(contract.file, root)?.matches(relPath)) continue;
    if (contract.symbol === null || !grammarFor(relPath)) {
      touches.push({ contract, symbolLines: null });
      continue;
    }
    if (read === undefined) read = text();
    if (read === null) {
      touches.push({ contract, symbolLines: null });
      continue;
    }
    declarations ??= (await declarationsIn(`${root}/${relPath}`, read)) ?? [];
    const found = findSymbol(declarations, contract.symbol);
    if (!found) continue;
    const at = { startLine: found.startLine, endLine: found.endLine };
    if (spans.length === 0 || spans.some((s) => s.startLine <= at.endLine && at.startLine <= s.endLine)) touches.push({ contract, symbolLines: at });
  }
  return touches;
}
