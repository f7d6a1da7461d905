/** The part of a Node socket the batcher uses. */
interface Corkable {
  cork(): void;
  uncork(): void;
  destroyed?: boolean;
}

/**
 * Holds each socket's writes until the end of the current event-loop turn, so that the frames one
 * turn produces for a socket (the answers to a burst of requests, a broadcast) leave in one
 * `writev` system call instead of one each. The wire is unchanged: the peer sees ordinary frames.
 * At low load a turn produces one frame and the flush runs in the same loop iteration (check
 * phase, right after I/O), so no latency is added.
 */
export class WriteBatcher {
  private corked: Corkable[] = [];
  private scheduled = false;
  private readonly flush = (): void => {
    this.scheduled = false;
    const sockets = this.corked;
    this.corked = [];
    for (const socket of sockets) {
      if (socket.destroyed !== true) socket.uncork();
    }
  };

  /** Corks `socket` until the end of this turn, once per turn. */
  hold(socket: Corkable): void {
    socket.cork();
    this.corked.push(socket);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Sends everything held now (used before closing). */
  flushNow(): void {
    if (this.corked.length > 0) this.flush();
  }
}
