import type { IncomingMessage as HttpRequest } from 'node:http';
import { type AnyApi, type Api, CloseCode, ErrorCode, readSelectedProtocol, VolleyError } from '@volley/protocol';
import { Admission, type IncomingMessage, Peer, ServerSession } from '@volley/session';
import type { WebSocket } from 'ws';
import { Handshake } from './handshake.js';
import { listenToSocket } from './volley-web-socket.js';
import type { ConnectionContext, ConnectionEvents, ConnectionState, Phase } from './connection-types.js';
import { ConnectionEvent, publicState } from './connection-types.js';
import { ConnectionClose } from './connection-close.js';
import { ConnectionWriter } from './connection-writer.js';
import type { AdapterMember } from './rooms/adapter.js';

const OPEN = 1;

/**
 * One client's connection on the server. Created by the server for each socket; emitted with
 * `handshake` and `connection`. Not constructed by users.
 *
 * @example
 * server.on('connection', (connection) => {
 *   connection.on('sum', (message) => message.resolve(message.payload.a + message.payload.b));
 *   connection.on(ConnectionEvent.DISCONNECTED, ({ code }) => console.log('gone', code));
 *   const ok = await connection.send('confirm', { q: 'ok?' }, 5000);
 * });
 */
// Its session's host and its handshakes' owner structurally (checked where `this` is handed to
// them): those members are internal and left out of the published types.
export class ServerConnection<A extends Api = AnyApi> extends Peer<ConnectionEvents, A['server'], A['client']> implements AdapterMember {
  private currentId: string;
  private phase: Phase = 'awaiting-handshake';
  protected readonly session: ServerSession;
  /** The handshake being answered; dropped once answered so its payload can be collected. */
  private pendingHandshake: Handshake | undefined;
  /** Set once a close has begun (ours, or one ws started): nothing more is read or dispatched. */
  private closing: ConnectionClose | undefined;
  private upgradeRequest: HttpRequest | undefined;
  private readonly writer: ConnectionWriter;

  /** @internal Created by the server. */
  constructor(
    private readonly context: ConnectionContext,
    private readonly socket: WebSocket,
    id: string,
    request?: HttpRequest,
  ) {
    super();
    this.currentId = id;
    this.upgradeRequest = request;
    this.session = new ServerSession(this, context.sessionOptions, new Admission(context.admissionLimits));
    this.writer = new ConnectionWriter(socket, context, this);
    // Shared listeners that find the connection on the socket: no closures per connection.
    listenToSocket(socket, this);
  }

  /**
   * @internal ws has set the socket up (the 101 response is written, or corked with what
   * follows): writes what was written before, then closes if that was asked for, or starts the
   * handshake deadline if the handshake is still unanswered. Called once, by the server.
   */
  opened(): void {
    this.session.acceptBytes(readSelectedProtocol(this.socket.protocol).binary);
    this.writer.opened();
    const answered = this.phase === 'connected' || this.phase === 'ended';
    if (answered) this.upgradeRequest = undefined;
    if (this.closing?.opened() !== true && !answered) this.context.handshakeDeadlines?.add(this);
  }

  /** @internal True when frames wait for the socket to open (they follow the 101 response). */
  get hasEarlyFrames(): boolean {
    return this.writer.hasEarlyFrames;
  }

  /**
   * @internal The handshake was accepted before the socket opened: its answer (the first frame
   * written), as the value of the upgrade answer header, taken out of the frames to write. Undefined
   * when there is no such answer or it is too long for a header: it then follows the 101 as a frame.
   */
  takeUpgradeAnswer(): string | undefined {
    return this.phase === 'connected' ? this.writer.takeUpgradeAnswer() : undefined;
  }

  /** Connection id: random until {@link setId} changes it during the handshake. */
  get id(): string {
    return this.currentId;
  }

  /** Current lifecycle state. */
  get state(): ConnectionState {
    return publicState[this.phase];
  }

  /** Remote IP address of the socket, if known. Read on demand: it costs a system call. */
  get remoteAddress(): string | undefined {
    // Before ws has set the socket up (a handshake answered during the upgrade), the TCP socket
    // is the upgrade request's.
    const tcp = (this.socket as unknown as { _socket?: { remoteAddress?: string } | null })._socket ?? this.upgradeRequest?.socket;
    return tcp?.remoteAddress;
  }

  /**
   * Gives the connection your own id (a user id, say). Only during the handshake.
   * @throws VolleyError `HANDSHAKE_ENDED` after the handshake; `ID_CONFLICT` when another
   *   connection has this id (on any node, with a cluster adapter that keeps the registry).
   */
  setId(id: string): void {
    if (typeof id !== 'string' || id.length === 0) throw new TypeError('A connection id must be a non-empty string');
    if (this.phase !== 'awaiting-handshake' && this.phase !== 'handshaking') {
      throw new VolleyError(ErrorCode.HANDSHAKE_ENDED, 'The id can only be set before the handshake is resolved');
    }
    if (id === this.currentId) return;
    if (this.context.hasId(id)) throw new VolleyError(ErrorCode.ID_CONFLICT, `Another connection already has the id "${id}"`);
    const oldId = this.currentId;
    this.currentId = id;
    this.context.renamed(this, oldId);
  }

  /**
   * Closes the connection and resolves once the socket is closed. Pending requests reject with
   * `DISCONNECTED`. A peer that does not finish the close handshake within `closeTimeout` is cut.
   * @param code close code. @default 1000
   * @param delay ms to wait before closing. @default 0
   */
  close(code: number = CloseCode.NORMAL, reason = '', delay = 0): Promise<void> {
    if (this.phase === 'disconnected') return Promise.resolve();
    if (this.closing !== undefined) return this.closing.done;
    const closing = this.beginClosing();
    const start = (): void => {
      // Stop application sends at once; frames already written still flush before the close frame.
      this.session.closing();
      closing.start(code, reason);
    };
    if (delay > 0) setTimeout(start, delay).unref();
    else start();
    return closing.done;
  }

  private beginClosing(): ConnectionClose {
    return (this.closing ??= new ConnectionClose(this.socket, this.writer, this.context.closeTimeout));
  }

  /** Joins a room (created on first join). Only once connected, else rejects `INVALID_STATE`. */
  joinRoom(room: string): Promise<void> {
    if (this.phase !== 'connected') return Promise.reject(notConnected('join a room'));
    return this.context.joinRoom(this, room);
  }

  /** Leaves a room; a room with no members vanishes. */
  leaveRoom(room: string): Promise<void> {
    if (this.phase !== 'connected') return Promise.resolve();
    return this.context.leaveRoom(this, room);
  }

  /** Names of the rooms this connection is in, at once: its rooms are always known on its own node. */
  getRooms(): string[] {
    if (this.phase !== 'connected') return [];
    return this.context.roomsOf(this);
  }

  /**
   * Bytes written to this connection and not yet sent (the socket's outgoing buffer). A write that
   * finds more than {@link maxBufferedAmount} waiting is refused with `BACKPRESSURE`.
   */
  get bufferedAmount(): number {
    return this.writer.bufferedAmount;
  }

  /**
   * The server's `maxBufferedAmount`: what this connection may hold unsent. Code that builds large
   * answers (the chat's history reads) checks their size against it before building them.
   */
  get maxBufferedAmount(): number {
    return this.context.maxBufferedAmount;
  }

  /** Writes an already encoded frame (the adapter's broadcast path); ignored unless connected. */
  deliver(frame: Uint8Array | string): void {
    // A connection accepted during the upgrade may get a broadcast before its socket is set up:
    // write() keeps it until then.
    if (this.phase !== 'connected' || !this.writer.writable) return;
    try {
      this.write(frame);
    } catch (error) {
      // Backpressure: already reported on this connection's `_error` event by write().
      if (!(error instanceof VolleyError) || error.code !== ErrorCode.BACKPRESSURE) throw error;
    }
  }

  /** @internal The client carried its handshake in the upgrade: handle it as the `_h` frame it stands for. */
  receiveUpgradeHandshake(payload: unknown): void {
    this.session.receiveUpgradeHandshake(payload);
  }

  /** @internal The handshake deadline passed. */
  handshakeExpired(): void {
    if (this.phase === 'awaiting-handshake' || this.phase === 'handshaking') void this.close(CloseCode.HANDSHAKE_FAILED, 'Handshake timeout');
  }

  /** @internal Called by the server's ping timer once per interval. */
  tick(): void {
    this.session.tick();
  }

  /** @internal */
  completeHandshake(handshake: Handshake, accepted: boolean, value: unknown): boolean {
    if (handshake !== this.pendingHandshake || handshake.ended || this.phase !== 'handshaking') {
      this.error(new VolleyError(ErrorCode.HANDSHAKE_ENDED, 'The handshake was already answered or the socket is gone'));
      return false;
    }
    // Kept until the socket is set up when answered during the upgrade (remoteAddress reads it).
    if (!this.writer.upgrading) this.upgradeRequest = undefined;
    this.pendingHandshake = undefined;
    if (!accepted) {
      this.setPhase('ended');
      handshake.message.reject(value);
      void this.close(CloseCode.HANDSHAKE_REJECTED, 'Handshake rejected');
      return true;
    }
    this.context.handshakeDeadlines?.delete(this);
    // The answer goes out before the state changes so that the client sees it before any
    // request the `connection` listeners send.
    const sent = handshake.message.resolve({ payload: value, id: this.currentId });
    // CONNECTING: answered during the upgrade, the answer waits in `early` (or goes in the 101).
    if (!sent || !this.writer.writable) {
      this.setPhase('ended');
      return false;
    }
    this.session.handshakeDone();
    this.setPhase('connected');
    this.context.connected(this);
    return true;
  }

  /** @internal Session host: a `_h` frame arrived. */
  handshake(message: IncomingMessage): void {
    if (this.phase !== 'awaiting-handshake') {
      message.reject(new VolleyError(ErrorCode.HANDSHAKE_ENDED, 'The handshake already took place'));
      return;
    }
    this.setPhase('handshaking');
    this.pendingHandshake = new Handshake(this, message);
    this.context.beginHandshake(this, this.pendingHandshake, this.upgradeRequest);
  }

  /** @internal A frame arrived on the socket. */
  receive(data: Buffer, isBinary: boolean): void {
    // Once a close has begun, nothing more reaches handlers: the peer's requests will reject
    // with DISCONNECTED on its side.
    if (this.closing !== undefined) return;
    this.writer.reading();
    if (isBinary) this.session.receiveBinary();
    else this.session.receive(data.toString());
  }

  /** @internal A WebSocket ping or pong control frame arrived (ws answered a ping already). */
  receiveControl(kind: 'ping' | 'pong'): void {
    if (this.closing !== undefined) return;
    // ws answers each ping with a pong and, when more than `maxPendingAutoPongs` of them are
    // still unwritten (a peer that pings and does not read), terminates the socket before it
    // emits the ping: the only way the socket stops being open here without a close of ours.
    if (kind === 'ping' && this.socket.readyState !== OPEN) {
      // Closing now: later frames of the same read are ignored, and this is reported once.
      this.beginClosing();
      this.error(
        new VolleyError(
          ErrorCode.WEBSOCKET_ERROR,
          'The client sent WebSocket pings faster than it read the pongs (too many pongs pending): the socket was terminated',
        ),
      );
      return;
    }
    this.session.receiveControl(kind);
  }

  /**
   * @internal The peer was refused `maxRefusals` times in a row. It is not read any further:
   * parsing what it keeps sending would cost CPU until the close completes. Unread, its close
   * frame never arrives, so the close timer cuts the socket after `closeTimeout`; until then our
   * side of the TCP connection is ended once the close frame is out, so that the peer sees the
   * close at once. (Not destroyed at once: closing a socket with unread data sends a reset, which
   * may make the peer drop the close frame.)
   */
  abusive(): void {
    if (this.closing !== undefined) return;
    this.socket.pause();
    void this.close(CloseCode.POLICY_VIOLATION, 'Too many refused messages');
    (this.socket as unknown as { _socket?: { end(): void } | null })._socket?.end();
  }

  /** @internal Session host: writes one encoded frame; throws `DISCONNECTED` / `BACKPRESSURE`. */
  write(frame: Uint8Array | string): void {
    this.writer.write(frame);
  }

  /** @internal The outgoing buffer is full (the writer asks): apply the backpressure policy; never buffer more. */
  overflow(): never {
    const error = new VolleyError(
      ErrorCode.BACKPRESSURE,
      `The client reads too slowly: more than ${this.context.maxBufferedAmount} bytes are waiting to be sent`,
    );
    this.error(error);
    if (this.context.backpressure === 'close') void this.close(CloseCode.SLOW_CONSUMER, 'Slow consumer');
    throw error;
  }

  /** @internal The socket reported an error. */
  socketError(error: Error & { code?: string }): void {
    // The second is a frame header announcing more than 2^53 - 1 bytes: too large all the same.
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' || error.code === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH') {
      // ws sends the close frame itself; its code says why if the peer never echoes it, and the
      // close timer bounds the wait as for any close.
      const closing = this.beginClosing();
      closing.sentCode = CloseCode.MESSAGE_TOO_BIG;
      closing.start(CloseCode.MESSAGE_TOO_BIG, 'Frame too large');
      this.error(
        new VolleyError(ErrorCode.PAYLOAD_TOO_LARGE, `A frame exceeded maxPayload (${this.context.maxPayload} bytes); closing with 1009`, {
          cause: error,
        }),
      );
    } else {
      this.error(new VolleyError(ErrorCode.WEBSOCKET_ERROR, error.message, { cause: error }));
    }
  }

  /** @internal The socket closed. */
  closed(code: number, reason: string): void {
    if (this.phase === 'disconnected') return;
    if (this.closing !== undefined) code = this.closing.finished(code);
    this.context.handshakeDeadlines?.delete(this);
    this.upgradeRequest = undefined;
    this.setPhase('disconnected');
    this.session.close(`the connection closed (${code})`);
    const info = { code, reason };
    this.context.closed(this, info);
    this.emit(ConnectionEvent.DISCONNECTED, info);
  }

  /** @internal Session host: dispatches an application message to its handlers, then to the server's shared ones. */
  dispatch(message: IncomingMessage): boolean {
    return this.handlers.dispatch(message) || this.context.sharedHandlers.dispatch(message, this);
  }

  /** @internal Session host: reports a local error on `_error`. */
  error(error: VolleyError): void {
    this.report(error);
  }

  /** @internal Session host: no pong in time; closes with 4201. */
  pingFailed(error: VolleyError): void {
    this.error(error);
    void this.close(CloseCode.PING_FAILED, 'Ping failed');
  }

  /** The one place the phase changes; `_stateChange` reports changes of the public state. */
  private setPhase(next: Phase): void {
    const oldState = publicState[this.phase];
    this.phase = next;
    this.stateChanged(publicState[next], oldState);
  }
}

function notConnected(what: string): VolleyError {
  return new VolleyError(ErrorCode.INVALID_STATE, `Cannot ${what} before the handshake completes or after the connection closed`);
}
