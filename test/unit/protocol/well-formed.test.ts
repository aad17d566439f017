import assert from 'node:assert/strict';
import { makeWellFormed, mayHoldLoneSurrogate, wellFormedString } from '../../../src/protocol/well-formed';

describe('protocol/well-formed', () => {
  it('replaces each lone surrogate with one U+FFFD and keeps pairs', () => {
    assert.equal(wellFormedString('a\uD800b\uDC00c\uD83D\uDE00'), 'a\uFFFDb\uFFFDc\uD83D\uDE00');
    assert.equal(wellFormedString('\uD83D'), '\uFFFD');
    assert.equal(wellFormedString('\uDE00\uD83D'), '\uFFFD\uFFFD');
  });

  it('fixes strings and keys at any depth, in place, without turning __proto__ into a prototype', () => {
    const text = '{"a":["x\\ud800",{"k\\udc00":"v"}],"__proto__":{"p":"\\ud800"},"z":1}';
    assert.ok(mayHoldLoneSurrogate(text));
    const value = makeWellFormed(JSON.parse(text)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(value), ['a', '__proto__', 'z']);
    assert.deepEqual(value.a, ['x\uFFFD', { 'k\uFFFD': 'v' }]);
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(value, '__proto__')?.value, { p: '\uFFFD' });
  });

  it('walks a frame nested deeper than the stack allows', () => {
    const depth = 50_000;
    const value = makeWellFormed(JSON.parse(`${'['.repeat(depth)}"\\ud800"${']'.repeat(depth)}`));
    let inner: unknown = value;
    for (let i = 0; i < depth; i++) inner = (inner as unknown[])[0];
    assert.equal(inner, '\uFFFD');
  });

  it('leaves frames without an escaped surrogate alone', () => {
    assert.equal(mayHoldLoneSurrogate('{"a":"\\u00e9 \\uD7FF \\uE000 😀"}'), false);
  });
});
