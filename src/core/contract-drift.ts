/**
 * Contract drift, noticed: when an agent's edit (its hook's `edits/record`, which names the
 * editing peer) touches the file or symbol a plan contract names, the broker drafts a
 * `contract_change` for that peer to confirm or dismiss (draft-store.ts), so a changed
 * interface is announced without anyone remembering to. The draft reaches the peer in its
 * news (`delta/mine`); confirming pushes a real delta (deltas.ts).
 *
 * Only attributed edits draft: the disk watcher of claim-anchors.ts sees edits too, but cannot
 * say who made them, and a draft is the editing peer's to confirm.
 */
import path from 'node:path';
import type { LineSpan, Peer } from '../protocol/entities';
import { followedFileBytes } from './claim-anchors';
import type { MeshTx } from './context';
import { touchedContracts } from './contract-touch';
import { draftTouch } from './draft-store';
import type { FileAccess } from './files';
import { isInside } from './paths';
import { contractsWithFiles } from './plan-store';

/**
 * Drafts (or refreshes) `peer`'s contract change for each contract its edit of `file` (an
 * absolute, real path) on the lines `spans` (none: the whole file) touches, in every project
 * whose plan names it. Returns the drafts' ids.
 */
export async function draftOnEdit(t: MeshTx, peer: Peer, file: string, spans: readonly LineSpan[], files: FileAccess, now: number): Promise<number[]> {
  const contracts = (await contractsWithFiles(t.db)).filter((c) => isInside(file, c.project));
  if (contracts.length === 0) return [];
  let text: string | null | undefined;
  const read = () => (text === undefined ? (text = files.read(file, followedFileBytes)) : text);
  const drafts: number[] = [];
  for (const project of new Set(contracts.map((c) => c.project))) {
    const rel = path.relative(project, file).split(path.sep).join('/');
    for (const touch of await touchedContracts(contracts.filter((c) => c.project === project), project, rel, spans, read)) {
      drafts.push(await draftTouch(t, peer, { project, contract: touch.contract, file: rel, symbolLines: touch.symbolLines }, now));
    }
  }
  return drafts;
}
