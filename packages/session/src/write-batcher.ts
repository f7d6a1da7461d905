/** The part of a Node socket (`net.Socket`) the batcher uses. */
export interface Corkable {
  cork(): void;
  uncork(): void;
  destroyed?: boolean;
}

/** A socket whose reads can be wrapped in cork/uncork (a Node `net.Socket`). */
export interface ReadCorkable extends Corkable {
  prependListener(event: 'data', listener: (this: Corkable) => void): unknown;
  on(event: 'data', listener: (this: Corkable) => void): unknown;
}

function corkThis(this: Corkable): void {
  this.cork();
}

function uncorkThis(this: Corkable): void {
  this.uncork();
}

/**
 * Holds each socket's writes until the end of the current event-loop turn, so that the frames one
 * turn produces for a socket (the answers to a burst of requests, a broadcast) leave in one
 * `writev` system call instead of one each. The wire is unchanged: the peer sees ordinary frames.
 * At low load a turn produces one frame and the flush runs in the same loop iteration (check
 * phase, right after I/O), so no latency is added.
 *
 * Writes made while the socket's own `data` event is being handled need no scheduling at all:
 * {@link corkDuringReads} corks the socket for the length of each read, so every answer a
 * handler gives synchronously while `ws` parses that read leaves in one `writev` when the read
 * is done. `hold` then sees the socket corked and does nothing, which keeps a request/response
 * at low load as cheap as an unbatched write.
 *
 * Only Node sockets can be corked: {@link corkableOf} finds the TCP socket under a `ws` WebSocket
 * and returns `undefined` for a browser WebSocket, which then writes frame by frame.
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

  /** Corks `socket` until the end of this turn, unless it is held already. */
  hold(socket: Corkable & { writableCorked: number }): void {
    if (socket.writableCorked !== 0) return;
    socket.cork();
    this.corked.push(socket);
    if (!this.scheduled) {
      this.scheduled = true;
      schedule(this.flush);
    }
  }

  /**
   * Corks `socket` for the duration of each of its `data` events: a listener placed before
   * `ws`'s corks, one placed after it uncorks. Both are shared functions called with the socket
   * as `this`, so a connection costs no closure. Call once the WebSocket is open (its `data`
   * listener is in place).
   */
  corkDuringReads(socket: ReadCorkable): void {
    socket.prependListener('data', corkThis);
    socket.on('data', uncorkThis);
  }

  /** Sends everything held now (used before closing). */
  flushNow(): void {
    if (this.corked.length > 0) this.flush();
  }
}

// setImmediate runs after the I/O phase of the current loop iteration; where it does not exist
// (browsers) nothing is ever corked, so the fallback is never on a hot path.
const schedule: (callback: () => void) => void =
  typeof setImmediate === 'function' ? (callback) => setImmediate(callback) : (callback) => setTimeout(callback, 0);

/**
 * The corkable TCP socket under a WebSocket, when there is one (`ws` in Node keeps it in
 * `_socket`); `undefined` for browser WebSockets.
 */
export function corkableOf(webSocket: unknown): (ReadCorkable & { writableCorked: number }) | undefined {
  const raw = (webSocket as { _socket?: Partial<ReadCorkable> & { writableCorked?: number } } | null)?._socket;
  return raw !== undefined &&
    typeof raw.cork === 'function' &&
    typeof raw.uncork === 'function' &&
    typeof raw.prependListener === 'function' &&
    typeof raw.writableCorked === 'number'
    ? (raw as ReadCorkable & { writableCorked: number })
    : undefined;
}

/** One batcher per process is enough: it only remembers the sockets corked in this turn. */
export const sharedWriteBatcher = new WriteBatcher();
