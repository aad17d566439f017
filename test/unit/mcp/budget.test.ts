/**
 * The budget's own measures: one parser for the numeric cursors mesh_lock and mesh_inbox give,
 * and parts cut to what they cost as they go out, raw in structuredContent and printable in the text.
 */
import assert from 'node:assert/strict';
import { printable } from '../../../src/core/printable';
import { numericCursor, partEnd } from '../../../src/mcp/budget';

describe('mcp budget', () => {
  it('numericCursor reads the ids a page went on from, and nothing else', () => {
    assert.equal(numericCursor('0'), 0);
    assert.equal(numericCursor('123456789012345'), 123456789012345);
    for (const bad of ['', '-1', '1.5', '1e3', ' 1', '0x10', '1234567890123456', '１２']) assert.equal(numericCursor(bad), undefined, bad);
  });

  it('partEnd with shown counts a part twice, raw as JSON and printable as JSON, and never splits a surrogate pair', () => {
    const text = '\u0085\u202e😀"a'.repeat(1000);
    const max = 4000;
    const end = partEnd(text, 0, max, true);
    const part = text.slice(0, end);
    const cost = (s: string) => Buffer.byteLength(JSON.stringify(s)) - 2;
    assert.ok(cost(part) + cost(printable(part)) <= max, `${cost(part) + cost(printable(part))} bytes`);
    assert.ok(cost(text.slice(0, end + 6)) + cost(printable(text.slice(0, end + 6))) > max, 'and close to it');
    assert.ok(!/[\ud800-\udbff]$/.test(part), 'not between the halves of a pair');
    assert.ok(partEnd(text, 0, max) > end, 'counted raw only, the part is longer');
  });
});
