import { encodeUpgradeAnswer, ErrorCode, VolleyError } from '@volley/protocol';
import { corkableOf } from '@volley/session/node';
import type { WebSocket } from 'ws';
import type { ConnectionContext } from './connection-types.js';
import { sharedTextFrame, textFrame } from './text-frame.js';

const CONNECTING = 0;
const OPEN = 1;
const TEXT = { binary: false } as const;

/** ws's TCP socket (a `net.Socket`): corkable, and written to directly when writes are batched. */
type RawSocket = NonNullable<ReturnType<typeof corkableOf>> & { write(chunk: Uint8Array): boolean };

/**
 * Every write to one connection's socket goes through here: frames written before the socket is
 * set up (they follow the 101 response), the backpressure check, batching (the TCP socket held
 * until the end of the read or turn, see WriteBatcher) and own framing (frames built here and
 * written to the TCP socket, see text-frame.ts), each behind its own switch.
 */
export class ConnectionWriter {
  /** The TCP socket, once the socket is open, when writes are batched or framed here. */
  private raw: RawSocket | undefined;
  /**
   * Frames written before the socket opened: a handshake carried in the upgrade runs before ws
   * writes the 101 response, and what it writes (its answer, a rejection, what `connection`
   * listeners send at once) follows the 101.
   */
  private early: (Uint8Array | string)[] | undefined;
  /**
   * True once `raw` is corked for the length of each read, which makes the answers to a burst of
   * requests leave in one write. Done at the first frame received: an idle connection never pays
   * for the two listeners.
   */
  private readsCorked = false;

  constructor(
    private readonly socket: WebSocket,
    /** The server's settings: batching, `maxBufferedAmount`. */
    private readonly context: ConnectionContext,
    /** The outgoing buffer is full: `overflow()` applies the backpressure policy and throws `BACKPRESSURE`. */
    private readonly owner: { overflow(): never },
  ) {}

  /** True while the socket is being set up (the upgrade has not completed). */
  get upgrading(): boolean {
    return this.socket.readyState === CONNECTING;
  }

  /** True when the socket is open (or still being set up): frames can be written. */
  get writable(): boolean {
    return this.socket.readyState <= OPEN;
  }

  /** Bytes written and not yet sent. */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** True when frames wait for the socket to open (they follow the 101 response). */
  get hasEarlyFrames(): boolean {
    return this.early !== undefined;
  }

  /** ws has set the socket up: writes what was written before. */
  opened(): void {
    const { batcher, ownFraming } = this.context;
    this.raw = batcher === undefined && !ownFraming ? undefined : (corkableOf(this.socket) as RawSocket | undefined);
    const early = this.early;
    if (early === undefined) return;
    this.early = undefined;
    for (const frame of early) this.write(frame);
  }

  /**
   * The first frame written before the socket opened (the handshake's answer), as the value of
   * the upgrade answer header, taken out of the frames to write; undefined when it is too long for
   * a header (it then follows the 101 as a frame).
   */
  takeUpgradeAnswer(): string | undefined {
    const early = this.early;
    if (early === undefined || typeof early[0] !== 'string') return undefined;
    const answer = encodeUpgradeAnswer(early[0]);
    if (answer === undefined) return undefined;
    early.shift();
    if (early.length === 0) this.early = undefined;
    return answer;
  }

  /** A read began: from now on each read is corked, so its answers leave in one write. */
  reading(): void {
    if (this.readsCorked || this.raw === undefined || this.context.batcher === undefined) return;
    this.readsCorked = true;
    this.context.batcher!.corkDuringReads(this.raw);
  }

  /** Writes one encoded frame; throws `DISCONNECTED` when the socket is gone, `BACKPRESSURE` when full. */
  write(frame: Uint8Array | string): void {
    const socket = this.socket;
    if (socket.readyState !== OPEN) {
      if (socket.readyState !== CONNECTING) throw new VolleyError(ErrorCode.DISCONNECTED, 'The socket is not open');
      (this.early ??= []).push(frame);
      return;
    }
    if (socket.bufferedAmount > this.context.maxBufferedAmount) this.owner.overflow();
    const raw = this.raw;
    if (raw === undefined) {
      socket.send(frame, TEXT);
      return;
    }
    // Held until the end of the read or turn: what ws's sender writes waits in the cork too.
    this.context.batcher?.hold(raw);
    if (this.context.ownFraming) raw.write(typeof frame === 'string' ? textFrame(frame) : sharedTextFrame(frame));
    else socket.send(frame, TEXT);
  }

  /** Sends what is held before the close frame, which ws writes itself. */
  flush(): void {
    this.context.batcher?.flushNow();
  }
}
