import assert from 'node:assert/strict';
import { plural, someOf } from '../../../src/core/plural';

describe('core: counts in words', () => {
  it('says a count with its word, singular for one', () => {
    assert.equal(plural(1, 'claim'), '1 claim');
    assert.equal(plural(0, 'claim'), '0 claims');
    assert.equal(plural(2, 'state entry', 'state entries'), '2 state entries');
  });

  it('lists the first few of many and counts the rest', () => {
    assert.equal(someOf(['a', 'b']), 'a, b');
    assert.equal(someOf(['a', 'b', 'c'], 2), 'a, b and 1 more');
    assert.equal(someOf([]), '');
  });
});
