/** The bounded line reader under the MCP stdio transport. */
import assert from 'node:assert/strict';
import { LineReader, type LineEvent } from '../../../src/mcp/lines';

const feed = (reader: LineReader, ...chunks: Array<string | Buffer>): LineEvent[] =>
  chunks.flatMap((c) => reader.push(typeof c === 'string' ? Buffer.from(c) : c));

describe('LineReader', () => {
  it('splits lines across and within chunks, and drops a CR before the newline', () => {
    const r = new LineReader(100);
    assert.deepEqual(feed(r, '{"a":', '1}\n{"b":2}\r\n{"c"'), [{ line: '{"a":1}' }, { line: '{"b":2}' }]);
    assert.deepEqual(feed(r, ':3}\n\n'), [{ line: '{"c":3}' }, { line: '' }]);
  });

  it('keeps a character whose UTF-8 bytes arrive in two chunks', () => {
    const bytes = Buffer.from('"é€😀"\n');
    const r = new LineReader(100);
    assert.deepEqual(feed(r, bytes.subarray(0, 2), bytes.subarray(2, 6), bytes.subarray(6)), [{ line: '"é€😀"' }]);
  });

  it('takes a line of exactly the limit, and reports a longer one once, as soon as it crosses the limit', () => {
    const r = new LineReader(10);
    assert.deepEqual(feed(r, 'x'.repeat(10) + '\n'), [{ line: 'x'.repeat(10) }]);
    assert.deepEqual(feed(r, 'y'.repeat(6), 'y'.repeat(6)), [{ tooLong: true }], 'reported before its newline');
    assert.deepEqual(feed(r, 'y'.repeat(1000), 'yy'), [], 'the rest of the line is dropped, not reported again');
    assert.deepEqual(feed(r, 'y\nok\n'), [{ line: 'ok' }], 'the newline ends the skipped line');
  });

  it('reports an over-long line that arrives whole with the lines around it, in order', () => {
    const r = new LineReader(5);
    assert.deepEqual(feed(r, 'a\n' + 'z'.repeat(20) + '\nb\n'), [{ line: 'a' }, { tooLong: true }, { line: 'b' }]);
  });

  it('forgets a partial line on clear', () => {
    const r = new LineReader(100);
    feed(r, 'partial');
    r.clear();
    assert.deepEqual(feed(r, 'next\n'), [{ line: 'next' }]);
  });
});
