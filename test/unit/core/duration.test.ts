import assert from 'node:assert/strict';
import { formatDuration } from '../../../src/core/duration';

describe('formatDuration', () => {
  it('shows the two largest units', () => {
    const nearest = (ms: number) => formatDuration(ms, { rounding: 'nearest' });
    assert.deepEqual([45_000, 552_000, 3_900_000, 7_200_000, 93_600_000].map(nearest), ['45s', '9m 12s', '1h 5m', '2h 0m', '1d 2h']);
  });

  it('rounds as asked: time left up (a live lock never reads 0s), ages to the nearest second', () => {
    assert.equal(formatDuration(400, { rounding: 'up' }), '1s');
    assert.equal(formatDuration(400, { rounding: 'nearest' }), '0s');
    assert.equal(formatDuration(59_600, { rounding: 'up' }), '1m 0s');
    assert.equal(formatDuration(59_400, { rounding: 'nearest' }), '59s');
  });

  it('shows one unit when asked, and never a negative duration', () => {
    assert.equal(formatDuration(552_000, { rounding: 'up', units: 1 }), '9m');
    assert.equal(formatDuration(3_900_000, { rounding: 'nearest', units: 1 }), '1h');
    assert.equal(formatDuration(-5_000, { rounding: 'up' }), '0s');
  });
});
