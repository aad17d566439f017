/**
 * Lock targets in one canonical form, so two peers naming the same file differently
 * (relative vs absolute, through a symlink, from another folder) contend for the same lock.
 */
import path from 'node:path';
import { BrokerError } from '../protocol/errors';
import { limits } from '../protocol/limits';
import type { LineSpan, WorktreeClaim } from '../protocol/entities';
import type { LockTarget } from '../protocol/methods';
import { printable } from './printable';
import { spanText } from './span-text';
import type { WorkspaceProbe } from './workspace';

/** A lock target after normalization; `startLine`/`endLine` are both null for a whole file. */
export interface NormalizedTarget {
  /** Absolute real path (symlinks resolved as far as the path exists). */
  path: string;
  /** Git root of the file's folder, else the peer's workspace if the file is inside it. */
  root: string | null;
  /** Path relative to `root` with `/` separators; the absolute path when there is no root. */
  relPath: string;
  /** The repository (common git dir) the file is in, the same for all its worktrees; null outside git. */
  repo: string | null;
  startLine: number | null;
  endLine: number | null;
  /** A symbol target's dotted name: its lines are resolved against the file's text (core/symbols.ts). */
  symbol?: string;
}

/** Whether `child` is `parent` or inside it. */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Normalizes a target as seen by a peer: a relative path is resolved against `base` (the
 * peer's cwd, else its workspace); then the real path of its longest existing prefix is taken
 * (the file may not exist yet).
 */
export function normalizeTarget(
  target: LockTarget,
  base: string | null,
  workspace: string | null,
  probe: WorkspaceProbe,
): NormalizedTarget {
  const input = checkPathText(target.path, 'path');
  const { startLine, endLine } = validateLines(target.startLine, target.endLine);
  if (target.symbol !== undefined) {
    if (startLine !== null) throw new BrokerError('invalidInput', 'give a symbol or lines, not both');
    checkSymbolName(target.symbol);
  }
  if (!path.isAbsolute(input) && !base) {
    throw new BrokerError('invalidInput', `"${printable(input)}" is relative, but this peer has no cwd: give an absolute path`);
  }
  const real = probe.realpath(checkPathDepth(base ? path.resolve(base, input) : path.resolve(input), input, 'path'));
  const gitRoot = probe.gitRoot(path.dirname(real));
  const root = gitRoot ?? (workspace && isInside(real, workspace) ? workspace : null);
  const relPath = root ? path.relative(root, real).split(path.sep).join('/') || '.' : real;
  return { path: real, root, relPath, repo: gitRoot && probe.gitCommonDir(gitRoot), startLine, endLine, ...(target.symbol !== undefined && { symbol: target.symbol }) };
}

/** A symbol name as a caller gave it: a dotted path of names, within the length names have. */
export function checkSymbolName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > limits.symbol || /\s/.test(name) || name.split('.').some((part) => part === '')) {
    throw new BrokerError('invalidInput', `symbol "${printable(String(name).slice(0, limits.symbol))}" is not a dotted name like AuthService.refresh (at most ${limits.symbol} characters)`);
  }
}

/**
 * A path as a caller gave it, refused before any file-system call when it cannot name a file:
 * empty (it would resolve to the working directory), too long, or holding a NUL (which Node's
 * `fs` rejects with an error about its own arguments, not the caller's path).
 */
export function checkPathText(input: unknown, field: string): string {
  if (typeof input !== 'string' || input.length === 0) throw new BrokerError('invalidInput', `the ${field} is empty: name a file`);
  if (input.length > limits.path) throw new BrokerError('invalidInput', `${field} is ${input.length} characters long; at most ${limits.path}`);
  const nul = input.indexOf('\0');
  if (nul >= 0) {
    throw new BrokerError('invalidInput',
      `${field} "${printable(preview(input))}" holds a NUL character (\\0) at position ${nul + 1}: no file name can contain one`);
  }
  return input;
}

/**
 * `absolute` (the resolved `input`), refused when it has more than {@link limits.pathDepth}
 * components: resolving a real path and a git root costs file-system calls per component, made
 * synchronously on the broker's only thread, so a path of thousands of components would hold
 * up every other peer. No real project comes near the limit.
 */
export function checkPathDepth(absolute: string, input: string, field: string): string {
  const depth = absolute.split(path.sep).filter(Boolean).length;
  if (depth > limits.pathDepth) {
    throw new BrokerError('invalidInput', `${field} "${printable(preview(input))}" is ${depth} folders deep; a path may be at most ${limits.pathDepth} deep`);
  }
  return absolute;
}

/** The start of a long path, enough to recognize it in an error. */
function preview(p: string): string {
  return p.length > 80 ? `${p.slice(0, 80)}…` : p;
}

function validateLines(start: number | undefined, end: number | undefined): { startLine: number | null; endLine: number | null } {
  if (start === undefined && end === undefined) return { startLine: null, endLine: null };
  if (start === undefined || end === undefined) {
    throw new BrokerError('invalidInput', 'give both startLine and endLine, or neither');
  }
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 1 || end < 1) {
    throw new BrokerError('invalidInput', 'startLine and endLine must be whole numbers from 1');
  }
  if (start > end) throw new BrokerError('invalidInput', `startLine ${start} is after endLine ${end}`);
  return { startLine: start, endLine: end };
}

export interface Span {
  startLine: number | null;
  endLine: number | null;
}

/** Whole file overlaps everything; inclusive line ranges overlap when they share a line. */
export function spansOverlap(a: Span, b: Span): boolean {
  if (a.startLine === null || a.endLine === null || b.startLine === null || b.endLine === null) return true;
  return a.startLine <= b.endLine && b.startLine <= a.endLine;
}

/** `src/a.ts`, `src/a.ts:12`, `src/a.ts:10-20` or `src/a.ts#Auth.refresh (lines 10-20)`. */
export function describeTarget(t: { relPath: string; symbol?: string } & Span): string {
  if (t.symbol !== undefined) {
    const where = t.startLine === null || t.endLine === null ? '' : ` (${t.startLine === t.endLine ? 'line' : 'lines'} ${spanText({ startLine: t.startLine, endLine: t.endLine })})`;
    return `${t.relPath}#${t.symbol}${where}`;
  }
  if (t.startLine === null || t.endLine === null) return t.relPath;
  return `${t.relPath}:${spanText({ startLine: t.startLine, endLine: t.endLine })}`;
}

/**
 * `also claimed in worktree app-feature on branch feature by bob: lines 10-20`: the same file
 * claimed in another worktree of its repository (a warning: edits in two worktrees meet only at
 * merge), as printable text.
 */
export function describeWorktreeClaim(w: WorktreeClaim): string {
  const where = `worktree ${path.basename(w.worktree)}${w.branch ? ` on branch ${w.branch}` : ''}`;
  const { startLine, endLine } = w.lock;
  const what = startLine === null || endLine === null ? 'the whole file' : `${startLine === endLine ? 'line' : 'lines'} ${spanText({ startLine, endLine })}`;
  return printable(`also claimed in ${where} by ${w.lock.holderName}: ${what}${w.lock.anchorLost ? ' (code gone)' : ''}`);
}

/**
 * Sorted, with overlapping and adjacent spans joined; `invalidInput` for a span that ends
 * before it starts.
 */
export function mergeSpans(ranges: readonly LineSpan[]): LineSpan[] {
  for (const r of ranges) {
    if (r.startLine > r.endLine) throw new BrokerError('invalidInput', `line range ${r.startLine}-${r.endLine} ends before it starts`);
  }
  const sorted = [...ranges].sort((a, b) => a.startLine - b.startLine);
  const out: LineSpan[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.startLine <= last.endLine + 1) last.endLine = Math.max(last.endLine, r.endLine);
    else out.push({ startLine: r.startLine, endLine: r.endLine });
  }
  return out;
}
