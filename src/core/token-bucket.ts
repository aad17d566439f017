/**
 * A token bucket: up to `burst` actions at once, then `perSecond` on average. The broker
 * rate-limits handshakes with it, so a flood costs it a bounded amount of work whatever its rate.
 */
import type { Clock } from './clock';

export interface TokenBucketOptions {
  /** Tokens the bucket holds when full: how many actions may come at once. */
  burst: number;
  /** Tokens added per second, up to `burst`. */
  perSecond: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private readonly opts: TokenBucketOptions, private readonly clock: Clock) {
    this.tokens = opts.burst;
    this.last = clock.now();
  }

  /**
   * Takes a token if there is one and answers 0; else takes nothing and answers how long, in
   * whole milliseconds (at least 1), until one will be there.
   */
  take(): number {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.opts.perSecond));
  }

  private refill(): void {
    const now = this.clock.now();
    // A clock that went back adds nothing; the refill counts again from where it is now.
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.opts.burst, this.tokens + (elapsed * this.opts.perSecond) / 1000);
  }
}
