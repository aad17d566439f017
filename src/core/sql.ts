/**
 * The SQL port the core services run on. `src/store` implements it over sql.js and records
 * every mutating statement of a transaction into the journal, so replay is exact: services
 * must therefore decide ids and timestamps themselves (from the injected clock) and never
 * call SQLite's `random()`, `datetime('now')` or similar in mutating statements.
 */
export type SqlValue = string | number | null | Uint8Array;

export interface SqlDb {
  /** Runs a mutating statement; returns the rows changed and, for an INSERT, its rowid (else 0). */
  run(sql: string, params?: readonly SqlValue[]): { changes: number; lastInsertRowid: number };
  /** First row of a query, or undefined. Column names are the object keys. */
  get<T = Record<string, SqlValue>>(sql: string, params?: readonly SqlValue[]): T | undefined;
  all<T = Record<string, SqlValue>>(sql: string, params?: readonly SqlValue[]): T[];
  /**
   * Runs `fn` in one transaction: all its statements commit together (and are journaled as
   * one entry) or, if it throws, none do. Nested calls join the outer transaction.
   */
  transaction<T>(fn: () => T): T;
}
