/**
 * Context deltas' rows (migration 6 in store/schema.ts): writing one with the peers it was
 * routed to, reading them back as {@link Delta}s, acks, and what each recipient was shown. Routing (which peers a delta affects)
 * is the deltas service's; a decision names its recipients itself (a debate's participants).
 */
import type { Delta, DeltaAffects, DeltaKind, DeltaRecipient, DeltaSeverity, RouteReason } from '../protocol/coordination';
import type { Peer } from '../protocol/entities';
import type { MeshTx } from './context';
import type { SqlTx, SqlValue } from './sql';

interface DeltaRow {
  id: number; project: string; author: string; author_name: string; kind: DeltaKind; severity: DeltaSeverity;
  summary: string; detail: string; affects: string; contract_versions: string; debate: number | null; created_at: number;
}

interface RecipientRow {
  delta: number; peer: string; peer_name: string; reason: RouteReason; via: string; shown_at: number | null; acked_at: number | null;
}

/** A delta as it is written: everything but its id, time and recipients' states. */
export interface NewDelta {
  project: string;
  kind: DeltaKind;
  severity: DeltaSeverity;
  summary: string;
  detail: string;
  affects: DeltaAffects;
  contractVersions: Record<string, number>;
  debate: number | null;
}

/** Where a delta goes: a peer, why, and what made it affected. */
export type Route = Pick<DeltaRecipient, 'peer' | 'peerName' | 'reason' | 'via'>;

/**
 * Stores a delta by `author` with its recipients (one row per peer: the first route given for
 * a peer wins) and emits `delta_pushed`. Returns it as stored.
 */
export async function insertDelta(t: MeshTx, author: Peer, delta: NewDelta, routes: readonly Route[], at: number): Promise<Delta> {
  const { lastInsertRowid: id } = await t.db.run(
    `INSERT INTO deltas (project, author, author_name, kind, severity, summary, detail, affects, contract_versions, debate, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [delta.project, author.id, author.name, delta.kind, delta.severity, delta.summary, delta.detail,
      JSON.stringify(delta.affects), JSON.stringify(delta.contractVersions), delta.debate, at],
  );
  const seen = new Set<string>();
  for (const r of routes) {
    if (seen.has(r.peer)) continue;
    seen.add(r.peer);
    await t.db.run('INSERT INTO delta_recipients (delta, peer, peer_name, reason, via) VALUES (?, ?, ?, ?, ?)', [id, r.peer, r.peerName, r.reason, r.via]);
  }
  await t.emit('delta_pushed', author.id, {
    project: delta.project, delta: id, kind: delta.kind, severity: delta.severity, summary: delta.summary,
    recipients: [...seen], byName: author.name,
  });
  return (await loadDelta(t.db, id))!;
}

/** One delta with its recipients, if it exists. */
export async function loadDelta(db: SqlTx, id: number): Promise<Delta | undefined> {
  const row = await db.get<DeltaRow>('SELECT * FROM deltas WHERE id = ?', [id]);
  return row ? (await withRecipients(db, [row]))[0] : undefined;
}

/** Deltas of `rows`, in their order, each with its recipients (read in one query). */
export async function withRecipients(db: SqlTx, rows: readonly DeltaRow[]): Promise<Delta[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const recipients = await db.all<RecipientRow>(
    'SELECT * FROM delta_recipients WHERE delta IN (SELECT value FROM json_each(?)) ORDER BY rowid', [JSON.stringify(ids)],
  );
  const byDelta = new Map<number, DeltaRecipient[]>();
  for (const r of recipients) {
    const list = byDelta.get(r.delta) ?? [];
    list.push({ peer: r.peer, peerName: r.peer_name, reason: r.reason, via: r.via, shownAt: r.shown_at, ackedAt: r.acked_at });
    byDelta.set(r.delta, list);
  }
  return rows.map((r) => toDelta(r, byDelta.get(r.id) ?? []));
}

/** The deltas `where` picks (a condition on `d`, the deltas table), in id order, at most `limit`, with their recipients. */
export async function selectDeltas(db: SqlTx, where: string, params: readonly SqlValue[], limit: number): Promise<Delta[]> {
  return withRecipients(db, await db.all<DeltaRow>(`SELECT d.* FROM deltas d WHERE ${where} ORDER BY d.id LIMIT ?`, [...params, limit]));
}

/**
 * `peer` acks the delta: as a recipient it had, or as a new one that asked (`reason`
 * `asked`). Emits `delta_acked`. False, changing nothing, when it had acked it already.
 */
export async function ackDelta(t: MeshTx, peer: Peer, delta: Pick<DeltaRow, 'id' | 'project' | 'severity'>, now: number): Promise<boolean> {
  const row = await t.db.get<{ acked_at: number | null }>('SELECT acked_at FROM delta_recipients WHERE delta = ? AND peer = ?', [delta.id, peer.id]);
  if (row?.acked_at != null) return false;
  if (row) await t.db.run('UPDATE delta_recipients SET acked_at = ?, shown_at = COALESCE(shown_at, ?) WHERE delta = ? AND peer = ?', [now, now, delta.id, peer.id]);
  else {
    await t.db.run("INSERT INTO delta_recipients (delta, peer, peer_name, reason, via, shown_at, acked_at) VALUES (?, ?, ?, 'asked', '', ?, ?)",
      [delta.id, peer.id, peer.name, now, now]);
  }
  await t.emit('delta_acked', peer.id, { project: delta.project, delta: delta.id, severity: delta.severity, byName: peer.name });
  return true;
}

/** Marks the deltas `ids` shown to `peer` now, where they were not yet. */
export async function markShown(db: SqlTx, peer: string, ids: readonly number[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await db.run('UPDATE delta_recipients SET shown_at = ? WHERE peer = ? AND shown_at IS NULL AND delta IN (SELECT value FROM json_each(?))',
    [now, peer, JSON.stringify(ids)]);
}

/** Deletes deltas made before `before`, with their recipients; returns how many. */
export async function pruneDeltas(db: SqlTx, before: number): Promise<number> {
  if (!(await db.get('SELECT 1 AS x FROM deltas WHERE created_at < ? LIMIT 1', [before]))) return 0;
  await db.run('DELETE FROM delta_recipients WHERE delta IN (SELECT id FROM deltas WHERE created_at < ?)', [before]);
  return (await db.run('DELETE FROM deltas WHERE created_at < ?', [before])).changes;
}

function toDelta(r: DeltaRow, recipients: DeltaRecipient[]): Delta {
  return {
    id: r.id, project: r.project, author: r.author, authorName: r.author_name, kind: r.kind, severity: r.severity,
    summary: r.summary, detail: r.detail, affects: JSON.parse(r.affects) as DeltaAffects,
    contractVersions: JSON.parse(r.contract_versions) as Record<string, number>, debate: r.debate, createdAt: r.created_at, recipients,
  };
}

export type { DeltaRow };
