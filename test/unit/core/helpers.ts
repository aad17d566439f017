/**
 * Shared fixtures for the core unit tests: a real migrated sql.js database, a hand-moved
 * clock with timers that follow it, real temporary folders and git repos.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PeerIntroData } from '../../../src/core/api';
import { ManualClock } from '../../../src/core/clock';
import { createMesh, type MeshCore, type MeshOptions } from '../../../src/core/mesh';
import type { Timers } from '../../../src/core/timers';
import { migrate } from '../../../src/store/schema';
import { SqlJsDb } from '../../../src/store/sqljs';
import type { MeshEventOf, Peer } from '../../../src/protocol/entities';
import { BrokerError } from '../../../src/protocol/errors';

export async function openDb(bytes?: Uint8Array): Promise<SqlJsDb> {
  const db = await SqlJsDb.open(bytes);
  migrate(db);
  return db;
}

/** Lets promise callbacks run (resolutions, rejections, chained awaits). */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Timers driven by a {@link ManualClock}: nothing fires until {@link advance}. */
export class FakeTimers implements Timers {
  private next = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  constructor(private readonly clock: ManualClock) {}

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { at: this.clock.now() + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get size(): number {
    return this.pending.size;
  }

  /** Moves the clock by `ms`, firing due timers in time order, each at its own moment. */
  async advance(ms: number): Promise<void> {
    const end = this.clock.now() + ms;
    for (;;) {
      const due = [...this.pending.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      this.pending.delete(due[0]);
      if (due[1].at > this.clock.now()) this.clock.advance(due[1].at - this.clock.now());
      due[1].fn();
      await flush();
    }
    if (end > this.clock.now()) this.clock.advance(end - this.clock.now());
    await flush();
  }
}

export interface Harness {
  db: SqlJsDb;
  mesh: MeshCore;
  clock: ManualClock;
  timers: FakeTimers;
}

let ids = 0;
/** Deterministic ids, unique across the test run. */
export function counterId(): string {
  ids += 1;
  return (0x100000 + ids).toString(16);
}

export async function harness(opts: Partial<MeshOptions> = {}, db?: SqlJsDb): Promise<Harness> {
  const clock = opts.clock instanceof ManualClock ? opts.clock : new ManualClock();
  const timers = new FakeTimers(clock);
  const database = db ?? (await openDb());
  const mesh = createMesh(database, { timers, newId: counterId, ...opts, clock });
  return { db: database, mesh, clock, timers };
}

export function sha256(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('hex');
}

export function intro(name: string, dir: string | null = null, extra: Partial<PeerIntroData> = {}): PeerIntroData {
  return { name, kind: 'claude-code', pid: 1234, cwd: dir, workspace: dir, summary: '', ...extra };
}

/** Registers a peer with secret `secret-<name>`. */
export function join(mesh: MeshCore, name: string, dir: string | null = null, extra: Partial<PeerIntroData> = {}): Promise<Peer> {
  return mesh.peers.register(intro(name, dir, extra), sha256(`secret-${name}`));
}

const made: string[] = [];

/** A new empty folder, removed after the run. Its real path (macOS /var is a symlink). */
export function tempDir(prefix = 'peermesh-core-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

/** A folder that looks like a git work tree: `.git/HEAD` on `branch`. */
export function gitRepo(branch = 'main', dir = tempDir('peermesh-repo-')): string {
  fs.mkdirSync(path.join(dir, '.git'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.git', 'HEAD'), `ref: refs/heads/${branch}\n`);
  return dir;
}

/** A fresh mesh with peers joined in one git repo, their ids in the order of `names`. */
export async function peersInRepo(...names: string[]): Promise<{ h: Harness; ids: string[] }> {
  const h = await harness();
  const repo = gitRepo();
  const ids: string[] = [];
  for (const name of names) ids.push((await join(h.mesh, name, repo)).id);
  return { h, ids };
}

export function writeFile(file: string, text = ''): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs `fn`, expecting a BrokerError with `reason`; returns it. */
export function throwsReason(fn: () => unknown, reason: BrokerError['reason']): BrokerError {
  try {
    fn();
  } catch (e) {
    assert.ok(BrokerError.is(e, reason), `expected ${reason}, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${reason}, but it succeeded`);
}

/** Awaits `p`, expecting a BrokerError with `reason`; returns it. */
export async function rejectsReason(p: Promise<unknown>, reason: BrokerError['reason']): Promise<BrokerError> {
  try {
    await p;
  } catch (e) {
    assert.ok(BrokerError.is(e, reason), `expected ${reason}, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${reason}, but it succeeded`);
}

/** Every row of every table, for comparing two databases. */
export function dump(db: SqlJsDb): Record<string, unknown[]> {
  const tables = db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  const out: Record<string, unknown[]> = {};
  for (const { name } of tables) out[name] = db.all(`SELECT * FROM "${name}" ORDER BY 1, 2`);
  return out;
}

/** Replaces `file` as an editor or an agent's edit tool does: write a temporary file, rename it over. */
export function writeAtomically(file: string, lines: readonly string[]): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, `${lines.join('\n')}\n`);
  fs.renameSync(tmp, file);
}

/** Resolves with the next `lock_moved` event of lock `id`. */
export function nextMove(h: Harness, id: number): Promise<MeshEventOf<'lock_moved'>> {
  return new Promise((resolve) => {
    const off = h.mesh.onEvent((e) => {
      if (e.type === 'lock_moved' && e.data.id === id) {
        off();
        resolve(e);
      }
    });
  });
}
