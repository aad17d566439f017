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
import type { StateEntry } from '../protocol/entities';
import type { MeshCounts, StateService } from './api';
import type { MeshContext } from './context';
import type { MeshService } from './service';

interface StateRow {
  namespace: string; key: string; value: string; version: number; author: string;
  updated_at: number; expires_at: number | null; deleted_at: number | null;
}

const live = '(deleted_at IS NULL AND (expires_at IS NULL OR expires_at > ?))';

export class State implements StateService, MeshService {
  constructor(private readonly ctx: MeshContext) {}

  get(namespace: string, key: string): StateEntry | undefined {
    const row = this.liveRow(namespace, key, this.ctx.clock.now());
    return row && toEntry(row);
  }

  set(author: string, namespace: string, key: string, value: unknown, opts: { ifVersion?: number; ttlSeconds?: number } = {}): StateEntry {
    checkKeys(namespace, key);
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
    return this.ctx.tx(() => {
      const current = this.liveRow(namespace, key, now);
      checkVersion(namespace, key, current?.version ?? 0, ifVersion);
      const version = (this.anyRow(namespace, key)?.version ?? 0) + 1;
      // Each write sets the TTL afresh: a write without one makes the entry permanent.
      const expiresAt = ttlSeconds === undefined ? null : now + Math.round(ttlSeconds * 1000);
      this.ctx.db.run(
        `INSERT INTO state (namespace, key, value, version, author, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, version = excluded.version,
           author = excluded.author, updated_at = excluded.updated_at, expires_at = excluded.expires_at, deleted_at = NULL`,
        [namespace, key, json, version, author, now, expiresAt],
      );
      this.ctx.emit('state_changed', author, { namespace, key, version });
      return { namespace, key, value: JSON.parse(json) as unknown, version, author, updatedAt: now, expiresAt };
    });
  }

  delete(author: string, namespace: string, key: string, ifVersion?: number): boolean {
    checkKeys(namespace, key);
    const now = this.ctx.clock.now();
    return this.ctx.tx(() => {
      const current = this.liveRow(namespace, key, now);
      if (ifVersion !== undefined) checkVersion(namespace, key, current?.version ?? 0, ifVersion);
      if (!current) return false;
      this.bury(namespace, key, now);
      this.ctx.emit('state_deleted', author, { namespace, key, version: current.version });
      return true;
    });
  }

  list(namespace: string, prefix: string, limit: number): StateEntry[] {
    const n = Math.min(Math.max(1, Math.floor(limit) || 1), limits.page);
    // A prefix test by substr, not LIKE: `%` and `_` in keys are ordinary characters here.
    // `key >= prefix` lets SQLite walk the primary key from the first candidate.
    const rows = this.ctx.db.all<StateRow>(
      `SELECT * FROM state WHERE namespace = ? AND key >= ? AND substr(key, 1, ?) = ? AND ${live} ORDER BY key LIMIT ?`,
      [namespace, prefix, [...prefix].length, prefix, this.ctx.clock.now(), n],
    );
    return rows.map(toEntry);
  }

  counts(now: number): Pick<MeshCounts, 'stateEntries'> {
    return { stateEntries: this.ctx.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM state WHERE ${live}`, [now])?.n ?? 0 };
  }

  /** The mesh's sweep: expired entries become tombstones; tombstones past the event retention go. */
  sweep(now: number): { state: number; tombstones: number } {
    return { state: this.sweepExpired(now), tombstones: this.prune(now - this.ctx.settings.retention.eventsMs) };
  }

  /** Deletes expired entries with a `state_deleted` event each; inside a transaction. */
  sweepExpired(now: number): number {
    const rows = this.ctx.db.all<StateRow>(
      'SELECT * FROM state WHERE deleted_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY namespace, key', [now],
    );
    for (const row of rows) {
      this.bury(row.namespace, row.key, row.expires_at ?? now);
      this.ctx.emit('state_deleted', null, { namespace: row.namespace, key: row.key, version: row.version, expired: true });
    }
    return rows.length;
  }

  nextExpiry(): number | null {
    return this.ctx.db.get<{ t: number | null }>('SELECT MIN(expires_at) AS t FROM state WHERE deleted_at IS NULL AND expires_at IS NOT NULL')?.t ?? null;
  }

  /** Forgets tombstones older than `before`; inside a transaction. */
  prune(before: number): number {
    if (!this.ctx.db.get('SELECT 1 AS x FROM state WHERE deleted_at < ? LIMIT 1', [before])) return 0;
    return this.ctx.db.run('DELETE FROM state WHERE deleted_at < ?', [before]).changes;
  }

  /** Keeps the key's version, drops its value. */
  private bury(namespace: string, key: string, at: number): void {
    this.ctx.db.run(
      "UPDATE state SET value = 'null', expires_at = NULL, deleted_at = ? WHERE namespace = ? AND key = ?",
      [at, namespace, key],
    );
  }

  private anyRow(namespace: string, key: string): StateRow | undefined {
    return this.ctx.db.get<StateRow>('SELECT * FROM state WHERE namespace = ? AND key = ?', [namespace, key]);
  }

  private liveRow(namespace: string, key: string, now: number): StateRow | undefined {
    return this.ctx.db.get<StateRow>(`SELECT * FROM state WHERE namespace = ? AND key = ? AND ${live}`, [namespace, key, now]);
  }
}

function checkKeys(namespace: string, key: string): void {
  for (const [field, v] of [['namespace', namespace], ['key', key]] as const) {
    if (typeof v !== 'string' || v.length === 0 || v.length > limits.key) {
      throw new BrokerError('invalidInput', `${field} must be 1 to ${limits.key} characters`);
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
