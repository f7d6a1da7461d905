import { Backoff, backoffDefaults } from '@volley/client';
import { describe, expect, it } from 'vitest';

/** A random source that returns the given values in turn, then repeats the last one. */
function sequence(...values: number[]): () => number {
  let index = 0;
  return () => values[Math.min(index++, values.length - 1)]!;
}

describe('Backoff', () => {
  it('defaults to 1 s growing ×1.5, capped at 30 s, with half the delay random', () => {
    expect(backoffDefaults).toEqual({ initialDelay: 1000, multiplier: 1.5, maxDelay: 30_000, jitter: 0.5, maxAttempts: Infinity });
    // random() = 0 removes the jitter: the delay is the full base.
    const backoff = new Backoff({}, () => 0);
    const delays = Array.from({ length: 12 }, (_, i) => backoff.delay(i + 1));
    expect(delays).toEqual([1000, 1500, 2250, 3375, 5063, 7594, 11391, 17086, 25629, 30_000, 30_000, 30_000]);
    expect(backoff.maxAttempts).toBe(Infinity);
  });

  it('stays at maxDelay however many attempts have failed', () => {
    const backoff = new Backoff({ jitter: 0 });
    expect(backoff.delay(100)).toBe(30_000);
    // 1.5 ** 5000 overflows to Infinity; the cap must still hold.
    expect(backoff.delay(5000)).toBe(30_000);
  });

  it('gives 0 for every attempt when initialDelay is 0, even when the growth overflows', () => {
    const backoff = new Backoff({ initialDelay: 0, jitter: 0 });
    expect(backoff.delay(1)).toBe(0);
    expect(backoff.delay(5000)).toBe(0);
  });

  it('draws each delay from [d × (1 − jitter), d] using the injected random source', () => {
    const backoff = new Backoff({ initialDelay: 1000, multiplier: 2, maxDelay: 10_000, jitter: 0.5 }, sequence(0, 1, 0.5, 0.999));
    expect(backoff.delay(1)).toBe(1000); // random 0: full delay
    expect(backoff.delay(1)).toBe(500); // random 1: d × (1 − 0.5)
    expect(backoff.delay(2)).toBe(1500); // 2000 × (1 − 0.25)
    const d = backoff.delay(3); // 4000 × (1 − 0.4995)
    expect(d).toBeGreaterThanOrEqual(2000);
    expect(d).toBeLessThanOrEqual(4000);
    expect(d).toBe(2002);
  });

  it('keeps every delay in range for many random draws', () => {
    let seed = 42;
    // A small deterministic LCG so the test is reproducible.
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const backoff = new Backoff({ initialDelay: 200, multiplier: 1.5, maxDelay: 5000, jitter: 0.3 }, random);
    for (let attempt = 1; attempt <= 30; attempt++) {
      const base = Math.min(5000, 200 * 1.5 ** (attempt - 1));
      const delay = backoff.delay(attempt);
      expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.7));
      expect(delay).toBeLessThanOrEqual(Math.ceil(base));
    }
  });

  it('jitter 0 makes the delays exact; jitter 1 may go down to 0', () => {
    expect(new Backoff({ jitter: 0 }, () => 0.7).delay(2)).toBe(1500);
    expect(new Backoff({ jitter: 1 }, () => 1).delay(2)).toBe(0);
  });

  it('reports maxAttempts', () => {
    expect(new Backoff({ maxAttempts: 3 }).maxAttempts).toBe(3);
  });

  it.each([
    [{ initialDelay: -1 }, /initialDelay/],
    [{ initialDelay: Number.NaN }, /initialDelay/],
    [{ initialDelay: Infinity, maxDelay: Infinity }, /initialDelay/],
    [{ multiplier: 0.5 }, /multiplier/],
    [{ multiplier: Number.NaN }, /multiplier/],
    [{ maxDelay: 500 }, /maxDelay/],
    [{ jitter: -0.1 }, /jitter/],
    [{ jitter: 1.5 }, /jitter/],
    [{ maxAttempts: 0 }, /maxAttempts/],
    [{ maxAttempts: Number.NaN }, /maxAttempts/],
  ])('throws TypeError for %o', (options, message) => {
    expect(() => new Backoff(options)).toThrow(TypeError);
    expect(() => new Backoff(options)).toThrow(message);
  });
});
