/**
 * The SQL port the core services run on. `src/store` implements it over sql.js and records
 * every mutating statement of a transaction into the journal, so replay is exact: services
 * must therefore decide ids and timestamps themselves (from the injected clock) and never
 * call SQLite's `random()`, `datetime('now')` or similar in mutating statements.
 *
 * The port is asynchronous because a server database's client is (PostgreSQL, DESIGN §8);
 * an embedded store resolves at once. Every statement runs inside {@link SqlStore.transaction}.
 */
export type SqlValue = string | number | null | Uint8Array;

/** The statements of one transaction. Valid only until the transaction's `fn` settles. */
export interface SqlTx {
  /** Runs a mutating statement; resolves to the rows changed and, for an INSERT, its rowid (else 0). */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number; lastInsertRowid: number }>;
  /** First row of a query, or undefined. Column names are the object keys. */
  get<T = Record<string, SqlValue>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  all<T = Record<string, SqlValue>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /**
   * Runs `fn` once this transaction has committed, before the store's next transaction
   * starts, so what one transaction announces goes out before anything of the next one.
   * Dropped if the transaction rolls back.
   */
  afterCommit(fn: () => void): void;
}

export interface SqlStore {
  /**
   * Runs `fn` in one transaction: all its statements commit together (and are journaled as
   * one entry) or, if it rejects, none do. Transactions of one store run one at a time, in
   * the order they were asked for; do not call `transaction` from inside `fn` (it would wait
   * for itself): pass the `tx` down instead.
   */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
}
