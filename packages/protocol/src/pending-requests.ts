import { ErrorCode } from './codes.js';
import type { Frame } from './frame.js';
import { VolleyError, wireErrorMessage } from './volley-error.js';

/** Longest delay `setTimeout` honours. */
const MAX_TIMER_DELAY = 2_147_483_647;

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Absolute time (ms) after which the request times out; Infinity for none. */
  deadline: number;
  name: string;
}

/**
 * The requests a peer sent and still awaits, keyed by id.
 *
 * Timeouts use one lazily re-armed timer per instance instead of one timer per request: the timer
 * is armed for the earliest deadline and, when it fires, sweeps every expired request and re-arms
 * for the next one. Requests answered in time cost no timer work at all, and with a uniform
 * timeout the timer fires about once per timeout period however many requests pass through.
 */
export class PendingRequests {
  private readonly requests = new Map<string, Pending>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;

  /** Number of requests awaiting a response. */
  get size(): number {
    return this.requests.size;
  }

  /** True if a request with this id is pending. */
  has(id: string): boolean {
    return this.requests.has(id);
  }

  /**
   * Registers request `id`; `timeout` in ms, 0 for none. The promise settles through
   * {@link settle}, {@link rejectAll} or the timeout.
   */
  add(id: string, name: string, timeout: number, resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
    const deadline = timeout > 0 ? Date.now() + timeout : Infinity;
    this.requests.set(id, { resolve, reject, deadline, name });
    if (deadline < this.timerAt) this.arm(deadline);
  }

  /**
   * Settles the request a `_r` frame answers. Returns false when nothing with that id is pending
   * (late, duplicate or unknown response), which the caller ignores.
   */
  settle(frame: Frame): boolean {
    const id = frame.i;
    if (id === undefined) return false;
    const pending = this.requests.get(id);
    if (pending === undefined) return false;
    this.requests.delete(id);
    if (frame.e === undefined) {
      pending.resolve(frame.p);
    } else {
      pending.reject(
        new VolleyError(ErrorCode.MESSAGE_REJECTED, `"${pending.name}" was rejected: ${wireErrorMessage(frame.e)}`, {
          payload: frame.e,
        }),
      );
    }
    return true;
  }

  /** Rejects one pending request; false if it was not pending. */
  reject(id: string, error: unknown): boolean {
    const pending = this.requests.get(id);
    if (pending === undefined) return false;
    this.requests.delete(id);
    pending.reject(error);
    return true;
  }

  /** Rejects every pending request with the error `makeError` builds for it (e.g. `DISCONNECTED`). */
  rejectAll(makeError: (name: string) => unknown): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.requests.size === 0) return;
    const all = [...this.requests.values()];
    this.requests.clear();
    for (const pending of all) pending.reject(makeError(pending.name));
  }

  private arm(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    // Delays above 2^31-1 ms fire at once in Node and browsers; a shorter wait just re-arms.
    this.timer = setTimeout(() => this.sweep(), Math.min(MAX_TIMER_DELAY, Math.max(0, at - Date.now())));
    // Pending requests must not keep a process alive on their own; the socket does that.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private sweep(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = Date.now();
    let next = Infinity;
    const expired: Pending[] = [];
    for (const [id, pending] of this.requests) {
      if (pending.deadline <= now) {
        this.requests.delete(id);
        expired.push(pending);
      } else if (pending.deadline < next) {
        next = pending.deadline;
      }
    }
    if (next !== Infinity) this.arm(next);
    for (const pending of expired) {
      pending.reject(new VolleyError(ErrorCode.MESSAGE_TIMEOUT, `"${pending.name}" got no response in time`));
    }
  }
}
