import { ErrorCode, VolleyError } from '@volley/protocol';

/**
 * Emits a lifecycle event so that a throwing user listener cannot break the state machine that
 * emitted it: the failure is reported through `report` (the `_error` event) instead. A listener
 * of the error event itself that throws is rethrown on a fresh stack, as Node does for any
 * uncaught exception, since reporting it again would loop.
 */
export function emitSafely(
  emitter: { emit(event: string, argument: unknown): boolean },
  event: string,
  argument: unknown,
  report: (error: VolleyError) => void,
  errorEvent: string,
): void {
  try {
    emitter.emit(event, argument);
  } catch (thrown) {
    if (event === errorEvent) {
      queueMicrotask(() => {
        throw thrown;
      });
      return;
    }
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    report(new VolleyError(ErrorCode.INTERNAL_ERROR, `A "${event}" listener threw: ${message}`, { cause: thrown }));
  }
}
