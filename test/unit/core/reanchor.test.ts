import assert from 'node:assert/strict';
import { followEdit, splitLines, type LineRange, type Placement } from '../../../src/core/reanchor';
import { maxDiffEdits } from '../../../src/core/reanchor-diff';
import { blockOf, insertAt, inventorySource, longSource, moveBlock, replaceLines, textAt } from './reanchor-fixture';

const file = splitLines(inventorySource);
const remove = blockOf(file, 'remove(sku');
const total = blockOf(file, 'total()');
const parseLine = blockOf(file, 'function parseLine');
const load = blockOf(file, 'function load');

/** The one placement of `range` after `file` became `after`. */
function follow(after: readonly string[], range: LineRange, before: readonly string[] = file): Placement {
  const [placement] = followEdit(before, after, [range]);
  return placement;
}

const at = (startLine: number, endLine: number, lost = false): Placement => ({ startLine, endLine, lost });

describe('core/reanchor followEdit: a claim follows the code it covers', () => {
  it('the fixture is what the tests think it is', () => {
    assert.deepEqual([remove, total, parseLine, load], [
      { startLine: 21, endLine: 28 }, { startLine: 30, endLine: 36 }, { startLine: 39, endLine: 45 }, { startLine: 47, endLine: 56 },
    ]);
  });

  describe('insertions', () => {
    const clear = ['  clear(): void {', '    this.items.clear();', '  }', ''];

    it('a method inserted right above the first line stays outside: the claim shifts', () => {
      const after = insertAt(file, remove.startLine, clear);
      assert.deepEqual(follow(after, remove), at(25, 32));
      assert.deepEqual(textAt(after, at(25, 32)), textAt(file, remove));
    });

    it('a line inserted right below the last line stays outside: the claim is unchanged', () => {
      const after = insertAt(file, remove.endLine + 1, ['  // removal never goes below zero']);
      assert.deepEqual(follow(after, remove), at(21, 28));
    });

    it('a line inserted between two covered lines grows the claim', () => {
      const after = insertAt(file, remove.startLine + 1, ['    if (count <= 0) return false;']);
      assert.deepEqual(follow(after, remove), at(21, 29));
    });

    it('lines inserted between the last two covered lines grow it too', () => {
      const after = insertAt(file, remove.endLine, ['    this.log.push(sku);', '    this.log.push(String(count));']);
      assert.deepEqual(follow(after, remove), at(21, 30));
    });

    it('an insertion far above shifts a claim and one far below leaves it', () => {
      const above = insertAt(file, 2, ['import { writeFileSync } from \'node:fs\';']);
      const below = insertAt(file, file.length, ['export const version = 2;']);
      assert.deepEqual(follow(above, load), at(48, 57));
      assert.deepEqual(follow(below, remove), at(21, 28));
    });
  });

  describe('deletions', () => {
    it('a deletion across the start shrinks the claim from the start', () => {
      // The blank line and `}` above remove(), and its first two lines.
      const after = replaceLines(file, remove.startLine - 2, remove.startLine + 1);
      const placed = follow(after, remove);
      assert.deepEqual(placed, at(19, 24));
      assert.deepEqual(textAt(after, placed), textAt(file, { startLine: 23, endLine: 28 }));
    });

    it('a deletion across the end shrinks the claim from the end', () => {
      // The last two lines of remove(), the blank line and total()'s first line.
      const after = replaceLines(file, remove.endLine - 1, total.startLine);
      const placed = follow(after, remove);
      assert.deepEqual(placed, at(21, 26));
      assert.deepEqual(textAt(after, placed), textAt(file, { startLine: 21, endLine: 26 }));
    });

    it('deleting the whole range loses the code: the claim keeps its last range, lost', () => {
      const after = replaceLines(file, remove.startLine, remove.endLine);
      assert.deepEqual(follow(after, remove), at(21, 28, true));
    });

    it('deleting the covered lines and their blank neighbours loses it as well', () => {
      const after = replaceLines(file, remove.startLine - 1, remove.endLine + 1);
      assert.deepEqual(follow(after, remove), at(21, 28, true));
    });

    it('a `}` deleted just below a claim that ends on a `}` is not taken for the claim\'s own', () => {
      // add() up to its `if` block's `}` (12-17); its last two lines, `set(...)` and `  }`, deleted
      // and a line put at the top. To the diff `    }` and `  }` are one line: either could be the
      // one deleted, and the claim keeps its own.
      const claim = { startLine: 12, endLine: 17 };
      const after = insertAt(replaceLines(file, 18, 19), 1, ['// stock']);
      const placed = follow(after, claim);
      assert.deepEqual(placed, at(13, 18));
      assert.deepEqual(textAt(after, placed), textAt(file, claim));
    });

    it('a blank line deleted above a claim that starts on a blank line is not taken for the claim\'s own', () => {
      // The blank line and add()'s signature (11-12); the class's first three lines deleted (a
      // blank, `export class`, the field) and a line put at the end.
      const claim = { startLine: 11, endLine: 12 };
      const after = [...replaceLines(file, 8, 10), '// end'];
      const placed = follow(after, claim);
      assert.deepEqual(placed, at(8, 9));
      assert.deepEqual(textAt(after, placed), textAt(file, claim));
    });

    it('a deletion inside shrinks the claim', () => {
      const after = replaceLines(file, remove.startLine + 2, remove.startLine + 4);
      assert.deepEqual(follow(after, remove), at(21, 25));
    });
  });

  describe('rewrites in place', () => {
    it('a range replaced as a whole (the lines around it unchanged) covers the replacement', () => {
      const rewritten = [
        '  remove(sku: string, count: number): boolean {',
        '    return this.take(sku, count) !== undefined;',
        '  }',
      ].map((l) => l.replace('remove', 'discard'));
      const after = replaceLines(file, remove.startLine, remove.endLine, rewritten);
      assert.deepEqual(follow(after, remove), at(21, 23));
    });

    it('a longer replacement is covered whole', () => {
      const rewritten = Array.from({ length: 12 }, (_, i) => `    step${i}(sku, count);`);
      const after = replaceLines(file, remove.startLine, remove.endLine, rewritten);
      assert.deepEqual(follow(after, remove), at(21, 32));
    });

    it('a first line modified in place is still covered', () => {
      const after = replaceLines(file, remove.startLine, remove.startLine, ['  remove(sku: string, count = 1): boolean {']);
      assert.deepEqual(follow(after, remove), at(21, 28));
    });

    it('a first and a last line modified in place, and the doc comment above, keep the claim in place', () => {
      const after = replaceLines(file, remove.startLine - 1, remove.startLine, ['  /** Takes stock out. */', '  remove(sku: string, n: number): boolean {']);
      after[remove.endLine - 2] = '    return count > 0;';
      assert.deepEqual(follow(after, remove), at(21, 28));
    });

    it('a one-line claim on a line edited in place covers the edited line', () => {
      const line = { startLine: 44, endLine: 44 };
      const after = replaceLines(file, 44, 44, ['  return { sku: sku.trim(), count: Number.parseInt(count, 10) };']);
      assert.deepEqual(follow(after, line), at(44, 44));
    });
  });

  describe('moves', () => {
    it('a function moved to the end of the file is followed there', () => {
      // parseLine() and its blank line, put after load(), before the file's final empty line.
      const after = moveBlock(file, { startLine: parseLine.startLine, endLine: parseLine.endLine + 1 }, file.length - 7);
      const placed = follow(after, parseLine);
      assert.equal(after[placed.startLine - 2], '}');
      assert.deepEqual(textAt(after, placed), textAt(file, parseLine));
      assert.deepEqual(placed, at(49, 55));
    });

    it('a method moved up above another is followed there', () => {
      const add = blockOf(file, 'add(sku');
      const after = moveBlock(file, { startLine: total.startLine, endLine: total.endLine + 1 }, add.startLine);
      const placed = follow(after, total);
      assert.deepEqual(placed, at(12, 18));
      assert.deepEqual(textAt(after, placed), textAt(file, total));
    });

    it('of two copies of a moved block, the nearer one to the old place wins', () => {
      // parseLine() cut from 39-45 and pasted twice: inside the class at 29, 18 lines above where
      // it was (load() starts at 47 after the paste), and after load() at 58 (11 below) or, past
      // 20 more lines, at 78 (31 below).
      const block = textAt(file, parseLine);
      const cut = replaceLines(file, parseLine.startLine, parseLine.endLine + 1);
      const inClass = insertAt(cut, 29, [...block, '']);
      const fillers = Array.from({ length: 20 }, (_, i) => `export const limit${i} = ${i};`);
      assert.deepEqual(follow([...inClass, '', ...block], parseLine), at(58, 64));
      assert.deepEqual(follow([...inClass, '', ...fillers, ...block], parseLine), at(29, 35));
    });

    it('a block moved and changed is not found elsewhere: lost', () => {
      const block = textAt(file, parseLine).map((l) => l.replace('sku', 'code'));
      const after = [...replaceLines(file, parseLine.startLine, parseLine.endLine + 1), ...block];
      assert.deepEqual(follow(after, parseLine), { ...parseLine, lost: true });
    });
  });

  describe('copies that were there all along are other code', () => {
    it('a line edited in place does not jump to the same line in another function', () => {
      const source = ['function a(x) {', '  const y = x + 1;', '  return y;', '}', '', 'function b(x) {', '  const y = x * 2;', '  return y;', '}'];
      const edited = [...source];
      edited[7] = '  return y + 0;';
      assert.deepEqual(followEdit(source, edited, [{ startLine: 8, endLine: 8 }]), [at(8, 8)]);
      const renamed = [...source];
      renamed[6] = '  const z = x * 2;';
      renamed[7] = '  return z;';
      assert.deepEqual(followEdit(source, renamed, [{ startLine: 7, endLine: 8 }]), [at(7, 8)]);
    });
  });

  describe('reformatting moves nothing', () => {
    it('every line re-indented from two spaces to four', () => {
      const after = file.map((l) => l.replace(/^( +)/, (s) => s + s));
      assert.deepEqual(followEdit(file, after, [remove, total, load]), [at(21, 28), at(30, 36), at(47, 56)]);
    });

    it('tabs for spaces and trailing spaces', () => {
      const after = file.map((l) => l.replace(/^( +)/, (s) => '\t'.repeat(s.length / 2)) + (l ? ' \t' : ''));
      assert.deepEqual(follow(after, total), at(30, 36));
    });

    it('the same text with CRLF line endings', () => {
      const after = splitLines(inventorySource.replace(/\n/g, '\r\n'));
      assert.deepEqual(followEdit(file, after, [remove, parseLine]), [at(21, 28), at(39, 45)]);
    });

    it('a CRLF file edited: a line inserted above the claim shifts it', () => {
      const crlf = splitLines(inventorySource.replace(/\n/g, '\r\n'));
      const edited = insertAt(splitLines(inventorySource), 2, ['import { join } from \'node:path\';']).join('\r\n');
      assert.deepEqual(follow(splitLines(edited), load, crlf), at(48, 57));
    });
  });

  describe('large files and many claims', () => {
    const big = longSource(50_000);
    const near = { startLine: 101, endLine: 107 };
    const far = { startLine: 49_001, endLine: 49_007 };

    it('a 50,000-line file with an edit near the top: a claim below shifts, one around it grows', () => {
      const after = insertAt(big, 104, ['  if (line.startsWith(\'#\')) {', '    return undefined;', '  }']);
      const [top, bottom] = followEdit(big, after, [near, far]);
      assert.deepEqual(top, at(101, 110));
      assert.deepEqual(bottom, at(49_004, 49_010));
      assert.deepEqual(textAt(after, bottom), textAt(big, far));
    });

    it('several claims on one file in one call, each by its own rule', () => {
      const edited = insertAt(replaceLines(file, remove.startLine, remove.endLine), 2, ['// stock', '']);
      const outsideClass = { startLine: 37, endLine: 37 };
      assert.deepEqual(followEdit(file, edited, [remove, total, parseLine, load, outsideClass]), [
        at(21, 28, true), at(24, 30), at(33, 39), at(41, 50), at(31, 31),
      ]);
    });

    it('an empty list of claims asks for nothing', () => {
      assert.deepEqual(followEdit(file, file, []), []);
    });

    it(`a rewrite too large to diff (more than ${maxDiffEdits} lines changed) still finds a moved block`, () => {
      const before = longSource(4_000);
      const claim = { startLine: 1_001, endLine: 1_007 };
      const rewritten = before.map((l, i) => `${l} // ${i}`);
      const after = [...rewritten.slice(0, 3_000), ...textAt(before, claim), ...rewritten.slice(3_000)];
      assert.deepEqual(follow(after, claim, before), at(3_001, 3_007));
    });
  });

  describe('claims on lines past the end of the file', () => {
    it('a claim on lines not written yet keeps its numbers whatever happens above, never lost', () => {
      const later = { startLine: file.length + 5, endLine: file.length + 10 };
      const grown = insertAt(file, 2, ['import { join } from \'node:path\';', '']);
      const shrunk = replaceLines(file, 1, 2);
      assert.deepEqual(follow(grown, later), at(file.length + 5, file.length + 10));
      assert.deepEqual(follow(shrunk, later), at(file.length + 5, file.length + 10));
    });

    it('a claim on lines not written yet covers them once its holder writes them', () => {
      const claim = { startLine: file.length + 1, endLine: file.length + 2 };
      const written = insertAt(file, file.length + 1, ['export const a = 1;', 'export const b = 2;']);
      assert.deepEqual(follow(written, claim), at(file.length + 1, file.length + 2));
      assert.deepEqual(written.slice(file.length, file.length + 2), ['export const a = 1;', 'export const b = 2;']);
    });

    it('a claim reaching past the end keeps its unwritten lines when its written ones are deleted', () => {
      const claim = { startLine: 50, endLine: 70 };
      const after = replaceLines(file, 50, file.length);
      assert.deepEqual(follow(after, claim), at(50, 70));
    });

    it('a claim on the lines after a file that ends in a line break covers what is appended there', () => {
      const text = `${file.join('\n')}\n`;
      const lines = splitLines(text);
      const claim = { startLine: lines.length + 1, endLine: lines.length + 5 };
      const appended = splitLines(`${text}${['a', 'b', 'c', 'd', 'e'].map((l) => `export const ${l} = 0;`).join('\n')}\n`);
      assert.deepEqual(follow(appended, claim, lines), at(claim.startLine, claim.endLine));
      assert.deepEqual(textAt(appended, claim), ['export const a = 0;', 'export const b = 0;', 'export const c = 0;', 'export const d = 0;', 'export const e = 0;']);
      assert.deepEqual(followEdit([], splitLines('one\ntwo\n'), [{ startLine: 1, endLine: 10 }]), [at(1, 10)], 'a new, empty file');
    });

    it('lines appended at the end of the file are inside a claim that reaches past it', () => {
      const claim = { startLine: 55, endLine: 70 };
      const after = insertAt(file, file.length + 1, ['export const a = 1;', 'export const b = 2;']);
      assert.deepEqual(follow(after, claim), at(55, 70));
    });

    it('the written part of a claim reaching past the end follows an insertion above it', () => {
      const claim = { startLine: file.length - 1, endLine: file.length + 5 };
      const grown = insertAt(file, 2, ['import { join } from \'node:path\';', '']);
      assert.deepEqual(follow(grown, claim), at(file.length + 1, file.length + 5));
    });
  });

  describe('bad ranges are refused in their own terms', () => {
    for (const [range, message] of [
      [{ startLine: 0, endLine: 3 }, 'line range 0-3: lines are numbered from 1'],
      [{ startLine: 5, endLine: 4 }, 'line range 5-4: it ends before it starts'],
      [{ startLine: 1.5, endLine: 4 }, 'line range 1.5-4: line numbers are whole numbers'],
      [{ startLine: Number.NaN, endLine: 4 }, 'line range NaN-4: line numbers are whole numbers'],
    ] as const) {
      it(message, () => assert.throws(() => followEdit(file, file, [range]), { name: 'RangeError', message }));
    }
  });
});
