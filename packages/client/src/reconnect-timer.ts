import type { Backoff } from './backoff.js';

/**
 * When the client tries again after a drop: counts the attempts since the last success, draws
 * each delay from the backoff and owns the one timer. Phoenix's `Timer` in Volley's terms.
 */
export class ReconnectTimer {
  /** Attempts made since the last successful handshake (or `connect()`). */
  attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly backoff: Backoff) {}

  /** True when no attempt is left (`maxAttempts`). */
  get exhausted(): boolean {
    return this.attempt >= this.backoff.maxAttempts;
  }

  /** Counts an attempt and runs `retry` after its delay; returns the attempt and its delay. */
  schedule(retry: () => void): { attempt: number; delay: number } {
    this.cancel();
    this.attempt += 1;
    const delay = this.backoff.delay(this.attempt);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      retry();
    }, delay);
    return { attempt: this.attempt, delay };
  }

  /** Cancels the scheduled attempt, if any. */
  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A handshake succeeded, or the user called `connect()`: the count starts over. */
  reset(): void {
    this.cancel();
    this.attempt = 0;
  }
}
