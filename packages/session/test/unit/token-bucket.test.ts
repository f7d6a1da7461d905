import { TokenBucket } from '@volley/session';
import { describe, expect, it } from 'vitest';

/** A clock the test moves by hand, in ms. */
function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void; set: (ms: number) => void } {
  let time = start;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
    set: (ms) => {
      time = ms;
    },
  };
}

/** Takes tokens until the bucket refuses (bounded); returns how many were admitted. */
function drain(bucket: TokenBucket, limit = 10_000): number {
  let admitted = 0;
  while (admitted < limit && bucket.take()) admitted += 1;
  return admitted;
}

describe('TokenBucket', () => {
  it('admits a full burst at once, then refuses', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(10, 5, clock.now);
    for (let index = 0; index < 5; index++) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    // Refusals take nothing: still refused without time passing.
    expect(bucket.take()).toBe(false);
  });

  it('exposes rate and burst', () => {
    const bucket = new TokenBucket(7, 3, manualClock().now);
    expect(bucket.rate).toBe(7);
    expect(bucket.burst).toBe(3);
  });

  it('refills at `rate` tokens per second', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(10, 5, clock.now);
    expect(drain(bucket)).toBe(5);
    // 10 per second: one token every 100 ms.
    clock.advance(99);
    expect(bucket.take()).toBe(false);
    clock.advance(1);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    clock.advance(300);
    expect(drain(bucket)).toBe(3);
  });

  it('accumulates fractions of a token across calls', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(4, 1, clock.now);
    expect(bucket.take()).toBe(true);
    // 4 per second: a token every 250 ms, reached in steps of 50 ms.
    for (let step = 0; step < 4; step++) {
      clock.advance(50);
      expect(bucket.take()).toBe(false);
    }
    clock.advance(50);
    expect(bucket.take()).toBe(true);
  });

  it('never holds more than `burst` tokens, however long it idles', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(10, 5, clock.now);
    expect(drain(bucket)).toBe(5);
    clock.advance(60 * 60 * 1000);
    expect(drain(bucket)).toBe(5);
  });

  it('supports rates below one token per second', () => {
    const clock = manualClock();
    const bucket = new TokenBucket(0.5, 1, clock.now);
    expect(bucket.take()).toBe(true);
    clock.advance(1999);
    expect(bucket.take()).toBe(false);
    clock.advance(1);
    expect(bucket.take()).toBe(true);
  });

  it('is not starved when the clock steps backwards', () => {
    const clock = manualClock(10_000_000);
    const bucket = new TokenBucket(10, 5, clock.now);
    expect(drain(bucket)).toBe(5);
    // A wall-clock adjustment of one hour back must not cost an hour of refusals.
    clock.set(10_000_000 - 60 * 60 * 1000);
    expect(bucket.take()).toBe(false);
    clock.advance(100);
    expect(bucket.take()).toBe(true);
  });

  it('reads the clock lazily, once per batch of up to 16 tokens, with no timer', () => {
    const clock = manualClock();
    let readings = 0;
    const bucket = new TokenBucket(10, 40, () => {
      readings += 1;
      return clock.now();
    });
    expect(readings).toBe(1);
    for (let i = 0; i < 16; i++) expect(bucket.take()).toBe(true);
    expect(readings).toBe(2);
    expect(bucket.take()).toBe(true);
    expect(readings).toBe(3);
  });

  it('admits and refuses like a bucket that reads the clock on every call, within the documented slack', () => {
    // Reference: the textbook bucket. Clock steps are random, bursts and pauses mixed.
    const clock = manualClock();
    const rate = 50;
    const burst = 30;
    const batched = new TokenBucket(rate, burst, clock.now);
    let tokens = burst;
    let last = clock.now();
    const exact = (): boolean => {
      const now = clock.now();
      tokens = Math.min(burst, tokens + ((now - last) * rate) / 1000);
      last = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    };
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let differences = 0;
    let refusals = 0;
    let admittedBatched = 0;
    let admittedExact = 0;
    let everBehind = false;
    for (let i = 0; i < 5000; i++) {
      // Mostly back-to-back messages (no time passes, as within one read), sometimes a pause.
      if (random() < 0.05) clock.advance(Math.floor(random() * 400));
      const a = batched.take();
      const b = exact();
      if (!b) refusals += 1;
      if (a !== b) differences += 1;
      if (a) admittedBatched += 1;
      if (b) admittedExact += 1;
      if (admittedBatched < admittedExact) everBehind = true;
    }
    expect(refusals).toBeGreaterThan(100);
    // Only a refill while a batch is outstanding may admit more, by at most 15 per refill.
    console.log(`batched vs exact: ${differences} different verdicts of 5000, ${refusals} refusals`);
    expect(differences).toBeLessThanOrEqual(0.02 * 5000);
    // Never stricter overall: at every point it has admitted at least as much as the exact bucket
    // (a verdict may differ only because an earlier message was admitted sooner).
    expect(everBehind).toBe(false);
    expect(admittedBatched - admittedExact).toBeLessThanOrEqual(0.02 * 5000);
  });

  it.each([
    ['rate 0', 0, 1],
    ['negative rate', -1, 1],
    ['NaN rate', Number.NaN, 1],
    ['burst 0', 1, 0],
    ['burst below one', 1, 0.5],
    ['negative burst', 1, -5],
    ['NaN burst', 1, Number.NaN],
  ])('throws a TypeError for %s', (_label, rate, burst) => {
    expect(() => new TokenBucket(rate, burst, manualClock().now)).toThrow(TypeError);
  });
});
