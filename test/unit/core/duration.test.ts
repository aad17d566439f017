import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../../src/core/duration';

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

describe('parseDuration', () => {
  it('reads what formatDuration writes, and single units', () => {
    assert.deepEqual(['45s', '9m 12s', '2h', '7d', '1d 2h', '1h30m', '3w'].map(parseDuration),
      [45_000, 552_000, 7_200_000, 604_800_000, 93_600_000, 5_400_000, 1_814_400_000]);
    assert.equal(parseDuration(formatDuration(93_600_000, { rounding: 'nearest' })), 93_600_000);
  });

  it('refuses what is not a duration, a unit twice, units out of order, and a number without a unit', () => {
    for (const text of ['', ' ', '2', 'h', '2x', '2 hours', '1h 1h', '30m 2h', '-2h', '1.5h', '2h!', '9'.repeat(20) + 'd']) {
      assert.equal(parseDuration(text), undefined, JSON.stringify(text));
    }
  });
});
