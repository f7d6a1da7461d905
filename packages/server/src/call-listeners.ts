import type { EventEmitter } from 'eventemitter3';

/**
 * Calls each listener of `event` in turn, rather than through `emit()`: the server's connection
 * events are emitted from ws's socket callbacks, where a listener's throw would crash the process,
 * and one listener's throw (or rejected promise) must neither skip the listeners after it (the
 * chat module listens to these events too) nor become an unhandled rejection: `failed` gets it.
 * Returns the promises of the listeners that returned one, each settled once `failed` has seen
 * its rejection (undefined when none did: the common case costs no array).
 */
export function callListeners<Events extends EventEmitter.ValidEventTypes, E extends EventEmitter.EventNames<Events>>(
  emitter: EventEmitter<Events>,
  event: E,
  args: Parameters<EventEmitter.EventListener<Events, E>>,
  failed: (thrown: unknown) => void,
): PromiseLike<unknown>[] | undefined {
  let pending: PromiseLike<unknown>[] | undefined;
  for (const listener of emitter.listeners(event)) {
    // A `once` listener is removed before it runs, as emit() would.
    emitter.removeListener(event, listener, undefined, true);
    try {
      const result: unknown = (listener as (...values: unknown[]) => unknown).apply(emitter, args);
      if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
        (pending ??= []).push((result as PromiseLike<unknown>).then(undefined, failed));
      }
    } catch (thrown) {
      failed(thrown);
    }
  }
  return pending;
}
