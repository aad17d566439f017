/**
 * Where a pushed delta goes: to the live peers, other than its author, whose work touches
 * what it affects. In this order (a peer is routed once, for the first reason found):
 *
 * - `task`: the assignee of a task the delta names, of a task whose files or globs overlap an
 *   affected file, or of a task that codes against an affected contract (a done task only
 *   when named: its assignee has moved on).
 * - `claim`: the holder of a live lock on an affected file.
 * - `edit`: a peer that edited an affected file in the last {@link recentEditMs}.
 *
 * Affected files are the delta's files and globs (relative to the project root) and, for a
 * contract change, the files of its contracts. Overlap is task-overlap.ts's (picomatch).
 */
import path from 'node:path';
import type { DeltaAffects } from '../protocol/coordination';
import type { Contract, Task } from '../protocol/plan';
import type { Route } from './delta-store';
import type { SqlTx } from './sql';
import { patternOverlap, toPattern, type Pattern } from './task-overlap';

/** How long after an edit its peer still counts as working on the file: half an hour. */
export const recentEditMs = 30 * 60_000;

/** What a delta touches, as routing needs it. */
export interface Affected {
  /** The project's root folder (absolute, real). */
  root: string;
  affects: DeltaAffects;
  /** Affected files and globs, as patterns relative to the root (the contracts' files included). */
  files: readonly Pattern[];
  /** The plan's tasks (none without a plan). */
  tasks: readonly Task[];
}

/** The affected files of a delta: its own (each must name something inside the root) and its contracts' files. */
export function affectedFiles(root: string, files: readonly string[], contracts: readonly Contract[]): { patterns: Pattern[]; outside: string[] } {
  const patterns: Pattern[] = [];
  const outside: string[] = [];
  for (const f of files) {
    const p = toPattern(f, root);
    if (p) patterns.push(p);
    else outside.push(f);
  }
  for (const c of contracts) {
    const p = c.file === null ? null : toPattern(c.file, root);
    if (p) patterns.push(p);
  }
  return { patterns, outside };
}

/** The routes of a delta by `author` at `now`, in the order of the file's header; each live peer at most once. */
export async function routeDelta(db: SqlTx, author: string, what: Affected, now: number): Promise<Route[]> {
  const live = new Map((await db.all<{ id: string; name: string }>("SELECT id, name FROM peers WHERE status != 'gone' AND id != ?", [author]))
    .map((p) => [p.id, p.name]));
  const routes: Route[] = [];
  const add = (peer: string, reason: Route['reason'], via: string) => {
    const peerName = live.get(peer);
    if (peerName !== undefined && !routes.some((r) => r.peer === peer)) routes.push({ peer, peerName, reason, via });
  };
  for (const task of what.tasks) if (task.assignee && touchesTask(task, what)) add(task.assignee, 'task', task.id);
  for (const claim of await claimsIn(db, what.root, now)) if (what.files.some((p) => p.matches(claim.rel))) add(claim.holder, 'claim', claim.rel);
  for (const edit of await editsIn(db, what.root, now - recentEditMs)) if (what.files.some((p) => p.matches(edit.rel))) add(edit.peer, 'edit', edit.rel);
  return routes;
}

function touchesTask(task: Task, what: Affected): boolean {
  if (what.affects.tasks.includes(task.id)) return true;
  if (task.status === 'done') return false;
  if (task.contracts.some((c) => what.affects.contracts.includes(c))) return true;
  const own = task.files.map((f) => toPattern(f, what.root)).filter((p): p is Pattern => p !== null);
  return own.some((a) => what.files.some((b) => patternOverlap(a, b) !== null));
}

/** SQL that `column` is a path inside `root`, and its parameters. */
function inside(column: string, root: string): [string, Array<string | number>] {
  const folder = root.endsWith(path.sep) ? root : root + path.sep;
  return [`substr(${column}, 1, ?) = ?`, [[...folder].length, folder]];
}

const relative = (root: string, file: string) => path.relative(root, file).split(path.sep).join('/');

/** Live locks on files inside `root`, oldest first, with their paths relative to it. */
async function claimsIn(db: SqlTx, root: string, now: number): Promise<Array<{ holder: string; rel: string }>> {
  const [where, params] = inside('path', root);
  const rows = await db.all<{ holder: string; path: string }>(`SELECT holder, path FROM locks WHERE expires_at > ? AND ${where} ORDER BY id`, [now, ...params]);
  return rows.map((r) => ({ holder: r.holder, rel: relative(root, r.path) }));
}

/** Who edited which file inside `root` since `since` (`file_edited` events), each peer and file once, latest first. */
async function editsIn(db: SqlTx, root: string, since: number): Promise<Array<{ peer: string; rel: string }>> {
  const [where, params] = inside("json_extract(data, '$.path')", root);
  const rows = await db.all<{ peer: string; path: string }>(
    `SELECT peer, json_extract(data, '$.path') AS path, MAX(seq) AS last FROM events
     WHERE type = 'file_edited' AND at >= ? AND peer IS NOT NULL AND ${where} GROUP BY peer, path ORDER BY last DESC`,
    [since, ...params],
  );
  return rows.map((r) => ({ peer: r.peer, rel: relative(root, r.path) }));
}
