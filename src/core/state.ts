/**
 * Shared state: namespace + key → JSON value, versioned for compare-and-set, with optional
 * TTL. An expired entry is invisible at once (every read filters on `expires_at`) and is
 * turned into a tombstone by the sweep, which emits `state_deleted` with `expired: true`.
 * Deleted and expired entries stay as tombstones for the event retention period, so a key's
 * version never goes back: a recreated entry continues from the old version, and a
 * compare-and-set holding the old entry's version fails instead of overwriting the new one.
 */
import { BrokerError } from '../protocol/errors';
import { limits } from '../protocol/limits';
import type { ListedStateEntry, StateEntry } from '../protocol/entities';
import type { MeshCounts, StateService } from './api';
import type { MeshContext, MeshTx } from './context';
import type { MeshService } from './service';
import { hasHiddenCharacters, printable } from './printable';
import type { SqlTx } from './sql';

interface StateRow {
  namespace: string; key: string; value: string; version: number; author: string;
  updated_at: number; expires_at: number | null; deleted_at: number | null;
}

const live = '(deleted_at IS NULL AND (expires_at IS NULL OR expires_at > ?))';

export class State implements StateService, MeshService {
  constructor(private readonly ctx: MeshContext) {}

  get(namespace: string, key: string): Promise<StateEntry | undefined> {
    return this.ctx.tx((t) => this.getIn(t, namespace, key));
  }

  async getIn(t: MeshTx, namespace: string, key: string): Promise<StateEntry | undefined> {
    const row = await this.liveRow(t, namespace, key, this.ctx.clock.now());
    return row && toEntry(row);
  }

  /** A peer's write; `peermesh.*` namespaces are refused (the core's own writes use {@link setIn}). */
  async set(author: string, namespace: string, key: string, value: unknown, opts: { ifVersion?: number; ttlSeconds?: number } = {}): Promise<StateEntry> {
    checkNotReserved(namespace);
    return this.ctx.tx((t) => this.setIn(t, author, namespace, key, value, opts));
  }

  /** {@link set} inside the caller's transaction. */
  async setIn(t: MeshTx, author: string, namespace: string, key: string, value: unknown, opts: { ifVersion?: number; ttlSeconds?: number } = {}): Promise<StateEntry> {
    checkKeys(namespace, key);
    checkPlain(namespace, key);
    const json = value === undefined ? undefined : JSON.stringify(value);
    if (json === undefined) throw new BrokerError('invalidInput', 'value must be JSON (not undefined)');
    if (json.length > limits.stateValue) throw new BrokerError('invalidInput', `value must be JSON of at most ${limits.stateValue} characters`);
    const { ifVersion, ttlSeconds } = opts;
    if (ifVersion !== undefined && (!Number.isInteger(ifVersion) || ifVersion < 0)) {
      throw new BrokerError('invalidInput', 'ifVersion must be a whole number from 0');
    }
    if (ttlSeconds !== undefined && (!(ttlSeconds > 0) || ttlSeconds > limits.ttlSeconds)) {
      throw new BrokerError('invalidInput', `ttlSeconds must be between 1 and ${limits.ttlSeconds}`);
    }
    const now = this.ctx.clock.now();
    const current = await this.liveRow(t, namespace, key, now);
    checkVersion(namespace, key, current?.version ?? 0, ifVersion);
    const version = ((await this.anyRow(t, namespace, key))?.version ?? 0) + 1;
    // Each write sets the TTL afresh: a write without one makes the entry permanent.
    const expiresAt = ttlSeconds === undefined ? null : now + Math.round(ttlSeconds * 1000);
    await t.db.run(
      `INSERT INTO state (namespace, key, value, version, author, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, version = excluded.version,
         author = excluded.author, updated_at = excluded.updated_at, expires_at = excluded.expires_at, deleted_at = NULL`,
      [namespace, key, json, version, author, now, expiresAt],
    );
    await t.emit('state_changed', author, { namespace, key, version });
    return { namespace, key, value: JSON.parse(json) as unknown, version, author, updatedAt: now, expiresAt };
  }

  /** A peer's delete; `peermesh.*` namespaces are refused. */
  async delete(author: string, namespace: string, key: string, ifVersion?: number): Promise<boolean> {
    checkKeys(namespace, key);
    checkNotReserved(namespace);
    const now = this.ctx.clock.now();
    return this.ctx.tx(async (t) => {
      const current = await this.liveRow(t, namespace, key, now);
      if (ifVersion !== undefined) checkVersion(namespace, key, current?.version ?? 0, ifVersion);
      if (!current) return false;
      await this.bury(t, namespace, key, now);
      await t.emit('state_deleted', author, { namespace, key, version: current.version });
      return true;
    });
  }

  list(namespace: string, prefix: string, limit: number, page: { after?: string; valueBytes?: number } = {}): Promise<ListedStateEntry[]> {
    const n = Math.min(Math.max(1, Math.floor(limit) || 1), limits.page);
    const over = page.valueBytes ?? null;
    // A prefix test by substr, not LIKE: `%` and `_` in keys are ordinary characters here.
    // `key >= prefix` lets SQLite walk the primary key from the first candidate (or the next page's).
    // A value over `valueBytes` is left in the database: a page of keys costs no megabytes.
    return this.ctx.tx(async (t) => {
      const rows = await t.db.all<StateRow & { bytes: number }>(
        `SELECT namespace, key, CASE WHEN ? IS NOT NULL AND length(CAST(value AS BLOB)) > ? THEN NULL ELSE value END AS value,
           length(CAST(value AS BLOB)) AS bytes, version, author, updated_at, expires_at, deleted_at
         FROM state WHERE namespace = ? AND key >= ? AND (? IS NULL OR key > ?) AND substr(key, 1, ?) = ? AND ${live} ORDER BY key LIMIT ?`,
        [over, over, namespace, prefix, page.after ?? null, page.after ?? null, [...prefix].length, prefix, this.ctx.clock.now(), n],
      );
      return rows.map((r) => (r.value === null ? { ...toEntry({ ...r, value: 'null' }), bytes: r.bytes } : toEntry(r)));
    });
  }

  async counts(tx: SqlTx, now: number): Promise<Pick<MeshCounts, 'stateEntries'>> {
    return { stateEntries: (await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM state WHERE ${live}`, [now]))?.n ?? 0 };
  }

  /** The mesh's sweep: expired entries become tombstones; tombstones past the event retention go. */
  async sweep(t: MeshTx, now: number): Promise<{ state: number; tombstones: number }> {
    const state = await this.sweepExpired(t, now);
    return { state, tombstones: await this.prune(t, now - this.ctx.settings.retention.eventsMs) };
  }

  /** Deletes expired entries with a `state_deleted` event each; inside a transaction. */
  async sweepExpired(t: MeshTx, now: number): Promise<number> {
    const rows = await t.db.all<StateRow>(
      'SELECT * FROM state WHERE deleted_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY namespace, key', [now],
    );
    for (const row of rows) {
      await this.bury(t, row.namespace, row.key, row.expires_at ?? now);
      await t.emit('state_deleted', null, { namespace: row.namespace, key: row.key, version: row.version, expired: true });
    }
    return rows.length;
  }

  async nextExpiry(tx: SqlTx): Promise<number | null> {
    return (await tx.get<{ t: number | null }>('SELECT MIN(expires_at) AS t FROM state WHERE deleted_at IS NULL AND expires_at IS NOT NULL'))?.t ?? null;
  }

  /** Forgets tombstones older than `before`; inside a transaction. */
  async prune(t: MeshTx, before: number): Promise<number> {
    if (!(await t.db.get('SELECT 1 AS x FROM state WHERE deleted_at < ? LIMIT 1', [before]))) return 0;
    return (await t.db.run('DELETE FROM state WHERE deleted_at < ?', [before])).changes;
  }

  /** Keeps the key's version, drops its value. */
  private async bury(t: MeshTx, namespace: string, key: string, at: number): Promise<void> {
    await t.db.run(
      "UPDATE state SET value = 'null', expires_at = NULL, deleted_at = ? WHERE namespace = ? AND key = ?",
      [at, namespace, key],
    );
  }

  private anyRow(t: MeshTx, namespace: string, key: string): Promise<StateRow | undefined> {
    return t.db.get<StateRow>('SELECT * FROM state WHERE namespace = ? AND key = ?', [namespace, key]);
  }

  private liveRow(t: MeshTx, namespace: string, key: string, now: number): Promise<StateRow | undefined> {
    return t.db.get<StateRow>(`SELECT * FROM state WHERE namespace = ? AND key = ? AND ${live}`, [namespace, key, now]);
  }
}

function checkKeys(namespace: string, key: string): void {
  for (const [field, v] of [['namespace', namespace], ['key', key]] as const) {
    if (typeof v !== 'string' || v.length === 0 || v.length > limits.key) {
      throw new BrokerError('invalidInput', `${field} must be 1 to ${limits.key} characters`);
    }
  }
}

/**
 * A new entry's namespace and key are read in listings and typed by others: they must show as
 * they are. Only writes check it, so an entry written before this rule can still be read and deleted.
 */
function checkPlain(namespace: string, key: string): void {
  for (const [field, v] of [['namespace', namespace], ['key', key]] as const) {
    if (hasHiddenCharacters(v)) {
      throw new BrokerError('invalidInput', `${field} must not contain control or invisible characters (line breaks, escapes, bidi controls, zero-width characters): "${printable(v)}"`);
    }
  }
}

function checkVersion(namespace: string, key: string, currentVersion: number, ifVersion: number | undefined): void {
  if (ifVersion === undefined || ifVersion === currentVersion) return;
  const now = currentVersion === 0 ? 'it does not exist' : `it is at version ${currentVersion}`;
  const wanted = ifVersion === 0 ? 'expected it not to exist' : `expected version ${ifVersion}`;
  throw new BrokerError('versionMismatch', `${namespace}/${key}: ${wanted}, but ${now}`, { currentVersion });
}

function toEntry(row: StateRow): StateEntry {
  return {
    namespace: row.namespace, key: row.key, value: JSON.parse(row.value) as unknown, version: row.version,
    author: row.author, updatedAt: row.updated_at, expiresAt: row.expires_at,
  };
}

/**
 * Namespaces PeerMesh keeps for itself, such as the message claims (`peermesh.claims`): any peer
 * may read them, but a peer that could write them could claim a thread for someone else.
 */
const reservedPrefix = 'peermesh.';

function checkNotReserved(namespace: string): void {
  if (namespace.toLowerCase().startsWith(reservedPrefix)) {
    throw new BrokerError('unauthorized', `the ${reservedPrefix}* namespaces (here ${namespace}) are reserved for PeerMesh itself; use a namespace of your own`);
  }
}
