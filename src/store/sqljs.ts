/**
 * sql.js behind the core's {@link SqlDb} port. Every mutating statement made inside a
 * transaction is recorded with its parameters; when the outermost transaction commits, the
 * recorded batch is handed to `onCommit` (the journal). Replaying the batches on the same
 * snapshot rebuilds the same database, because services decide ids and times themselves.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import initSqlJs, { type Database, type SqlJsStatic, type Statement } from 'sql.js';
import type { SqlDb, SqlValue } from '../core/sql';

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

export class SqlJsDb implements SqlDb {
  /** Called with each committed batch, synchronously, before `transaction` returns. */
  onCommit: ((batch: Batch) => void) | undefined;
  /**
   * Asked when a statement changed rows: the error to refuse the change with (the disk is
   * full), or undefined. A refused statement throws, so its transaction rolls back and memory
   * keeps only what can be saved; statements that change nothing (reads, idle sweeps) pass.
   */
  writeGuard: (() => Error | undefined) | undefined;
  private refused: Error | undefined;
  private depth = 0;
  private batch: Batch = [];
  private readonly statements = new Map<string, Statement>();

  private constructor(private db: Database) {
    this.configure();
  }

  static async open(bytes?: Uint8Array): Promise<SqlJsDb> {
    const SQL = await loadSqlJs();
    return new SqlJsDb(new SQL.Database(bytes));
  }

  run(sql: string, params: readonly SqlValue[] = []): { changes: number; lastInsertRowid: number } {
    return this.transaction(() => {
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
    });
  }

  get<T = Record<string, SqlValue>>(sql: string, params: readonly SqlValue[] = []): T | undefined {
    const stmt = this.prepare(sql);
    try {
      stmt.bind(params as SqlValue[]);
      return stmt.step() ? (stmt.getAsObject() as T) : undefined;
    } finally {
      stmt.reset();
    }
  }

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

  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.db.exec('BEGIN');
    this.depth = 1;
    this.batch = [];
    this.refused = undefined;
    try {
      const result = fn();
      if (this.refused) throw this.refused;
      this.db.exec('COMMIT');
      this.depth = 0;
      const batch = this.batch;
      this.batch = [];
      if (batch.length > 0) this.onCommit?.(batch);
      return result;
    } catch (e) {
      this.depth = 0;
      this.batch = [];
      this.refused = undefined;
      this.db.exec('ROLLBACK');
      throw e;
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

  /** Runs DDL or other multi-statement SQL (migrations); never journaled. */
  exec(sql: string): void {
    this.db.exec(sql);
  }

  /**
   * The whole database as bytes. sql.js closes and reopens the database to do this, which
   * frees prepared statements and resets pragmas, so both are rebuilt here.
   */
  export(): Uint8Array {
    if (this.depth > 0) throw new Error('cannot export inside a transaction');
    this.clearStatements();
    const bytes = this.db.export();
    this.configure();
    return bytes;
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
