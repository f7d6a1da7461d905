import type { VolleyError } from '@volley/protocol';
import type { WebSocketLike } from './options.js';

/** Who an attempt tells that its time ran out. */
export interface AttemptOwner {
  attemptExpired(attempt: ConnectAttempt): void;
}

/** The attempt timer's callback, shared by every attempt: no closure per connect. */
function expire(attempt: ConnectAttempt): void {
  attempt.expired();
}

/**
 * One connection attempt: its socket, whether the handshake went in the upgrade, the answer header
 * of the 101 response, the timer that bounds opening and handshake together, and its outcome,
 * settled once. The client keeps the attempt in progress until it settles (Phoenix's `Push`, for
 * the connect).
 */
export class ConnectAttempt {
  /** The upgrade answer header of the 101 response (ws only), until the socket opens. */
  upgradeAnswer: string | undefined;
  /** Resolves with the server's handshake answer, rejects with the attempt's failure. */
  readonly promise: Promise<unknown>;
  private resolve!: (value: unknown) => void;
  private reject!: (error: VolleyError) => void;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private done = false;

  constructor(
    readonly socket: WebSocketLike,
    /** True when the handshake was offered in the upgrade (see `handshake.viaUpgrade`). */
    readonly offeredInUpgrade: boolean,
    /** ms; 0 for no bound. */
    readonly timeout: number,
    private readonly owner: AttemptOwner,
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    if (timeout > 0) this.timer = setTimeout(expire, timeout, this);
  }

  /** True once resolved or rejected. */
  get settled(): boolean {
    return this.done;
  }

  /** Resolves with the handshake answer; false when already settled. */
  succeed(value: unknown): boolean {
    if (!this.finish()) return false;
    this.resolve(value);
    return true;
  }

  /** Rejects with `error`; false when already settled. */
  fail(error: VolleyError): boolean {
    if (!this.finish()) return false;
    this.reject(error);
    return true;
  }

  /** @internal The timer fired. */
  expired(): void {
    this.timer = undefined;
    if (!this.done) this.owner.attemptExpired(this);
  }

  private finish(): boolean {
    if (this.done) return false;
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    return true;
  }
}
