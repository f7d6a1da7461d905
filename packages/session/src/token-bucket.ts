/** Tokens taken from the bucket at once, so that the clock is read once per batch. */
const BATCH = 16;

/**
 * A token bucket: `rate` tokens per second flow in, at most `burst` are kept, each admitted
 * message takes one. Refilled lazily from the clock, so an idle connection costs nothing and no
 * timer is needed.
 *
 * Tokens are taken in batches of up to 16 and handed out one by one, so the clock is read once
 * per batch instead of once per message: on the hot path `take()` is a decrement. At any point it
 * has admitted at least as many messages as the exact bucket, and at most 15 more for each refill
 * that falls while a batch is outstanding (a rate limit loose by about 1 %, never stricter).
 *
 * @example
 * const bucket = new TokenBucket(100, 200);
 * if (!bucket.take()) refuse();
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  /** Tokens already taken from the bucket and not yet handed out. */
  private credit = 0;

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
    if (this.credit > 0) {
      this.credit -= 1;
      return true;
    }
    const now = this.now();
    // Date.now() can step backwards (clock adjustment): a negative interval would drain the
    // bucket and refuse the peer for as long as the step was.
    const elapsed = Math.max(0, now - this.last);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.rate) / 1000);
    this.last = now;
    if (this.tokens < 1) return false;
    const batch = Math.min(BATCH, Math.floor(this.tokens));
    this.tokens -= batch;
    this.credit = batch - 1;
    return true;
  }
}
