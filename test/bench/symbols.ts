/**
 * Figure 10: what a symbol claim costs the broker: resolving a symbol by name in a TypeScript
 * file of 1,000, 10,000 and 50,000 lines (a parse of the whole text and a walk of its
 * declarations, core/symbols.ts), the same work a claim's re-resolution does after an edit.
 * Pure CPU in this process; the first load of the parser (runtime and grammar) apart. Two
 * figures per size: a first resolution (a whole parse) and one after a one-line edit (parsed
 * from the file's last tree; the declarations are still all looked up).
 */
import { declarationsIn, resolveSymbol } from '../../src/core/symbols';
import { longSource } from '../unit/core/reanchor-fixture';
import { now, summarize, type Summary } from './util';

export interface SymbolFigures {
  /** Loading the tree-sitter runtime and the TypeScript grammar, once per process, in ms. */
  loadMs: number;
  runs: number;
  sizes: Array<{ lines: number; declarations: number; resolve: Summary; edited: Summary }>;
}

/**
 * The budget of one resolution in a 50,000-line file, at p99: a claim on a file not parsed
 * before (a whole parse). A re-resolution after an edit runs in the broker's transaction, once
 * per change of a file that carries symbol claims, and parses only what changed from the
 * file's last tree: its own, smaller budget.
 */
export const symbolBudgetMs = 1000;
export const symbolEditBudgetMs = 500;

export async function measureSymbols(quick: boolean, log: (s: string) => void): Promise<SymbolFigures> {
  const runs = quick ? 10 : 40;
  const t0 = now();
  await declarationsIn('warm.ts', 'function warm() {}');
  const loadMs = now() - t0;
  const sizes: SymbolFigures['sizes'] = [];
  for (const lines of [1_000, 10_000, 50_000]) {
    const text = `${longSource(lines).join('\n')}\n`;
    const declarations = (await declarationsIn('bench.ts', text))!;
    // The last declaration: the walk has to reach the end of the file to find it.
    const name = declarations[declarations.length - 1].name;
    log(`symbols: ${lines} lines, ${declarations.length} declarations, resolving ${name} ${runs} times`);
    const out: number[] = [];
    for (let i = 0; i < runs + 2; i++) {
      // A file name of its own each run: the outline kept of the last text would answer at once.
      const t = now();
      await resolveSymbol(`bench-${lines}-${i}.ts`, 'bench.ts', text, name);
      if (i >= 2) out.push(now() - t);
    }
    // An edit: one line typed in the middle of the file, then re-resolved from the file's last tree.
    const edited: number[] = [];
    const all = text.split('\n');
    let current = text;
    await resolveSymbol('bench-edited.ts', 'bench.ts', current, name);
    for (let i = 0; i < runs + 2; i++) {
      all.splice(Math.floor(all.length / 2), 0, `  // edit ${i}`);
      current = all.join('\n');
      const t = now();
      await resolveSymbol('bench-edited.ts', 'bench.ts', current, name);
      if (i >= 2) edited.push(now() - t);
    }
    sizes.push({ lines, declarations: declarations.length, resolve: summarize(out), edited: summarize(edited) });
  }
  return { loadMs, runs, sizes };
}
