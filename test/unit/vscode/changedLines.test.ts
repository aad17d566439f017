import assert from 'node:assert/strict';
import { spansOverlap } from '../../../src/core/paths';
import { changedLines, describeSpans, editedLines, mergeSpans, spansInside, touchedLocks } from '../../../src/vscode/changedLines';

/** `n` numbered lines, each ending in a newline. */
const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}\n`);
const text = (rows: string[]) => rows.join('');
const span = (startLine: number, endLine = startLine) => ({ startLine, endLine });

describe('changed lines since the last save', () => {
  const saved = lines(10);

  it('finds nothing in an unchanged document', async () => {
    assert.deepEqual(await changedLines(text(saved), text(saved)), []);
  });

  it('counts a rewritten line as itself', async () => {
    const current = [...saved];
    current[3] = 'line four, rewritten\n';
    assert.deepEqual(await changedLines(text(saved), text(current)), [span(4)]);
  });

  it('counts inserted lines in the document\'s numbering', async () => {
    const current = [...saved.slice(0, 2), 'new a\n', 'new b\n', ...saved.slice(2)];
    assert.deepEqual(await changedLines(text(saved), text(current)), [span(3, 4)]);
  });

  it('numbers later changes after earlier insertions and deletions', async () => {
    // Two lines inserted after line 1, line 5 deleted, line 9 rewritten (line 10 in the document now).
    const current = [saved[0], 'x\n', 'y\n', ...saved.slice(1, 4), ...saved.slice(5, 8), 'nine!\n', saved[9]];
    assert.deepEqual(await changedLines(text(saved), text(current)), [span(2, 3), span(7), span(10)]);
  });

  it('counts a pure deletion as the line now where the removed lines were', async () => {
    const current = [...saved.slice(0, 4), ...saved.slice(6)]; // lines 5 and 6 removed
    assert.deepEqual(await changedLines(text(saved), text(current)), [span(5)]);
  });

  it('counts a deletion at the end of the file as the last line', async () => {
    // 8 lines and a final newline: VS Code shows 9 lines, the 9th empty.
    assert.deepEqual(await changedLines(text(saved), text(saved.slice(0, 8))), [span(9)]);
    assert.deepEqual(await changedLines('a\nb\nc', 'a\nb'), [span(2)]);
  });

  it('counts a replacement of several lines by fewer as the new lines only', async () => {
    const current = [...saved.slice(0, 2), 'merged 3–5\n', ...saved.slice(5)];
    assert.deepEqual(await changedLines(text(saved), text(current)), [span(3)]);
  });

  it('joins adjacent changes into one span', async () => {
    const current = [...saved];
    current[1] = 'two\n';
    current[2] = 'three\n';
    current[6] = 'seven\n';
    assert.deepEqual(await changedLines(text(saved), text(current)), [span(2, 3), span(7)]);
  });

  it('ignores line endings: CRLF against LF, and the newline at the end of the file', async () => {
    assert.deepEqual(await changedLines(text(saved), text(saved).replace(/\n/g, '\r\n')), []);
    assert.deepEqual(await changedLines('a\nb\n', 'a\nb'), []);
    assert.deepEqual(await changedLines('a\nb', 'a\nb\nc'), [span(3)]);
  });

  it('counts everything in a new file, or an emptied one', async () => {
    assert.deepEqual(await changedLines('', 'a\nb\nc'), [span(1, 3)]);
    assert.deepEqual(await changedLines('a\nb\n', ''), [span(1)]);
  });

  it('counts every line as changed when the diff runs out of time', async () => {
    const many = Array.from({ length: 4000 }, (_, i) => `${i}\n`);
    const shuffled = many.map((_, i) => many[(i * 7919) % many.length]);
    assert.deepEqual(await changedLines(text(many), text(shuffled), 50), [span(1, 4001)]);
  });
});

describe('lines one edit touches, numbered as before it', () => {
  const at = (line: number, character = 0) => ({ line, character });
  const claim = { startLine: 3, endLine: 5 };

  it('is the edited line when typing within it', () => {
    assert.deepEqual(editedLines(at(4, 2), at(4, 2), 'x'), span(5));
    assert.deepEqual(editedLines(at(3, 7), at(3, 7), '\n'), span(4), 'Enter in the middle of a line splits it');
  });

  it('reaches the last replaced line; a range ending at the start of a line leaves that line alone', () => {
    assert.deepEqual(editedLines(at(2, 1), at(5, 3), ''), span(3, 6));
    assert.deepEqual(editedLines(at(2), at(5), ''), span(3, 5), 'lines 3 to 5 deleted whole');
    assert.deepEqual(editedLines(at(2, 4), at(3, 1), 'a\nb\nc'), span(3, 4));
  });

  it('whole lines inserted between two lines touch a claim only strictly inside it', () => {
    const above = editedLines(at(2), at(2), 'a\nb\n');
    assert.deepEqual(touchedLocks([claim], [above]), [], 'right above the claim: the claim shifts');
    assert.deepEqual(touchedLocks([claim], [editedLines(at(0), at(0), '// one\n// two\n')]), [], 'at the top of the file');
    assert.deepEqual(touchedLocks([claim], [editedLines(at(5), at(5), 'x\n')]), [], 'right below it');
    assert.deepEqual(touchedLocks([claim], [editedLines(at(3), at(3), 'x\n')]), [claim], 'between its lines 3 and 4');
    assert.deepEqual(touchedLocks([{ startLine: null, endLine: null }], [above]).length, 1, 'a whole-file claim is touched by any edit');
  });
});

describe('locks the changed lines fall in', () => {
  const range = (startLine: number, endLine: number, id = 0) => ({ id, startLine, endLine });
  const wholeFile = (id = 0) => ({ id, startLine: null, endLine: null });

  it('overlaps a range at its edges and inside, not next to it', () => {
    assert.equal(spansOverlap(range(3, 5), span(5, 8)), true);
    assert.equal(spansOverlap(range(3, 5), span(1, 3)), true);
    assert.equal(spansOverlap(range(3, 5), span(4)), true);
    assert.equal(spansOverlap(range(3, 5), span(6, 9)), false);
    assert.equal(spansOverlap(range(3, 5), span(2)), false);
  });

  it('a whole-file lock overlaps any change', () => {
    assert.equal(spansOverlap(wholeFile(), span(1000)), true);
  });

  it('picks the touched locks in their order', () => {
    const locks = [range(1, 2, 1), range(10, 12, 2), wholeFile(3), range(20, 20, 4)];
    assert.deepEqual(touchedLocks(locks, [span(2), span(20, 25)]).map((l) => l.id), [1, 3, 4]);
    assert.deepEqual(touchedLocks(locks, []).map((l) => l.id), []);
  });

  it('clips the changed lines to a lock', () => {
    assert.deepEqual(spansInside(range(3, 5), [span(1, 3), span(5, 9), span(12)]), [span(3), span(5)]);
    assert.deepEqual(spansInside(wholeFile(), [span(1, 3), span(12)]), [span(1, 3), span(12)]);
  });
});

describe('spans in words', () => {
  it('names one line, a range, or a list', () => {
    assert.equal(describeSpans([span(4)]), 'line 4');
    assert.equal(describeSpans([span(4, 6)]), 'lines 4–6');
    assert.equal(describeSpans([span(2), span(4, 6), span(9)]), 'lines 2, 4–6 and 9');
  });

  it('names the first five spans of many, and counts the rest', () => {
    const many = Array.from({ length: 9 }, (_, i) => span(2 * i + 1));
    assert.equal(describeSpans(many), 'lines 1, 3, 5, 7, 9 and 4 more places');
    assert.equal(describeSpans(many.slice(0, 5)), 'lines 1, 3, 5, 7 and 9');
  });

  it('merges overlapping and adjacent spans, in order', () => {
    assert.deepEqual(mergeSpans([span(7), span(2, 3), span(4), span(3, 5)]), [span(2, 5), span(7)]);
  });
});
