/**
 * Deadlines that all share one delay (the server's handshake timeout, the chat's command
 * timeout), kept in insertion order, which is then also deadline order. One timer is armed for the oldest entry; when it fires, every expired
 * entry is handed to `expire` and the timer re-arms for the next one. Compared with a timer per
 * item this saves a timer allocation and a clearTimeout on every connect or command.
 */
export class DeadlineQueue<T> {
  private readonly deadlines = new Map<T, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly delay: number,
    private readonly expire: (item: T) => void,
  ) {}

  /** Starts `item`'s deadline, `delay` ms from now. */
  add(item: T): void {
    this.deadlines.set(item, Date.now() + this.delay);
    if (this.timer === undefined) this.arm(this.delay);
  }

  /** Forgets `item` (its deadline no longer matters). */
  delete(item: T): void {
    this.deadlines.delete(item);
  }

  /** Stops the timer and forgets every entry. */
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.deadlines.clear();
  }

  private arm(delay: number): void {
    this.timer = setTimeout(() => this.sweep(), delay);
    // What the deadlines guard (sockets, requests) keeps the process alive, not the deadlines.
    (this.timer as { unref?: () => void }).unref?.();
  }

  private sweep(): void {
    this.timer = undefined;
    const now = Date.now();
    for (const [item, deadline] of this.deadlines) {
      if (deadline > now) {
        this.arm(deadline - now);
        return;
      }
      this.deadlines.delete(item);
      this.expire(item);
    }
  }
}
