/**
 * A token bucket: `rate` tokens per second flow in, at most `burst` are kept, each admitted
 * message takes one. Refilled lazily from the clock on each call, so an idle connection costs
 * nothing and no timer is needed.
 *
 * @example
 * const bucket = new TokenBucket(100, 200);
 * if (!bucket.take()) refuse();
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  /** @throws TypeError unless `rate` and `burst` are positive. */
  constructor(
    /** Tokens added per second. */
    readonly rate: number,
    /** Capacity; also the initial fill. */
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(rate > 0) || !(burst >= 1)) throw new TypeError('A rate limit needs rate > 0 and burst >= 1');
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token; false when the bucket is empty. */
  take(): boolean {
    const now = this.now();
    // Date.now() can step backwards (clock adjustment): a negative interval would drain the
    // bucket and refuse the peer for as long as the step was.
    const elapsed = Math.max(0, now - this.last);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.rate) / 1000);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
