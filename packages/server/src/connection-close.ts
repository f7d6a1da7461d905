import { CloseCode } from '@volley/protocol';
import type { WebSocket } from 'ws';
import type { ConnectionWriter } from './connection-writer.js';

const OPEN = 1;

/**
 * One close of a connection, from the moment it is decided to the socket's close event: the
 * promise `close()` returns, a close asked for before the socket was set up (sent once it is),
 * the code this side sent, and the timer that cuts a peer which does not finish the close
 * handshake. Created when a close begins, so that an open connection pays for none of it.
 */
export class ConnectionClose {
  /** Resolves once the socket has closed. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Asked for while the socket was being set up: sent by {@link opened}. */
  private pending: { code: number; reason: string } | undefined;
  /** The close code this side sent (ours, or ws's 1009 for an oversized frame). */
  sentCode: number | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly writer: ConnectionWriter,
    private readonly closeTimeout: number,
  ) {
    this.done = new Promise<void>((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** Sends the close frame now, or once the socket is set up (ws writes the 101 first). */
  start(code: number, reason: string): void {
    if (this.writer.upgrading) this.pending = { code, reason };
    else this.send(code, reason);
  }

  /** The socket is set up: sends a close asked for before; false when none was. */
  opened(): boolean {
    const pending = this.pending;
    if (pending === undefined) return false;
    this.pending = undefined;
    this.send(pending.code, pending.reason);
    return true;
  }

  /**
   * The socket closed with `code`; returns the code that says why. When this side closed and the
   * peer never echoed the close frame (a dead peer, or ws after a read error), ws reports 1006;
   * the code this side sent is the reason then.
   */
  finished(code: number): number {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.resolveDone();
    return code === CloseCode.ABNORMAL && this.sentCode !== undefined ? this.sentCode : code;
  }

  private send(code: number, reason: string): void {
    if (this.socket.readyState === OPEN) {
      // Frames already written leave before the close frame, which ws writes itself.
      this.writer.flush();
      this.sentCode = code;
      this.socket.close(code, reason);
    }
    this.timer = setTimeout(() => this.socket.terminate(), this.closeTimeout);
    this.timer.unref();
  }
}
