/**
 * Which lines an agent's edit touches, before it runs and after it ran, on real file text: CRLF,
 * edges of the file, replace_all, multi-hunk patches, writes over existing files, new files, and
 * edits that cannot be located.
 */
import assert from 'node:assert/strict';
import type { FileEdit, PatchHunk } from '../../../src/hook/clients';
import { splitLines, touchedAfter, touchedBefore } from '../../../src/hook/edits';

const file = '/p/a.ts';
const replace = (oldText: string, newText: string, all = false): FileEdit => ({ path: file, kind: 'replace', oldText, newText, all });
const write = (content: string): FileEdit => ({ path: file, kind: 'write', content });
const update = (...hunks: PatchHunk[]): FileEdit => ({ path: file, kind: 'patch', op: 'update', hunks });
const span = (startLine: number, endLine = startLine) => ({ startLine, endLine });
const numbered = (n: number, eol = '\n') => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join(eol) + eol;

describe('splitLines', () => {
  it('ends lines at \\n and \\r\\n, with no extra line after the last terminator', () => {
    assert.deepEqual(splitLines('a\r\nb\nc'), ['a', 'b', 'c']);
    assert.deepEqual(splitLines('a\n'), ['a']);
    assert.deepEqual(splitLines(''), []);
    assert.deepEqual(splitLines('\n'), ['']);
  });
});

describe('touchedBefore', () => {
  it('finds a replacement\'s lines, also across CRLF line ends', () => {
    assert.deepEqual(touchedBefore(replace('line 3', 'three'), numbered(5)), [span(3)]);
    assert.deepEqual(touchedBefore(replace('line 2\nline 3\n', ''), numbered(5, '\r\n')), [span(2, 3)]);
    assert.deepEqual(touchedBefore(replace('line 4\r\nline 5', 'x'), numbered(5, '\r\n')), [span(4, 5)]);
  });

  it('takes the first occurrence, or every one with all', () => {
    const text = 'x = 1\ny = 2\nx = 1\nz\nx = 1\n';
    assert.deepEqual(touchedBefore(replace('x = 1', 'x = 9'), text), [span(1)]);
    assert.deepEqual(touchedBefore(replace('x = 1', 'x = 9', true), text), [span(1), span(3), span(5)]);
    assert.deepEqual(touchedBefore(replace('x = 1\ny', 'q', true), text), [span(1, 2)]);
  });

  it('is the whole file when the old text is not there, the file is missing, or the edit is whole', () => {
    assert.equal(touchedBefore(replace('nope', 'x'), numbered(3)), 'file');
    assert.equal(touchedBefore(replace('line 1', 'x'), undefined), 'file');
    assert.equal(touchedBefore({ path: file, kind: 'whole' }, numbered(3)), 'file');
    assert.equal(touchedBefore({ path: file, kind: 'patch', op: 'delete', hunks: [] }, numbered(3)), 'file');
  });

  it('diffs a write over an existing file instead of taking all of it', () => {
    const before = numbered(10);
    assert.deepEqual(touchedBefore(write(before.replace('line 4', 'four').replace('line 8', 'eight')), before), [span(4), span(8)]);
    assert.deepEqual(touchedBefore(write(before.replace('line 3\nline 4\n', '')), before), [span(3, 4)]);
    assert.deepEqual(touchedBefore(write(before), before), []);
    // Only the line ends changed: no line changed.
    assert.deepEqual(touchedBefore(write(numbered(4, '\r\n')), numbered(4)), []);
  });

  it('touches the lines around a pure insertion, and line 1 of a new or empty file', () => {
    const before = numbered(5);
    assert.deepEqual(touchedBefore(write(`new\n${before}`), before), [span(1)]);
    assert.deepEqual(touchedBefore(write(`${before}new\n`), before), [span(5)]);
    assert.deepEqual(touchedBefore(write(before.replace('line 3\n', 'line 3\nnew\n')), before), [span(3, 4)]);
    assert.deepEqual(touchedBefore(write('hello\n'), undefined), [span(1)]);
    assert.deepEqual(touchedBefore(write('hello\n'), ''), [span(1)]);
    assert.deepEqual(touchedBefore({ path: file, kind: 'patch', op: 'add', hunks: [{ before: [], after: ['hi'] }] }, undefined), [span(1)]);
  });

  it('locates a multi-hunk patch hunk by hunk, changed lines only', () => {
    const before = numbered(20);
    const patch = update(
      { before: ['line 2', 'line 3', 'line 4'], after: ['line 2', 'three', 'line 4'] },
      { before: ['line 10', 'line 11'], after: ['line 10', 'inserted', 'line 11'] },
      { anchor: 'line 15', before: ['line 17'], after: [] },
    );
    assert.deepEqual(touchedBefore(patch, before), [span(3), span(10, 11), span(17)]);
  });

  it('finds a hunk after the previous one, and uses the anchor as a hint', () => {
    const before = 'a\nx\nb\nx\nc\nx\n';
    assert.deepEqual(touchedBefore(update({ before: ['x'], after: ['y'] }, { before: ['x'], after: ['y'] }), before), [span(2), span(4)]);
    assert.deepEqual(touchedBefore(update({ anchor: 'c', before: ['x'], after: ['y'] }), before), [span(6)]);
    assert.equal(touchedBefore(update({ anchor: 'missing', before: ['x'], after: ['y'] }), before), 'file');
  });

  it('is tolerant of trailing whitespace like Codex, and of a trailing empty context line', () => {
    const before = 'keep  \nold\t\nend\n';
    assert.deepEqual(touchedBefore(update({ before: ['keep', 'old'], after: ['keep', 'new'] }), before), [span(2)]);
    assert.deepEqual(touchedBefore(update({ before: ['old', ''], after: ['new', ''] }), 'a\nold'), [span(2)]);
  });

  it('appends a hunk with nothing to match at the end, and honours End of File', () => {
    assert.deepEqual(touchedBefore(update({ before: [], after: ['tail'] }), numbered(4)), [span(4)]);
    assert.deepEqual(touchedBefore(update({ before: ['x'], after: ['y'], eof: true }), 'x\na\nx\n'), [span(3)]);
  });

  it('is the whole file when a hunk is not there', () => {
    assert.equal(touchedBefore(update({ before: ['line 99'], after: ['x'] }), numbered(5)), 'file');
    assert.equal(touchedBefore(update({ before: ['line 1'], after: ['x'] }), undefined), 'file');
  });
});

describe('touchedAfter', () => {
  it('finds the new text where the old text was', () => {
    const before = 'a\nfoo\nb\nfoo\n';
    const after = 'a\nbar\nbaz\nb\nfoo\n';
    assert.deepEqual(touchedAfter(replace('foo', 'bar\nbaz'), after, before), [span(2, 3)]);
    // replace_all: the later occurrences move by the change in length.
    assert.deepEqual(touchedAfter(replace('foo', 'bar\nbaz', true), 'a\nbar\nbaz\nb\nbar\nbaz\n', before), [span(2, 3), span(5, 6)]);
    // Without the old file: the first occurrence of the new text.
    assert.deepEqual(touchedAfter(replace('foo', 'bar'), 'bar\nx\nbar\n'), [span(1)]);
    assert.deepEqual(touchedAfter(replace('foo', 'bar', true), 'bar\nx\nbar\n'), [span(1), span(3)]);
    assert.equal(touchedAfter(replace('foo', 'gone'), 'nothing here\n'), 'file');
  });

  it('handles CRLF files', () => {
    assert.deepEqual(touchedAfter(replace('line 2', 'two'), numbered(3, '\r\n').replace('line 2', 'two'), numbered(3, '\r\n')), [span(2)]);
  });

  it('diffs a write against the old file, or takes all of a new one', () => {
    const before = numbered(6);
    const after = before.replace('line 2\n', '').replace('line 5', 'five');
    assert.deepEqual(touchedAfter(write(after), after, before), [span(1, 2), span(4)]);
    assert.deepEqual(touchedAfter(write('a\nb\n'), 'a\nb\n'), [span(1, 2)]);
    assert.deepEqual(touchedAfter(write(''), ''), []);
    assert.equal(touchedAfter(write('x'), undefined), 'file');
  });

  it('locates a patch\'s after-lines in the new file', () => {
    const after = numbered(20).replace('line 3', 'three').replace('line 10\n', 'line 10\ninserted\n').replace('line 17\n', '');
    const patch = update(
      { before: ['line 2', 'line 3', 'line 4'], after: ['line 2', 'three', 'line 4'] },
      { before: ['line 10', 'line 11'], after: ['line 10', 'inserted', 'line 11'] },
      { anchor: 'line 15', before: ['line 16', 'line 17', 'line 18'], after: ['line 16', 'line 18'] },
    );
    assert.deepEqual(touchedAfter(patch, after), [span(3), span(11), span(17, 18)]);
    assert.deepEqual(touchedAfter({ path: file, kind: 'patch', op: 'delete', hunks: [] }, undefined), []);
    assert.deepEqual(touchedAfter({ path: file, kind: 'patch', op: 'add', hunks: [{ before: [], after: ['a', 'b'] }] }, 'a\nb\n'), [span(1, 2)]);
    assert.equal(touchedAfter(update({ before: ['x'], after: ['not there'] }), 'y\n'), 'file');
  });
});
