import { VolleyError } from '@volley/protocol';
import {
  Admission,
  type AdmissionLimits,
  type IncomingMessage,
  ServerSession,
  type SessionHost,
  type SessionOptions,
} from '@volley/session';
import { afterEach, beforeEach, vi } from 'vitest';

/*
 * What the session's unit tests share: a SessionHost that records what the session writes and
 * reports, the session under test (made by create(), a connected client-side session by default),
 * and promise helpers. Each test file calls useFakeSession().
 */

export type Handler = (message: IncomingMessage) => void;

/** A SessionHost that records what the session writes and reports. */
export class FakeHost implements SessionHost {
  readonly written: string[] = [];
  readonly errors: VolleyError[] = [];
  readonly pingFailures: VolleyError[] = [];
  readonly handshakes: IncomingMessage[] = [];
  readonly handlers = new Map<string, Handler>();
  /** When set, write() throws it (a socket that went away). */
  failWrites: Error | undefined;
  handshake?: (message: IncomingMessage) => void;
  abusive?: (error: VolleyError) => void;
  /** What reached handshakeAccepted / handshakeFailed, in order. */
  readonly handshakeOutcomes: ['accepted', unknown][] | ['failed', unknown][] = [];
  /** Runs inside handshakeAccepted (it may throw). */
  onAccepted: (result: unknown) => void = () => undefined;

  constructor(withHandshake: boolean) {
    if (withHandshake) this.handshake = (message) => this.handshakes.push(message);
  }

  write(frame: string): void {
    if (this.failWrites !== undefined) throw this.failWrites;
    this.written.push(frame);
  }

  dispatch(message: IncomingMessage): boolean {
    const handler = this.handlers.get(message.name);
    if (handler === undefined) return false;
    handler(message);
    return true;
  }

  error(error: VolleyError): void {
    this.errors.push(error);
  }

  pingFailed(error: VolleyError): void {
    this.pingFailures.push(error);
  }

  handshakeAccepted(result: unknown): void {
    (this.handshakeOutcomes as unknown[]).push(['accepted', result]);
    this.onAccepted(result);
  }

  handshakeFailed(error: unknown): void {
    (this.handshakeOutcomes as unknown[]).push(['failed', error]);
  }

  /** The written frames, parsed. */
  frames(): Record<string, unknown>[] {
    return this.written.map((text) => JSON.parse(text) as Record<string, unknown>);
  }
}

export let host: FakeHost;
export let session: ServerSession;

export function create(options: Partial<SessionOptions> & AdmissionLimits & { handshake?: boolean; connected?: boolean } = {}): void {
  host = new FakeHost(options.handshake ?? false);
  const limited = options.rateLimit !== undefined || options.maxInFlight !== undefined || options.maxRefusals !== undefined;
  // A server's session gets an Admission; without limits the session admits everything (a client's).
  session = new ServerSession(host, { responseTimeout: 1000, ...options }, limited ? new Admission(options) : undefined);
  if (options.connected ?? true) {
    session.handshakeDone();
  }
}

/** Lets promise callbacks run; fake timers do not drive microtasks. */
export async function microtasks(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
}

/** Records how a promise settles without awaiting it. */
export function watch<T>(promise: Promise<T>): { settled: 'pending' | 'resolved' | 'rejected'; value?: T; error?: VolleyError } {
  const state: { settled: 'pending' | 'resolved' | 'rejected'; value?: T; error?: VolleyError } = { settled: 'pending' };
  promise.then(
    (value) => {
      state.settled = 'resolved';
      state.value = value;
    },
    (error: VolleyError) => {
      state.settled = 'rejected';
      state.error = error;
    },
  );
  return state;
}

/** Fake timers and a fresh connected session for every test of the calling file. */
export function useFakeSession(): void {
  beforeEach(() => {
    vi.useFakeTimers();
    create();
  });

  afterEach(() => {
    session.close();
    vi.useRealTimers();
  });
}
