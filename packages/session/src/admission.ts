import { ErrorCode, VolleyError } from '@volley/protocol';
import type { AdmissionPolicy } from './session-host.js';
import { TokenBucket } from './token-bucket.js';

/** The limits an {@link Admission} applies. */
export interface AdmissionLimits {
  /** Frames (of every kind) the peer may send per second, and the burst allowed. @default undefined (no limit) */
  rateLimit?: { rate: number; burst: number };
  /** Requests from the peer that may await an answer at once; more are refused. 0 = no limit. @default 0 */
  maxInFlight?: number;
  /** Refusals in a row after which the host is told the peer is abusive. 0 = never. @default 0 */
  maxRefusals?: number;
}

/**
 * What a session lets in from its peer: the token bucket every inbound frame draws from, the cap
 * on requests awaiting an answer, and the count of refusals in a row after which the peer is
 * abusive. It decides; the session refuses and reports.
 */
export class Admission implements AdmissionPolicy {
  private readonly bucket: TokenBucket | undefined;
  /** Requests from the peer that may await an answer at once; 0 = no limit. */
  readonly maxInFlight: number;
  private readonly maxRefusals: number;
  /** Requests received and not answered yet. */
  private inFlight = 0;
  private refusals = 0;

  constructor(limits: AdmissionLimits) {
    this.bucket = limits.rateLimit === undefined ? undefined : new TokenBucket(limits.rateLimit.rate, limits.rateLimit.burst);
    this.maxInFlight = limits.maxInFlight ?? 0;
    this.maxRefusals = limits.maxRefusals ?? 0;
  }

  /** Frames per second allowed, for error messages; undefined without a rate limit. */
  get rate(): number | undefined {
    return this.bucket?.rate;
  }

  /** Requests received and not answered yet. */
  get inFlightCount(): number {
    return this.inFlight;
  }

  /** One inbound frame takes a token; false when the peer is over its rate. */
  take(): boolean {
    return this.bucket === undefined || this.bucket.take();
  }

  /** True when another request would pass the in-flight cap. */
  get inFlightFull(): boolean {
    return this.maxInFlight > 0 && this.inFlight >= this.maxInFlight;
  }

  /** The error a frame named `name` is refused with when it came over the rate. */
  rateLimited(name: string): VolleyError {
    return new VolleyError(ErrorCode.RATE_LIMITED, `"${name}" refused: more than ${this.rate} messages per second`);
  }

  /** The error a request named `name` is refused with while the in-flight cap is reached; undefined to let it in. */
  inFlightRefusal(name: string): VolleyError | undefined {
    if (!this.inFlightFull) return undefined;
    return new VolleyError(ErrorCode.TOO_MANY_REQUESTS, `"${name}" refused: ${this.maxInFlight} requests already await an answer`);
  }

  /** An application message was let through: refusals are no longer in a row. */
  admitted(isRequest: boolean): void {
    this.refusals = 0;
    if (isRequest) this.inFlight += 1;
  }

  /** A request the peer sent was answered. */
  answered(): void {
    this.inFlight -= 1;
  }

  /** Counts a refusal; true when it makes `maxRefusals` in a row (the count then starts over). */
  refused(): boolean {
    this.refusals += 1;
    if (this.maxRefusals === 0 || this.refusals < this.maxRefusals) return false;
    this.refusals = 0;
    return true;
  }
}
