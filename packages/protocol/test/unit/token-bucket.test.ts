import { TokenBucket } from '@volley/protocol';
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

  it('reads the clock lazily: no timer, one reading per call', () => {
    const clock = manualClock();
    let readings = 0;
    const bucket = new TokenBucket(10, 5, () => {
      readings += 1;
      return clock.now();
    });
    expect(readings).toBe(1);
    bucket.take();
    bucket.take();
    expect(readings).toBe(3);
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
