import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/core/clock';
import { TokenBucket } from '../../../src/core/token-bucket';

describe('TokenBucket', () => {
  it('lets a burst through, then refuses with the wait until the next token', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ burst: 3, perSecond: 10 }, clock);
    assert.deepEqual([bucket.take(), bucket.take(), bucket.take()], [0, 0, 0]);
    assert.equal(bucket.take(), 100, 'one token every 100 ms');
    clock.advance(40);
    assert.equal(bucket.take(), 60, 'a refusal takes nothing: the wait shrinks as time passes');
    clock.advance(60);
    assert.equal(bucket.take(), 0);
    assert.equal(bucket.take(), 100);
  });

  it('refills up to the burst and no further, however long it waited', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ burst: 2, perSecond: 1 }, clock);
    bucket.take();
    bucket.take();
    clock.advance(3_600_000);
    assert.deepEqual([bucket.take(), bucket.take()], [0, 0]);
    assert.equal(bucket.take(), 1000);
  });

  it('never answers a wait shorter than 1 ms, and never a fraction', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ burst: 1, perSecond: 3 }, clock);
    bucket.take();
    clock.advance(333);
    const wait = bucket.take();
    assert.ok(Number.isInteger(wait) && wait >= 1, `wait ${wait}`);
  });

  it('a clock that steps back does not mint tokens', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ burst: 1, perSecond: 1 }, clock);
    bucket.take();
    clock.advance(-10_000);
    assert.ok(bucket.take() > 0, 'still empty');
    clock.advance(999);
    assert.ok(bucket.take() > 0, 'the refill counts from where the clock went back to');
  });
});
