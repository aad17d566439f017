/**
 * The landing queue's rows (table `sync_queue`: one row per holder or waiter of a branch's
 * token; `sync_holds`: recent hold times per branch) and what is read from them: a branch's
 * queue in order, how long its holds usually last, and when its holder counts as stalled.
 */
import type { SyncQueue } from '../protocol/coordination';
import type { SqlTx } from './sql';

/** Holds of a branch kept to tell how long one usually lasts. */
export const holdsKept = 20;

/** A holder has stalled once it holds the token this many times longer than usual... */
export const stallFactor = 3;
/** ...and at least this long (ms): a branch whose holds take seconds should not cry wolf at a minute. */
export const stallFloorMs = 2 * 60_000;
/** Before a branch has any history: stalled past this share of the holder's TTL. */
export const stallShareOfTtl = 0.5;

/** A queue row with its peer's status (null: the mesh forgot the peer). */
export interface SyncRow {
  seq: number;
  project: string;
  branch: string;
  peer: string;
  peer_name: string;
  queued_at: number;
  acquired_at: number | null;
  expires_at: number | null;
  ttl_ms: number;
  stalled: number;
  peer_status: string | null;
  peer_kind: string | null;
  peer_disconnected_at: number | null;
}

const rowSelect = `SELECT q.rowid AS seq, q.*, p.status AS peer_status, p.kind AS peer_kind, p.disconnected_at AS peer_disconnected_at
  FROM sync_queue q LEFT JOIN peers p ON p.id = q.peer`;
/** The holder first, then the waiters in the order they came. */
const queueOrder = 'ORDER BY q.acquired_at IS NULL, q.queued_at, q.rowid';

/** A branch's rows, holder first. */
export function branchRows(db: SqlTx, project: string, branch: string): Promise<SyncRow[]> {
  return db.all<SyncRow>(`${rowSelect} WHERE q.project = ? AND q.branch = ? ${queueOrder}`, [project, branch]);
}

/** Every branch that has a holder or waiters: of one project, or where `peer` holds or waits, or all. */
export function activeBranches(db: SqlTx, filter: { project?: string; peer?: string } = {}): Promise<Array<{ project: string; branch: string }>> {
  if (filter.peer !== undefined) {
    return db.all('SELECT DISTINCT project, branch FROM sync_queue WHERE peer = ? ORDER BY project, branch', [filter.peer]);
  }
  if (filter.project !== undefined) {
    return db.all('SELECT DISTINCT project, branch FROM sync_queue WHERE project = ? ORDER BY branch', [filter.project]);
  }
  return db.all('SELECT DISTINCT project, branch FROM sync_queue ORDER BY project, branch');
}

/** The peer went away (or was forgotten): its place is skipped. */
export function isGone(row: SyncRow): boolean {
  return row.peer_status === null || row.peer_status === 'gone';
}

/** The median of the branch's recent released holds (ms), null before any. */
export async function usualMs(db: SqlTx, project: string, branch: string): Promise<number | null> {
  const rows = await db.all<{ held_ms: number }>(
    'SELECT held_ms FROM sync_holds WHERE project = ? AND branch = ? ORDER BY at DESC, rowid DESC LIMIT ?', [project, branch, holdsKept]);
  if (rows.length === 0) return null;
  const sorted = rows.map((r) => r.held_ms).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

/** When a hold that began at `acquiredAt` counts as stalled. */
export function stallsAt(acquiredAt: number, ttlMs: number, usual: number | null): number {
  return acquiredAt + (usual === null ? ttlMs * stallShareOfTtl : Math.max(stallFactor * usual, stallFloorMs));
}

/** Keeps a released hold's duration, and only the branch's last {@link holdsKept}. */
export async function recordHold(db: SqlTx, project: string, branch: string, heldMs: number, at: number): Promise<void> {
  await db.run('INSERT INTO sync_holds (project, branch, held_ms, at) VALUES (?, ?, ?, ?)', [project, branch, heldMs, at]);
  await db.run(
    `DELETE FROM sync_holds WHERE project = ? AND branch = ? AND rowid NOT IN
       (SELECT rowid FROM sync_holds WHERE project = ? AND branch = ? ORDER BY at DESC, rowid DESC LIMIT ?)`,
    [project, branch, project, branch, holdsKept],
  );
}

/** The branch's queue as the protocol shows it. */
export async function loadQueue(db: SqlTx, project: string, branch: string): Promise<SyncQueue> {
  return toQueue(project, branch, await branchRows(db, project, branch), await usualMs(db, project, branch));
}

export function toQueue(project: string, branch: string, rows: readonly SyncRow[], usual: number | null): SyncQueue {
  const held = rows.find((r) => r.acquired_at !== null);
  return {
    project, branch,
    holder: held ? { peer: held.peer, peerName: held.peer_name, since: held.acquired_at!, expiresAt: held.expires_at! } : null,
    waiting: rows.filter((r) => r !== held).map((r) => ({ peer: r.peer, peerName: r.peer_name, since: r.queued_at })),
    stalled: held?.stalled === 1,
    usualMs: usual,
  };
}

/** 0 when `peer` holds the token, its place in line (1: next) when it waits, -1 when neither. */
export function positionOf(queue: SyncQueue, peer: string): number {
  if (queue.holder?.peer === peer) return 0;
  const i = queue.waiting.findIndex((w) => w.peer === peer);
  return i < 0 ? -1 : i + 1;
}
