/**
 * Draft contract changes' rows (migration 8 in store/schema.ts): made or refreshed when an
 * edit touches a contract, read back as {@link DeltaDraft}s, settled by a confirm or a
 * dismiss, swept after a day or when their peer is gone. The rule of what touches a contract
 * is contract-touch.ts's; when to draft is contract-drift.ts's.
 */
import type { DeltaDraft, DraftStatus } from '../protocol/coordination';
import type { LineSpan, Peer } from '../protocol/entities';
import type { Contract } from '../protocol/plan';
import type { MeshTx } from './context';
import type { SqlTx, SqlValue } from './sql';

interface DraftRow {
  id: number; project: string; contract: string; contract_name: string; symbol: string | null; peer: string; peer_name: string;
  file: string; symbol_start: number | null; symbol_end: number | null; edits: number; status: DraftStatus; delta: number | null;
  created_at: number; updated_at: number; shown_at: number | null;
}

/** How long a draft is kept, whatever became of it: a day. */
export const draftKeepMs = 24 * 3600_000;

/** What one touching edit says of a contract. */
export interface Touch {
  project: string;
  contract: Contract;
  /** The edited file, relative to the project. */
  file: string;
  symbolLines: LineSpan | null;
}

/**
 * Makes `peer`'s open draft for the touched contract, or refreshes the one it has (one more
 * edit, the file and lines of this one, to be shown again). Emits `delta_drafted`.
 */
export async function draftTouch(t: MeshTx, peer: Peer, touch: Touch, now: number): Promise<number> {
  const { project, contract, file, symbolLines: at } = touch;
  const open = await t.db.get<{ id: number }>(
    "SELECT id FROM delta_drafts WHERE peer = ? AND project = ? AND contract = ? AND status = 'draft'", [peer.id, project, contract.id],
  );
  let id: number;
  if (open) {
    id = open.id;
    await t.db.run(
      `UPDATE delta_drafts SET contract_name = ?, symbol = ?, file = ?, symbol_start = ?, symbol_end = ?, edits = edits + 1, updated_at = ?, shown_at = NULL
       WHERE id = ?`,
      [contract.name, contract.symbol, file, at?.startLine ?? null, at?.endLine ?? null, now, id],
    );
  } else {
    id = (await t.db.run(
      `INSERT INTO delta_drafts (project, contract, contract_name, symbol, peer, peer_name, file, symbol_start, symbol_end, edits, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 'draft', ?, ?)`,
      [project, contract.id, contract.name, contract.symbol, peer.id, peer.name, file, at?.startLine ?? null, at?.endLine ?? null, now, now],
    )).lastInsertRowid;
  }
  await t.emit('delta_drafted', peer.id, { project, draft: id, contract: contract.id, file, byName: peer.name });
  return id;
}

/** The drafts `where` picks (a condition on the table), oldest first, at most `limit` (-1: all). */
export async function selectDrafts(db: SqlTx, where: string, params: readonly SqlValue[], limit = -1): Promise<DeltaDraft[]> {
  return (await db.all<DraftRow>(`SELECT * FROM delta_drafts WHERE ${where} ORDER BY id LIMIT ?`, [...params, limit])).map(toDraft);
}

/** Marks the drafts `ids` shown now. */
export async function markDraftsShown(db: SqlTx, ids: readonly number[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await db.run('UPDATE delta_drafts SET shown_at = ? WHERE id IN (SELECT value FROM json_each(?))', [now, JSON.stringify(ids)]);
}

/** Settles a draft: confirmed (with the delta it pushed) or dismissed. */
export async function settleDraft(db: SqlTx, id: number, status: Exclude<DraftStatus, 'draft'>, delta: number | null, now: number): Promise<void> {
  await db.run('UPDATE delta_drafts SET status = ?, delta = ?, updated_at = ? WHERE id = ?', [status, delta, now, id]);
}

/** Deletes drafts untouched since before `before`, and those of peers that are gone; returns how many. */
export async function pruneDrafts(db: SqlTx, before: number): Promise<number> {
  const stale = "updated_at < ? OR peer IN (SELECT id FROM peers WHERE status = 'gone') OR peer NOT IN (SELECT id FROM peers)";
  if (!(await db.get(`SELECT 1 AS x FROM delta_drafts WHERE ${stale} LIMIT 1`, [before]))) return 0;
  return (await db.run(`DELETE FROM delta_drafts WHERE ${stale}`, [before])).changes;
}

function toDraft(r: DraftRow): DeltaDraft {
  return {
    id: r.id, project: r.project, contract: r.contract, contractName: r.contract_name, symbol: r.symbol,
    symbolLines: r.symbol_start === null || r.symbol_end === null ? null : { startLine: r.symbol_start, endLine: r.symbol_end },
    file: r.file, edits: r.edits, peer: r.peer, peerName: r.peer_name, status: r.status, delta: r.delta, createdAt: r.created_at, updatedAt: r.updated_at,
  };
}
