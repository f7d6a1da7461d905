/** Options of {@link Backoff} (the client's `reconnectOptions`). */
export interface BackoffOptions {
  /** Delay before the first attempt, in ms. @default 1000 */
  initialDelay?: number;
  /** Factor applied to the delay after each failed attempt. @default 1.5 */
  multiplier?: number;
  /** Upper bound of the delay, in ms. @default 30000 */
  maxDelay?: number;
  /**
   * Share of the delay that is random, 0..1: each delay is drawn from `[d × (1 − jitter), d]`, so
   * that clients dropped together do not all come back at the same instant. @default 0.5
   */
  jitter?: number;
  /** Attempts before giving up; Infinity never gives up. @default Infinity */
  maxAttempts?: number;
}

/** Defaults of {@link BackoffOptions}. */
export const backoffDefaults = {
  initialDelay: 1000,
  multiplier: 1.5,
  maxDelay: 30_000,
  jitter: 0.5,
  maxAttempts: Infinity,
} as const satisfies Required<BackoffOptions>;

/**
 * Exponential backoff with jitter: attempt → delay. Pure apart from the random source, which
 * tests replace.
 *
 * @example
 * const backoff = new Backoff({ initialDelay: 100 });
 * backoff.delay(1); // 50..100
 * backoff.delay(3); // 112.5..225
 */
export class Backoff {
  private readonly options: Required<BackoffOptions>;

  /** @throws TypeError for invalid options. */
  constructor(
    options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.options = { ...backoffDefaults, ...options };
    const { initialDelay, multiplier, maxDelay, jitter, maxAttempts } = this.options;
    if (!(initialDelay >= 0 && Number.isFinite(initialDelay))) throw new TypeError('reconnectOptions.initialDelay must be a non-negative number of ms');
    if (!(multiplier >= 1)) throw new TypeError('reconnectOptions.multiplier must be >= 1');
    if (!(maxDelay >= initialDelay)) throw new TypeError('reconnectOptions.maxDelay must be >= initialDelay');
    if (!(jitter >= 0 && jitter <= 1)) throw new TypeError('reconnectOptions.jitter must be in 0..1');
    if (!(maxAttempts >= 1)) throw new TypeError('reconnectOptions.maxAttempts must be >= 1');
  }

  /** Attempts allowed. */
  get maxAttempts(): number {
    return this.options.maxAttempts;
  }

  /** Delay in ms before attempt number `attempt` (1-based). */
  delay(attempt: number): number {
    const { initialDelay, multiplier, maxDelay, jitter } = this.options;
    // With initialDelay 0 the growth overflows to 0 × Infinity = NaN after enough attempts.
    const base = initialDelay === 0 ? 0 : Math.min(maxDelay, initialDelay * multiplier ** Math.max(0, attempt - 1));
    return Math.round(base * (1 - jitter * this.random()));
  }
}
