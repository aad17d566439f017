/**
 * A real-looking TypeScript file for the re-anchoring tests, and the edits made to it: line
 * lists in, line lists out, 1-based like the claims.
 */
import type { LineRange } from '../../../src/core/reanchor';

export const inventorySource = `import { readFileSync } from 'node:fs';

/** A line of stock. */
export interface Item {
  sku: string;
  count: number;
}

export class Inventory {
  private readonly items = new Map<string, Item>();

  add(sku: string, count: number): void {
    const item = this.items.get(sku);
    if (item) {
      item.count += count;
      return;
    }
    this.items.set(sku, { sku, count });
  }

  remove(sku: string, count: number): boolean {
    const item = this.items.get(sku);
    if (!item || item.count < count) {
      return false;
    }
    item.count -= count;
    return true;
  }

  total(): number {
    let sum = 0;
    for (const item of this.items.values()) {
      sum += item.count;
    }
    return sum;
  }
}

export function parseLine(line: string): Item | undefined {
  const [sku, count] = line.split(',');
  if (!sku || !count) {
    return undefined;
  }
  return { sku: sku.trim(), count: Number(count) };
}

export function load(path: string): Inventory {
  const inventory = new Inventory();
  for (const line of readFileSync(path, 'utf8').split('\\n')) {
    const item = parseLine(line);
    if (item) {
      inventory.add(item.sku, item.count);
    }
  }
  return inventory;
}
`;

/**
 * The range of the block that starts at the line containing `marker`: through the first later
 * line that closes it (a \`}\` at the same indentation).
 */
export function blockOf(lines: readonly string[], marker: string): LineRange {
  const start = lines.findIndex((l) => l.includes(marker));
  if (start < 0) throw new Error(`no line holds ${marker}`);
  const indent = /^\s*/.exec(lines[start])![0];
  const end = lines.findIndex((l, i) => i > start && l === `${indent}}`);
  if (end < 0) throw new Error(`the block at ${marker} is not closed`);
  return { startLine: start + 1, endLine: end + 1 };
}

/** The lines `range` covers. */
export function textAt(lines: readonly string[], range: LineRange): string[] {
  return lines.slice(range.startLine - 1, range.endLine);
}

/** `lines` with `inserted` put before line `at` (one past the last line: at the end). */
export function insertAt(lines: readonly string[], at: number, inserted: readonly string[]): string[] {
  return [...lines.slice(0, at - 1), ...inserted, ...lines.slice(at - 1)];
}

/** `lines` with lines `from`..`to` replaced by `by` (nothing: deleted). */
export function replaceLines(lines: readonly string[], from: number, to: number, by: readonly string[] = []): string[] {
  return [...lines.slice(0, from - 1), ...by, ...lines.slice(to)];
}

/** `lines` with `range` cut out and put back before line `at` of what is left. */
export function moveBlock(lines: readonly string[], range: LineRange, at: number): string[] {
  const block = textAt(lines, range);
  return insertAt(replaceLines(lines, range.startLine, range.endLine), at, block);
}

/** A seeded generator (mulberry32): the same sequence on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A long source file: the inventory's functions over and over, each copy's names numbered so no
 * two functions are the same.
 */
export function longSource(lineCount: number): string[] {
  const copy = inventorySource.split('\n').slice(38, 57);
  const out: string[] = [];
  for (let n = 0; out.length < lineCount; n++) out.push(...copy.map((l) => l.replace(/parseLine|load\b/g, (name) => `${name}${n}`)));
  return out.slice(0, lineCount);
}
