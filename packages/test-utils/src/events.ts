import type { VolleyError } from '@volley/protocol';
import { onCleanup } from './cleanup.js';

/** How long an awaited event may take before the test fails with a readable message. */
export const EVENT_TIMEOUT = 3000;

/** Anything with `once`/`off`: eventemitter3, Node's EventEmitter, Volley's connection and client. */
export interface Emitter {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  once(event: any, listener: (...args: any[]) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  off(event: any, listener?: (...args: any[]) => void): unknown;
}

/** Resolves with every argument of the next `event`; rejects after `timeout` ms. */
export function waitForArgs<T extends unknown[] = unknown[]>(emitter: Emitter, event: string, timeout = EVENT_TIMEOUT): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const listener = (...args: unknown[]): void => {
      clearTimeout(timer);
      resolve(args as T);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`Timed out after ${timeout} ms waiting for "${event}"`));
    }, timeout);
    emitter.once(event, listener);
  });
}

/** Resolves with the first argument of the next `event`; rejects after `timeout` ms. */
export async function waitFor<T = unknown>(emitter: Emitter, event: string, timeout = EVENT_TIMEOUT): Promise<T> {
  const [first] = await waitForArgs<[T]>(emitter, event, timeout);
  return first;
}

/** Collects the first argument of every `event` into an array, from now on. */
export function record<T = unknown>(emitter: { on(event: any, listener: (...args: any[]) => void): unknown }, event: string): T[] {
  const seen: T[] = [];
  emitter.on(event, (value: T) => seen.push(value));
  return seen;
}

/** Resolves with the rejection of `promise` (a Volley API's VolleyError); fails if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<VolleyError> {
  try {
    await promise;
  } catch (error) {
    return error as VolleyError;
  }
  throw new Error('Expected the promise to reject, but it resolved');
}

/**
 * Waits `ms` milliseconds. Only for pacing traffic, or for proving that something does NOT happen
 * within a window (no reconnection, no ping) — never where an event can be awaited instead.
 */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `action` after `ms` ms unless cleanup comes first (delayed answers in handlers). */
export function later(ms: number, action: () => void): void {
  const timer = setTimeout(action, ms);
  onCleanup(() => clearTimeout(timer));
}

/** A promise and its resolve and reject functions, for signals from handlers to the test body. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}
