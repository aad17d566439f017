/**
 * Figure 9: what following claims costs the broker when a large claimed file changes. Pure CPU
 * in this process (core/reanchor.ts): a 50,000-line file with ten claims on it, after a one-line
 * edit, after a reformat (every line re-indented), and after a rewrite too large to diff (each
 * claim then re-found by its lines).
 */
import { followEdit, type LineRange } from '../../src/core/reanchor';
import { insertAt, longSource } from '../unit/core/reanchor-fixture';
import { now, summarize, type Summary } from './util';

export interface ReanchorFigures {
  lines: number;
  claims: number;
  runs: number;
  edit: Summary;
  reformat: Summary;
  rewrite: Summary;
}

/** The budget of one re-anchoring of a 50,000-line file, at p99. */
export const reanchorBudgetMs = 100;

function timed(before: string[], after: string[], claims: LineRange[], runs: number): Summary {
  const out: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = now();
    const placed = followEdit(before, after, claims);
    const ms = now() - t0;
    if (placed.some((p) => p.lost)) throw new Error('re-anchor bench: a claim lost its code, the edit was meant to keep it');
    if (i >= 3) out.push(ms);
  }
  return summarize(out);
}

export function measureReanchor(quick: boolean, log: (s: string) => void): Promise<ReanchorFigures> {
  const lines = 50_000;
  const runs = quick ? 20 : 100;
  const before = longSource(lines);
  const claims = Array.from({ length: 10 }, (_, i) => ({ startLine: 1 + i * 4_987, endLine: 7 + i * 4_987 }));
  log(`re-anchor: ${lines} lines, ${claims.length} claims, ${runs} runs each of an edit, a reformat, a rewrite`);
  const edited = insertAt(before, 25_000, ['  if (line.startsWith(\'#\')) return undefined;']);
  const reformatted = before.map((l) => l.replace(/^( *)/, (s) => `${s}${s}\t`));
  const rewritten = before.map((l, i) => (claims.some((c) => i + 1 >= c.startLine && i + 1 <= c.endLine) ? l : `${l} // ${i}`));
  return Promise.resolve({
    lines, claims: claims.length, runs,
    edit: timed(before, edited, claims, runs),
    reformat: timed(before, reformatted, claims, runs),
    rewrite: timed(before, rewritten, claims, runs),
  });
}
