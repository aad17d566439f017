/**
 * Which other work touches a task's files: other peers' live claims inside the project, and
 * their tasks in progress whose files overlap. Warnings, not refusals: a task names what it
 * will probably change, in files or globs relative to the project root, so the comparison
 * leans towards saying "overlaps" when it cannot tell.
 *
 * Two patterns overlap when either matches the other taken literally (`src/api/**` and
 * `src/api/users.ts`), when one names a folder holding the other, or, for two globs, when one's
 * static base folder holds the other's (`src/**` and `src/api/*.ts`) and their files may end
 * alike (`src/**\/*.ts` and `src/**\/*.css` never name the same file). A path without glob
 * characters names a file or a whole folder (`src/api`, `src/api/`). Glob matching is picomatch's.
 */
import path from 'node:path';
import picomatch from 'picomatch';
import type { Overlap, Task } from '../protocol/plan';
import { isInside } from './paths';
import { taskSelect, toTask, type TaskRow } from './plan-store';
import type { SqlTx } from './sql';

const nocase = process.platform === 'win32' || process.platform === 'darwin';

/** A task's file or glob, normalized, relative to the project root. */
export interface Pattern {
  text: string;
  glob: boolean;
  /** The folder before the first glob character; for a literal, the whole path. */
  base: string;
  /** Written as a folder (with a trailing slash, or the root itself). */
  folder: boolean;
  matches: (p: string) => boolean;
}

/**
 * `raw` as a pattern relative to `root`: `./` and trailing slashes dropped, an absolute path
 * inside the root made relative. Null for what cannot name anything inside the root.
 */
export function toPattern(raw: string, root: string): Pattern | null {
  let text = raw.trim().replace(/\/{2,}/g, '/');
  if (path.isAbsolute(text)) {
    if (!isInside(text, root)) return null;
    text = path.relative(root, text).split(path.sep).join('/');
  }
  const folder = text.endsWith('/') || text === '.' || text === '';
  text = text.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (text === '.') text = '';
  if (text === '..' || text.startsWith('../')) return null;
  const scan = picomatch.scan(text);
  const matcher = scan.isGlob ? picomatch(text, { dot: true, nocase }) : undefined;
  return {
    text,
    glob: scan.isGlob,
    folder,
    base: scan.isGlob ? scan.base.replace(/\/+$/, '') : text,
    matches: matcher ?? ((p) => within(p, text)),
  };
}

/** Whether `child` is the folder or file `parent` or inside it ('' is the root: everything). */
function within(child: string, parent: string): boolean {
  const [c, p] = nocase ? [child.toLowerCase(), parent.toLowerCase()] : [child, parent];
  return p === '' || c === p || c.startsWith(`${p}/`);
}

/** A literal path that may name a folder: written with a trailing slash, or its last part has no dot. */
function mayBeFolder(literal: Pattern): boolean {
  return literal.folder || !path.posix.basename(literal.text).includes('.');
}

/** The narrower of two overlapping patterns (what both touch, `.` for the root), or null when they do not overlap. */
export function patternOverlap(a: Pattern, b: Pattern): string | null {
  const hit = overlapOf(a, b);
  return hit === null ? null : hit || '.';
}

function overlapOf(a: Pattern, b: Pattern): string | null {
  if (!a.glob && !b.glob) return within(a.text, b.text) ? a.text : within(b.text, a.text) ? b.text : null;
  if (a.glob && b.glob) {
    if (disjointSuffixes(a.text, b.text)) return null;
    if (a.matches(b.text) || within(b.base, a.base)) return b.text;
    if (b.matches(a.text) || within(a.base, b.base)) return a.text;
    return null;
  }
  const [glob, literal] = a.glob ? [a, b] : [b, a];
  if (glob.matches(literal.text)) return literal.text;
  // The literal is a folder holding the glob's base: everything the glob names is inside it.
  if (within(glob.base, literal.text)) return glob.text;
  // The literal may be a folder under the glob's base, holding files the glob names.
  if (mayBeFolder(literal) && within(literal.text, glob.base)) return literal.text;
  return null;
}

/**
 * The literal end of a glob's last segment (`.ts` of `src/**\/*.ts`), '' when it ends in a glob
 * character (`src/**`, `*.{ts,tsx}`): what every file it names ends with.
 */
function literalSuffix(glob: string): string {
  const last = glob.slice(glob.lastIndexOf('/') + 1);
  const m = /[*?[\]{}]([^*?[\]{}]*)$/.exec(last);
  return m ? m[1] : '';
}

/** Two globs whose files must end differently (`*.ts`, `*.css`) name no file in common. */
function disjointSuffixes(a: string, b: string): boolean {
  const [sa, sb] = [literalSuffix(a), literalSuffix(b)];
  const [x, y] = nocase ? [sa.toLowerCase(), sb.toLowerCase()] : [sa, sb];
  return x !== '' && y !== '' && !x.endsWith(y) && !y.endsWith(x);
}

interface LockRow { id: number; path: string; holder: string; holder_name: string }

/**
 * Other peers' live claims inside `root` on the task's files, and their tasks in progress in
 * the same project whose files overlap the task's: each claim and each task once.
 */
export async function taskOverlaps(db: SqlTx, root: string, task: Task, caller: string, now: number): Promise<Overlap[]> {
  const mine = task.files.map((f) => toPattern(f, root)).filter((p): p is Pattern => p !== null);
  if (mine.length === 0) return [];
  const out: Overlap[] = [];
  const folder = root.endsWith(path.sep) ? root : root + path.sep;
  const locks = await db.all<LockRow>(
    'SELECT id, path, holder, holder_name FROM locks WHERE holder != ? AND expires_at > ? AND (path = ? OR substr(path, 1, ?) = ?) ORDER BY id',
    [caller, now, root, [...folder].length, folder],
  );
  for (const lock of locks) {
    const rel = path.relative(root, lock.path).split(path.sep).join('/');
    // A claim is on one file: it overlaps a pattern that names it, or a folder holding it.
    if (mine.some((p) => p.matches(rel))) out.push({ kind: 'lock', peer: lock.holder, peerName: lock.holder_name, path: rel, lockId: lock.id });
  }
  const others = (await db.all<TaskRow>(
    `${taskSelect} WHERE t.project = ? AND t.status = 'in_progress' AND t.assignee IS NOT NULL AND t.assignee != ?
       AND t.id != ? AND p.status IS NOT NULL AND p.status != 'gone' ORDER BY t.position`,
    [root, caller, task.id],
  )).map(toTask);
  for (const other of others) {
    const theirs = other.files.map((f) => toPattern(f, root)).filter((p): p is Pattern => p !== null);
    const shared = firstOverlap(mine, theirs);
    if (shared !== null && other.assignee !== null) {
      out.push({ kind: 'task', peer: other.assignee, peerName: other.assigneeName ?? other.assignee, path: shared, task: other.id });
    }
  }
  return out;
}

function firstOverlap(a: readonly Pattern[], b: readonly Pattern[]): string | null {
  for (const x of a) {
    for (const y of b) {
      const hit = patternOverlap(x, y);
      if (hit !== null) return hit;
    }
  }
  return null;
}
