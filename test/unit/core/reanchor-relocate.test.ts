import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { anchorLines, anchorOf, contentHash, followEdit, relocate, splitLines, type LineRange } from '../../../src/core/reanchor';
import { lineKey } from '../../../src/core/reanchor-diff';
import { significant } from '../../../src/core/reanchor-search';
import { blockOf, insertAt, inventorySource, moveBlock, replaceLines, seeded, textAt } from './reanchor-fixture';

const file = splitLines(inventorySource);
const remove = blockOf(file, 'remove(sku');
const parseLine = blockOf(file, 'function parseLine');

/** Where the claim on `range` of the fixture is in `now`, after a restart: by its anchor alone. */
const restarted = (range: LineRange, now: readonly string[]) => relocate(anchorOf(file, range), range, now);

describe('core/reanchor lines and hashes', () => {
  it('splitLines drops a byte-order mark and splits at CRLF, CR and LF, like an editor counts lines', () => {
    assert.deepEqual(splitLines('\ufeffa\r\nb\rc\nd'), ['a', 'b', 'c', 'd']);
    assert.deepEqual(splitLines('a\nb\n'), ['a', 'b'], 'a final line break ends the last line');
    assert.deepEqual(splitLines('a\nb\n\n'), ['a', 'b', '']);
    assert.deepEqual(splitLines(''), []);
  });

  it('contentHash is the sha256 of the text without a byte-order mark', () => {
    const sha = createHash('sha256').update('export {};\n').digest('hex');
    assert.equal(contentHash('export {};\n'), sha);
    assert.equal(contentHash('\ufeffexport {};\n'), sha);
    assert.notEqual(contentHash('export {};\r\n'), sha);
  });

  it('an anchor keeps the first and last lines of the range and three lines around it, as compared', () => {
    const anchor = anchorOf(file, remove);
    const keys = (range: LineRange) => textAt(file, range).map((line) => line.trim().replace(/[ \t]+/g, ' '));
    assert.deepEqual(anchor.before, keys({ startLine: 18, endLine: 20 }));
    assert.deepEqual(anchor.head, keys(remove));
    assert.deepEqual(anchor.tail, keys(remove));
    assert.deepEqual(anchor.after, keys({ startLine: 29, endLine: 31 }));
    assert.equal(anchor.length, 8);
  });

  it(`an anchor of a long range keeps only ${anchorLines.edge} lines at each end`, () => {
    const anchor = anchorOf(file, { startLine: 1, endLine: 50 });
    const keys = (lines: string[]) => lines.map((line) => line.trim().replace(/[ \t]+/g, ' '));
    assert.deepEqual([anchor.before, anchor.head, anchor.tail], [[], keys(file.slice(0, 20)), keys(file.slice(30, 50))]);
  });

  it('an anchor keeps a long line (minified code) as a hash, and still finds it', () => {
    const long = `export const table = [${Array.from({ length: 400 }, (_, i) => i).join(', ')}];`;
    const lines = ['// data', long, 'export const after = 1;'];
    const anchor = anchorOf(lines, { startLine: 2, endLine: 2 });
    assert.ok(anchor.head[0].length < 100, 'a hash, not the line');
    assert.deepEqual(relocate(anchor, { startLine: 2, endLine: 2 }, ['// new', ...lines]), { startLine: 3, endLine: 3, lost: false });
  });
});

describe('core/reanchor relocate: a claim re-found after a restart, by its anchor alone', () => {
  it('unchanged: the same lines where the claim left them', () => {
    assert.deepEqual(restarted(remove, file), { ...remove, lost: false });
  });

  it('unchanged though reformatted (CRLF, re-indented)', () => {
    const now = splitLines(inventorySource.replace(/\n/g, '\r\n').replace(/^ +/gm, (s) => s + s));
    assert.deepEqual(restarted(remove, now), { ...remove, lost: false });
  });

  it('shifted: lines inserted above', () => {
    const now = insertAt(file, 2, ['import { join } from \'node:path\';', 'import { EOL } from \'node:os\';']);
    assert.deepEqual(restarted(remove, now), { startLine: 23, endLine: 30, lost: false });
  });

  it('grown: lines inserted inside, between its head and tail', () => {
    const long = { startLine: 9, endLine: 56 };
    const now = insertAt(file, 30, ['  clear(): void {', '    this.items.clear();', '  }', '']);
    assert.deepEqual(restarted(long, now), { startLine: 9, endLine: 60, lost: false });
  });

  it('moved: the function is at the end of the file now', () => {
    const now = moveBlock(file, { startLine: parseLine.startLine, endLine: parseLine.endLine + 1 }, file.length - 7);
    const placed = restarted(parseLine, now);
    assert.deepEqual(placed, { startLine: 49, endLine: 55, lost: false });
    assert.deepEqual(textAt(now, placed), textAt(file, parseLine));
  });

  it('rewritten in place: the lines around it bracket the rewrite', () => {
    const now = replaceLines(file, remove.startLine, remove.endLine, ['  discard(sku: string): void {', '    this.items.delete(sku);', '  }']);
    assert.deepEqual(restarted(remove, now), { startLine: 21, endLine: 23, lost: false });
  });

  it('gone: deleted, so the claim keeps its last range, lost', () => {
    const now = replaceLines(file, remove.startLine, remove.endLine + 1);
    assert.deepEqual(restarted(remove, now), { ...remove, lost: true });
  });

  it('gone with everything around it: lost, never the whole file', () => {
    assert.deepEqual(restarted(remove, ['export {};', '']), { ...remove, lost: true });
  });

  it('a claim on lines never written stays as it is', () => {
    const later = { startLine: 80, endLine: 90 };
    assert.deepEqual(relocate(anchorOf(file, later), later, file), { ...later, lost: false });
  });

  it('a claim reaching past the end, with the file unchanged, is unchanged', () => {
    const claim = { startLine: 50, endLine: 70 };
    assert.deepEqual(restarted(claim, file), { ...claim, lost: false });
  });

  it('a bad last range is refused in its own terms', () => {
    assert.throws(() => relocate(anchorOf(file, remove), { startLine: 3, endLine: 1 }, file), { message: 'line range 3-1: it ends before it starts' });
  });
});

describe('core/reanchor: edits outside a claim never change what it covers (seeded)', () => {
  const rounds = 400;

  /** A fresh line of code no file here holds yet. */
  const fresh = (random: () => number) => `  const v${Math.floor(random() * 1e9)} = ${Math.floor(random() * 100)};`;

  /** `lines` after up to `edits` random insertions and deletions, none inside `range`. */
  function editAround(lines: string[], range: LineRange, random: () => number, edits: number): { lines: string[]; range: LineRange } {
    let now = lines;
    let { startLine, endLine } = range;
    for (let i = 0; i < edits; i++) {
      const above = random() < 0.5;
      const [lo, hi] = above ? [1, startLine] : [endLine + 1, now.length + 1];
      const at = lo + Math.floor(random() * (hi - lo));
      if (random() < 0.5) {
        const count = 1 + Math.floor(random() * 4);
        now = insertAt(now, at, Array.from({ length: count }, () => fresh(random)));
        if (above) [startLine, endLine] = [startLine + count, endLine + count];
      } else if (at < hi) {
        const to = Math.min(hi - 1, at + Math.floor(random() * 3));
        now = replaceLines(now, at, to);
        if (above) [startLine, endLine] = [startLine - (to - at + 1), endLine - (to - at + 1)];
      }
    }
    return { lines: now, range: { startLine, endLine } };
  }

  /**
   * A range that starts and ends on a line of code, as claims do. (One that starts on a lone
   * `}` beside other `}` lines can lose or gain one of them at its edge: the diff cannot tell
   * which brace an edit took.)
   */
  function codeRange(random: () => number): LineRange {
    const code = (i: number) => significant(lineKey(file[i - 1]));
    for (;;) {
      const startLine = 1 + Math.floor(random() * file.length);
      const endLine = Math.min(file.length, startLine + Math.floor(random() * 12));
      if (code(startLine) && code(endLine)) return { startLine, endLine };
    }
  }

  it(`${rounds} rounds: the claim's new range is where its lines went, and holds exactly them`, () => {
    const random = seeded(15);
    for (let round = 0; round < rounds; round++) {
      const range = codeRange(random);
      const { startLine, endLine } = range;
      const edited = editAround(file, range, random, 1 + Math.floor(random() * 6));
      const [placed] = followEdit(file, edited.lines, [range]);
      const where = `round ${round}: ${startLine}-${endLine} → ${placed.startLine}-${placed.endLine}`;
      assert.deepEqual(placed, { ...edited.range, lost: false }, where);
      assert.ok(placed.startLine >= 1 && placed.endLine <= edited.lines.length, where);
      assert.deepEqual(textAt(edited.lines, placed), textAt(file, range), where);
    }
  });

  it(`${rounds} rounds of any edit: a placement is inside the new file, or lost with its old range`, () => {
    const random = seeded(8);
    for (let round = 0; round < rounds; round++) {
      const startLine = 1 + Math.floor(random() * file.length);
      const range = { startLine, endLine: Math.min(file.length, startLine + Math.floor(random() * 12)) };
      const from = 1 + Math.floor(random() * file.length);
      const to = Math.min(file.length, from + Math.floor(random() * 15));
      const now = replaceLines(file, from, to, Array.from({ length: Math.floor(random() * 5) }, () => fresh(random)));
      for (const placed of [followEdit(file, now, [range])[0], relocate(anchorOf(file, range), range, now)]) {
        const where = `round ${round}: ${range.startLine}-${range.endLine}, lines ${from}-${to} replaced`;
        if (placed.lost) assert.deepEqual(placed, { ...range, lost: true }, where);
        else assert.ok(placed.startLine >= 1 && placed.startLine <= placed.endLine && placed.endLine <= now.length, where);
      }
    }
  });
});
