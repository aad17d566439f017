/**
 * What the core needs to know about the file system: real paths, git roots and branches.
 * A port, so rules about scopes and lock paths can be tested with real temporary folders
 * (through {@link nodeWorkspaceProbe}) or with a fake.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from './clock';

export interface WorkspaceProbe {
  /** The folder holding `.git` (a folder, or a file in a worktree) at or above `dir`; null outside a repo. */
  gitRoot(dir: string): string | null;
  /** The checked-out branch of the repo at `root`, a short commit id when detached, or null. */
  gitBranch(root: string): string | null;
  /**
   * The repository the work tree at `root` belongs to: its common git directory, the same for
   * the main work tree and every worktree added to it (`git worktree add`); null outside a repo.
   */
  gitCommonDir(root: string): string | null;
  /**
   * The real (symlink-free) absolute path of `p`. When `p` does not exist yet, the real path
   * of its longest existing ancestor with the rest appended. Never throws.
   */
  realpath(p: string): string;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    fs.statSync(p);
    return true;
  } catch {
    return false;
  }
}

function readText(p: string): string | null {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}

/** Where the git metadata of a work tree lives: `.git` itself, or the folder a `.git` file points to. */
function gitDir(root: string): string | null {
  const dotGit = path.join(root, '.git');
  if (!isFile(dotGit)) return exists(dotGit) ? dotGit : null;
  const m = /^gitdir:\s*(.+?)\s*$/m.exec(readText(dotGit) ?? '');
  return m ? path.resolve(root, m[1]) : null;
}

function realpathOrNull(p: string): string | null {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return null;
  }
}

/**
 * The real path of the longest existing ancestor of the absolute path `resolved` (itself, if it
 * exists) and the components after it. If a path does not resolve, no longer one does, so the
 * ancestor is found by bisection: a few calls however deep the missing part is, where walking up
 * one folder at a time would ask the file system once per missing component.
 */
function existingAncestor(resolved: string): { real: string; rest: string[] } {
  const whole = realpathOrNull(resolved);
  if (whole !== null) return { real: whole, rest: [] };
  const root = path.parse(resolved).root;
  const parts = resolved.slice(root.length).split(path.sep).filter(Boolean);
  // The first `found` components resolve (to `real`); the first `missing` do not.
  let found = 0;
  let real = realpathOrNull(root) ?? root;
  let missing = parts.length;
  while (missing - found > 1) {
    const mid = (found + missing) >> 1;
    const hit = realpathOrNull(path.join(root, ...parts.slice(0, mid)));
    if (hit === null) missing = mid;
    else [found, real] = [mid, hit];
  }
  return { real, rest: parts.slice(found) };
}

function realpath(p: string): string {
  const { real, rest } = existingAncestor(path.resolve(p));
  return rest.length === 0 ? real : path.join(real, ...rest);
}

function gitRoot(dir: string): string | null {
  // A folder that does not exist holds no `.git`: the walk starts where the path exists.
  let cur = existingAncestor(path.resolve(dir)).real;
  for (;;) {
    if (exists(path.join(cur, '.git'))) return cur;
    const parent = path.dirname(cur);
    if (parent === cur) return null;
    cur = parent;
  }
}

function gitBranch(root: string): string | null {
  const dir = gitDir(root);
  const head = dir ? readText(path.join(dir, 'HEAD'))?.trim() : undefined;
  if (!head) return null;
  const ref = /^ref:\s*refs\/heads\/(.+)$/.exec(head);
  if (ref) return ref[1];
  return /^[0-9a-f]{7,64}$/i.test(head) ? head.slice(0, 7) : null;
}

function gitCommonDir(root: string): string | null {
  const dir = gitDir(root);
  if (!dir) return null;
  // A worktree's git dir (`<repo>/.git/worktrees/<name>`) names the shared one in `commondir`.
  const common = readText(path.join(dir, 'commondir'))?.trim();
  return realpath(common ? path.resolve(dir, common) : dir);
}

/** The real file system, read synchronously (a few `stat`s per call). */
export const nodeWorkspaceProbe: WorkspaceProbe = { realpath, gitRoot, gitBranch, gitCommonDir };

/**
 * Remembers the probe's answers for `ttlMs`: every lock request resolves a real path and a
 * git root, and walking the file system each time was a tenth of the broker's CPU per request.
 * A symlink or `.git` created meanwhile is seen once the entry expires.
 */
export function cachingProbe(probe: WorkspaceProbe, clock: Clock, ttlMs = 2000, maxEntries = 2000): WorkspaceProbe {
  const memo = <T>(fn: (key: string) => T): ((key: string) => T) => {
    const cache = new Map<string, { value: T; until: number }>();
    return (key) => {
      const now = clock.now();
      const hit = cache.get(key);
      if (hit && hit.until > now) return hit.value;
      const value = fn(key);
      if (cache.size >= maxEntries) cache.clear();
      cache.set(key, { value, until: now + ttlMs });
      return value;
    };
  };
  return {
    realpath: memo(probe.realpath), gitRoot: memo(probe.gitRoot), gitBranch: memo(probe.gitBranch), gitCommonDir: memo(probe.gitCommonDir),
  };
}
