/**
 * sql.js behind the core's {@link SqlStore} port. Every mutating statement made inside a
 * transaction is recorded with its parameters; when the outermost transaction commits, the
 * recorded batch is handed to `onCommit` (the journal). Replaying the batches on the same
 * snapshot rebuilds the same database, because services decide ids and times themselves.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import initSqlJs, { type Database, type SqlJsStatic, type Statement } from 'sql.js';
import type { SqlStore, SqlTx, SqlValue } from '../core/sql';

/** One committed transaction: its statements and their parameters, in order. */
export type Batch = Array<[sql: string, params: SqlValue[]]>;

let sqlJs: Promise<SqlJsStatic> | undefined;
const isInsert = /^\s*(INSERT|REPLACE)\b/i;

/**
 * Loads the sql.js wasm once per process. The bundles ship `sql-wasm.wasm` beside themselves;
 * when running from source it comes from the sql.js package.
 */
export function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= initSqlJs({
    locateFile: (file: string) => {
      const beside = path.join(__dirname, file);
      return existsSync(beside) ? beside : require.resolve(`sql.js/dist/${file}`);
    },
  });
  return sqlJs;
}

export class SqlJsDb implements SqlStore {
  /** Called with each committed batch, synchronously, before `transaction` resolves. */
  onCommit: ((batch: Batch) => void) | undefined;
  /**
   * Asked when a statement changed rows: the error to refuse the change with (the disk is
   * full), or undefined. A refused statement throws, so its transaction rolls back and memory
   * keeps only what can be saved; statements that change nothing (reads, idle sweeps) pass.
   */
  writeGuard: (() => Error | undefined) | undefined;
  private refused: Error | undefined;
  /** A transaction (or an {@link exclusive} turn) holds the database; later ones queue. */
  private busy = false;
  private readonly queue: Array<() => void> = [];
  /** BEGIN is issued at the first `run`: a transaction that only reads needs none. */
  private begun = false;
  private batch: Batch = [];
  private readonly statements = new Map<string, Statement>();

  private constructor(private db: Database) {
    this.configure();
  }

  static async open(bytes?: Uint8Array): Promise<SqlJsDb> {
    const SQL = await loadSqlJs();
    return new SqlJsDb(new SQL.Database(bytes));
  }

  /**
   * One transaction at a time, in call order. When none is running, `fn` starts at once, in
   * the caller's tick, and since every statement resolves at once the whole transaction
   * costs only microtasks: sql.js adds no latency for being behind an async port.
   */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      this.batch = [];
      this.refused = undefined;
      this.begun = false;
      let open = true;
      const committed: Array<() => void> = [];
      const live = () => {
        if (!open) throw new Error('internal: a statement after its transaction ended');
      };
      const tx: SqlTx = {
        run: (sql, params) => attempt(() => (live(), this.run(sql, params))),
        get: <R>(sql: string, params?: readonly SqlValue[]) => attempt(() => (live(), this.get<R>(sql, params))),
        all: <R>(sql: string, params?: readonly SqlValue[]) => attempt(() => (live(), this.all<R>(sql, params))),
        afterCommit: (fn) => {
          live();
          committed.push(fn);
        },
      };
      let result: T;
      try {
        result = await fn(tx);
        if (this.refused) throw this.refused;
        if (this.begun) this.db.exec('COMMIT');
        const batch = this.batch;
        if (batch.length > 0) this.onCommit?.(batch);
      } catch (e) {
        if (this.begun) this.db.exec('ROLLBACK');
        throw e;
      } finally {
        open = false;
        this.begun = false;
        this.batch = [];
        this.refused = undefined;
      }
      // Still this transaction's turn: the next one starts after these.
      for (const fn of committed) fn();
      return result;
    });
  }

  /**
   * Runs `fn` when no transaction is running, holding off the next ones until it settles
   * (a snapshot's export, which must not see half a transaction).
   */
  async exclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.busy) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.busy = true;
    try {
      return await fn();
    } finally {
      // Hands the turn straight to the next in line, so no newcomer overtakes it.
      const next = this.queue.shift();
      if (next) next();
      else this.busy = false;
    }
  }

  /** A read outside the port, for the store itself and tests (migrations, dumps); never inside a transaction's turn. */
  get<T = Record<string, SqlValue>>(sql: string, params: readonly SqlValue[] = []): T | undefined {
    const stmt = this.prepare(sql);
    try {
      stmt.bind(params as SqlValue[]);
      return stmt.step() ? (stmt.getAsObject() as T) : undefined;
    } finally {
      stmt.reset();
    }
  }

  /** Every row of a read; see {@link get}. */
  all<T = Record<string, SqlValue>>(sql: string, params: readonly SqlValue[] = []): T[] {
    const stmt = this.prepare(sql);
    const rows: T[] = [];
    try {
      stmt.bind(params as SqlValue[]);
      while (stmt.step()) rows.push(stmt.getAsObject() as T);
      return rows;
    } finally {
      stmt.reset();
    }
  }

  /** Replays a journaled batch in one transaction, without journaling it again. */
  apply(batch: Batch): void {
    this.db.exec('BEGIN');
    try {
      for (const [sql, params] of batch) this.prepare(sql).run(params);
      this.db.exec('COMMIT');
    } catch (e) {
      this.db.exec('ROLLBACK');
      throw e;
    }
  }

  /** A mutating statement of the running transaction, recorded for the journal. */
  private run(sql: string, params: readonly SqlValue[] = []): { changes: number; lastInsertRowid: number } {
    if (!this.begun) {
      this.db.exec('BEGIN');
      this.begun = true;
    }
    this.prepare(sql).run(params as SqlValue[]);
    const changes = this.db.getRowsModified();
    // A statement that changed nothing has no effect to replay (idle sweeps stay out of the journal).
    if (changes > 0) {
      const refusal = this.writeGuard?.();
      // Remembered too, so a caller that catches it cannot commit the rest of the transaction.
      if (refusal) throw (this.refused = refusal);
      this.batch.push([sql, [...params]]);
    }
    // Only an INSERT sets it; asking costs a statement, so the others do not.
    const lastInsertRowid = isInsert.test(sql) ? Number(this.get<{ id: number }>('SELECT last_insert_rowid() AS id')?.id ?? 0) : 0;
    return { changes, lastInsertRowid };
  }

  /** Runs DDL or other multi-statement SQL (migrations); never journaled. */
  exec(sql: string): void {
    this.db.exec(sql);
  }

  /**
   * The whole database as bytes. sql.js closes and reopens the database to do this, which
   * frees prepared statements and resets pragmas, so both are rebuilt here.
   */
  export(): Uint8Array {
    if (this.begun) throw new Error('cannot export inside a transaction');
    this.clearStatements();
    const bytes = this.db.export();
    this.configure();
    return bytes;
  }

  /**
   * Rebuilds the database without its free pages (VACUUM) when they are at least `share` of it
   * and a megabyte or more: deleting rows frees pages but never shrinks the file, so after a
   * prune of many large messages every snapshot would keep writing the space they took. Only
   * between transactions; row ids are kept (every table that hands out ids has an INTEGER
   * PRIMARY KEY), so journal entries replay onto the result as onto the original. Returns the
   * page counts when it did, else undefined.
   */
  compact(share = 0.25, minFreeBytes = 1024 * 1024): { pagesBefore: number; pagesAfter: number } | undefined {
    if (this.begun) throw new Error('cannot compact inside a transaction');
    const pages = () => this.get<{ page_count: number }>('PRAGMA page_count')?.page_count ?? 0;
    const free = this.get<{ freelist_count: number }>('PRAGMA freelist_count')?.freelist_count ?? 0;
    const pageSize = this.get<{ page_size: number }>('PRAGMA page_size')?.page_size ?? 4096;
    const pagesBefore = pages();
    if (free === 0 || free < pagesBefore * share || free * pageSize < minFreeBytes) return undefined;
    // VACUUM refuses to run while a statement is open; prepared ones are rebuilt when next used.
    this.clearStatements();
    this.db.exec('VACUUM');
    return { pagesBefore, pagesAfter: pages() };
  }

  close(): void {
    this.clearStatements();
    this.db.close();
  }

  private prepare(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private clearStatements(): void {
    for (const s of this.statements.values()) s.free();
    this.statements.clear();
  }

  private configure(): void {
    // The journal gives durability; SQLite's own is redundant inside an in-memory file.
    // Exclusive locking: only this process opens this file, and without it every statement
    // probes sql.js's virtual file system for a hot journal (about 10x the cost of a SELECT).
    this.db.exec('PRAGMA foreign_keys = ON; PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE;');
  }
}

/** `fn`'s result as a settled promise: a throw becomes a rejection, as from a real client. */
function attempt<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}
