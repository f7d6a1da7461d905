import { ErrorCode, type Frame, VolleyError, wireErrorMessage } from '@volley/protocol';

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
 * The map from id to request holds slot numbers, not the requests: the requests sit in an array
 * of reused slots. A `Map` with entries coming and going rehashes into a new table every few
 * hundred requests, and V8 keeps the old table's entries for the iterators it may have; once that
 * table is in the old generation, whatever it still points to survives every young collection
 * until the next full one. With the requests themselves in it, each one took its promise and its
 * awaiting code along and most of a busy client's garbage was promoted (longer collections, a
 * full one every few hundred milliseconds). Stale tables now hold ids and small integers only.
 *
 * Timeouts use one lazily re-armed timer per instance instead of one timer per request: the timer
 * is armed for the earliest deadline and, when it fires, sweeps every expired request and re-arms
 * for the next one. Requests answered in time cost no timer work at all, and with a uniform
 * timeout the timer fires about once per timeout period however many requests pass through.
 */
export class PendingRequests {
  /** Id → index in `slots`. */
  private readonly index = new Map<string, number>();
  private readonly slots: (Pending | undefined)[] = [];
  /** Indices of `slots` that are free. */
  private readonly free: number[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;

  /** Number of requests awaiting a response. */
  get size(): number {
    return this.index.size;
  }

  /** True if a request with this id is pending. */
  has(id: string): boolean {
    return this.index.has(id);
  }

  /**
   * Registers request `id` and returns the promise of its answer; `timeout` in ms, 0 for none.
   * A shared executor hands over the resolving functions: no closure per request.
   */
  await(id: string, name: string, timeout: number): Promise<unknown> {
    const promise = new Promise(captureResolvers);
    this.add(id, name, timeout, capturedResolve!, capturedReject!);
    capturedResolve = capturedReject = undefined;
    return promise;
  }

  /**
   * Registers request `id`; `timeout` in ms, 0 for none. The promise settles through
   * {@link settle}, {@link rejectAll} or the timeout.
   */
  add(id: string, name: string, timeout: number, resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
    const deadline = timeout > 0 ? Date.now() + timeout : Infinity;
    const slot = this.free.length > 0 ? this.free.pop()! : this.slots.length;
    this.slots[slot] = { resolve, reject, deadline, name };
    this.index.set(id, slot);
    if (deadline < this.timerAt) this.arm(deadline);
  }

  /**
   * Settles the request a `_r` frame answers. Returns false when nothing with that id is pending
   * (late, duplicate or unknown response), which the caller ignores.
   */
  settle(frame: Frame): boolean {
    const id = frame.i;
    if (id === undefined) return false;
    const pending = this.take(id);
    if (pending === undefined) return false;
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
    const pending = this.take(id);
    if (pending === undefined) return false;
    pending.reject(error);
    return true;
  }

  /** Rejects every pending request with the error `makeError` builds for it (e.g. `DISCONNECTED`). */
  rejectAll(makeError: (name: string) => unknown): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.index.size === 0) return;
    const all = [...this.index.values()].map((slot) => this.slots[slot]!);
    this.index.clear();
    this.slots.length = 0;
    this.free.length = 0;
    for (const pending of all) pending.reject(makeError(pending.name));
  }

  /** Removes request `id` and frees its slot; undefined when it is not pending. */
  private take(id: string): Pending | undefined {
    const slot = this.index.get(id);
    if (slot === undefined) return undefined;
    this.index.delete(id);
    const pending = this.slots[slot];
    this.slots[slot] = undefined;
    this.free.push(slot);
    return pending;
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
    for (const [id, slot] of this.index) {
      const pending = this.slots[slot]!;
      if (pending.deadline <= now) {
        this.take(id);
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

let capturedResolve: ((value: unknown) => void) | undefined;
let capturedReject: ((error: unknown) => void) | undefined;

/** The executor of every request's promise: it runs synchronously inside `new Promise`. */
function captureResolvers(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}
