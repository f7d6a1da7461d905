// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

interface Entry {
  readonly fn: Listener;
  readonly once: boolean;
}

/**
 * Listeners by event name: what the browser-side emitters (a peer's lifecycle, the chat client's
 * events) need of an event emitter (`on`, `once`, `off`, `emit` with positional arguments, a
 * count) at a fraction of eventemitter3's size in the browser bundle. `off(event, fn)` removes
 * every registration of `fn`, as eventemitter3 does.
 */
export class EventListeners {
  private readonly entries = new Map<string, Entry[]>();

  on(event: string, fn: Listener, once = false): void {
    const list = this.entries.get(event);
    if (list === undefined) this.entries.set(event, [{ fn, once }]);
    else list.push({ fn, once });
  }

  /** Removes every registration of `fn` for `event`, or every listener of `event` without `fn`. */
  off(event: string, fn?: Listener): void {
    const list = this.entries.get(event);
    if (list === undefined) return;
    const kept = fn === undefined ? [] : list.filter((entry) => entry.fn !== fn);
    if (kept.length === 0) this.entries.delete(event);
    else this.entries.set(event, kept);
  }

  count(event: string): number {
    return this.entries.get(event)?.length ?? 0;
  }

  /** Calls the listeners of `event` in order; a throwing listener stops the rest and propagates. */
  emit(event: string, ...args: unknown[]): boolean {
    const list = this.entries.get(event);
    if (list === undefined) return false;
    // A copy: listeners may add or remove listeners while being called.
    for (const entry of list.slice()) {
      if (entry.once) this.removeOnce(event, entry);
      entry.fn(...args);
    }
    return true;
  }

  private removeOnce(event: string, entry: Entry): void {
    const list = this.entries.get(event);
    const index = list?.indexOf(entry) ?? -1;
    if (index === -1) return;
    list!.splice(index, 1);
    if (list!.length === 0) this.entries.delete(event);
  }
}
