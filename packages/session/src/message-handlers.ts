import type { IncomingMessage, MessageListener } from './incoming-message.js';

interface Entry {
  fn: MessageListener<never>;
  once: boolean;
}

/**
 * The application message handlers of one connection or client, by message name. Kept apart from
 * the lifecycle event emitter because dispatch needs what a handler returns: a promise that
 * rejects is treated like a throw (the request is rejected, the error reported) instead of
 * becoming an unhandled rejection that ends the process. No wrapper is allocated per handler,
 * and the map itself only exists once a handler is registered.
 */
export class MessageHandlers {
  private entries: Map<string, Entry | Entry[]> | undefined;

  /** Adds a handler of `name`. */
  on(name: string, fn: MessageListener<never>, once = false): void {
    const entry: Entry = { fn, once };
    const map = (this.entries ??= new Map());
    const current = map.get(name);
    if (current === undefined) map.set(name, entry);
    else if (Array.isArray(current)) current.push(entry);
    else map.set(name, [current, entry]);
  }

  /** Removes one handler of `name` (the last added if registered twice), or all of them without `fn`. */
  off(name: string, fn?: MessageListener<never>): void {
    const map = this.entries;
    const current = map?.get(name);
    if (map === undefined || current === undefined) return;
    if (fn === undefined) {
      map.delete(name);
      return;
    }
    if (!Array.isArray(current)) {
      if (current.fn === fn) map.delete(name);
      return;
    }
    const index = current.map((entry) => entry.fn).lastIndexOf(fn);
    if (index === -1) return;
    current.splice(index, 1);
    if (current.length === 1) map.set(name, current[0]!);
  }

  /** Number of handlers of `name`. */
  count(name: string): number {
    const current = this.entries?.get(name);
    return current === undefined ? 0 : Array.isArray(current) ? current.length : 1;
  }

  /**
   * Calls every handler of `message.name` with `(message, context)`; false when there is none. A
   * handler that throws propagates (the session rejects the request); one whose promise rejects
   * fails the message. `context` is what a shared registry passes along (the connection).
   */
  dispatch(message: IncomingMessage, context?: unknown): boolean {
    const current = this.entries?.get(message.name);
    if (current === undefined) return false;
    if (!Array.isArray(current)) {
      if (current.once) this.entries!.delete(message.name);
      call(current.fn, message, context);
      return true;
    }
    // A copy: handlers may add or remove handlers while being called.
    for (const entry of current.slice()) {
      if (entry.once) this.off(message.name, entry.fn);
      call(entry.fn, message, context);
    }
    return true;
  }
}

function call(fn: MessageListener<never>, message: IncomingMessage, context: unknown): void {
  const result = (fn as unknown as (message: IncomingMessage, context: unknown) => unknown)(message, context);
  if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
    (result as PromiseLike<unknown>).then(undefined, (error: unknown) => message.fail(error));
  }
}
