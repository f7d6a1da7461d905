import {
  type AnyApi,
  type Api,
  type HandshakeAnswerOf,
  CloseCode,
  ErrorCode,
  encodeUpgradeHandshake,
  readSelectedProtocol,
  SUBPROTOCOL,
  UPGRADE_ANSWER_SUBPROTOCOL,
  toVolleyError,
  VolleyError,
  wireErrorMessage,
} from '@volley/protocol';
import { type IncomingMessage, Peer, Session } from '@volley/session';
import { type ClientDisconnectInfo, ClientEvent, type ClientEvents, type ClientState } from './client-types.js';
import { ConnectAttempt } from './connect-attempt.js';
import { type ClientOptions, type ResolvedClientOptions, resolveClientOptions, type WebSocketLike } from './options.js';
import { ReconnectTimer } from './reconnect-timer.js';
import type { FrameWriter, Transport } from './transport.js';

const OPEN = 1;

/**
 * What the `Client` of both entry points is: connects, runs the handshake, sends awaited requests,
 * answers the server's requests, pings, and reconnects with backoff after a drop. Each entry point
 * exports a `Client` that extends this with its own {@link Transport} (browsers and Node differ
 * only in how the socket is driven).
 *
 * The class is its session's host and its socket's listener itself (the methods marked internal):
 * no forwarding object between them.
 *
 * @example
 * import { WebSocket } from 'ws'; // Node only; browsers have their own
 * const client = new Client('ws://localhost:8080', { WebSocket, handshake: { payload: { token } } });
 * const welcome = await client.connect();
 * client.on('confirm', (message) => message.resolve(true));
 * const three = await client.send('sum', { a: 1, b: 2 });
 * await client.disconnect();
 */
// Its session's host, its socket's listener and its attempts' owner structurally (checked where
// `this` is handed to them): those members are internal and left out of the published types.
export class ClientCore<A extends Api = AnyApi> extends Peer<ClientEvents, A['client'], A['server']> {
  private readonly options: ResolvedClientOptions;
  private readonly transport: Transport;
  protected readonly session: Session;
  private socket: WebSocketLike | undefined;
  /** Writes past `socket.send()` when the transport does (ws in Node); else undefined. */
  private writer: FrameWriter | undefined;
  /** The attempt in progress, until its `connect()` promise settles. */
  private pending: ConnectAttempt | undefined;
  private currentState: ClientState = 'disconnected';
  private currentId: string | undefined;
  private handshakeResult: unknown;
  private readonly reconnectTimer: ReconnectTimer;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  /** Ends a `disconnect()` whose close the server never echoes; see `closeTimeout`. */
  private closeTimer: ReturnType<typeof setTimeout> | undefined;
  private closeWaiters: (() => void)[] = [];
  /** Set by disconnect() and by a rejected handshake: no reconnection until connect(). */
  private stopped = true;

  /** @throws TypeError for invalid options or when no WebSocket class is available. */
  constructor(
    /** Server URL, e.g. `ws://localhost:8080`. */
    readonly url: string,
    options: ClientOptions<A> = {},
    /** How sockets are driven: each entry point passes its own. */
    transport: Transport,
  ) {
    super();
    this.transport = transport;
    this.options = resolveClientOptions(url, options as ClientOptions, transport);
    this.reconnectTimer = new ReconnectTimer(this.options.backoff);
    this.session = new Session(this, { responseTimeout: this.options.responseTimeout });
  }

  /** Connection id the server assigned (after the handshake). */
  get id(): string | undefined {
    return this.currentId;
  }

  /** Current lifecycle state. */
  get state(): ClientState {
    return this.currentState;
  }

  /**
   * Opens the socket and runs the handshake; resolves with the server's handshake data.
   * Rejects `HANDSHAKE_REJECTED` (the server's reason in `payload`; no reconnection follows) or
   * `HANDSHAKE_ERROR` (socket failed, timeout, malformed answer). One attempt: automatic
   * reconnection applies to connections that drop after succeeding.
   */
  connect(): Promise<HandshakeAnswerOf<A>> {
    if (this.currentState === 'closing' || (this.socket !== undefined && this.stopped)) {
      // disconnect() (or a rejected handshake) is still closing the socket: start over once it has.
      return new Promise<void>((resolve) => this.closeWaiters.push(resolve)).then(() => this.connect());
    }
    if (this.currentState === 'connected') return Promise.resolve(this.handshakeResult as HandshakeAnswerOf<A>);
    if (this.pending !== undefined) return this.pending.promise as Promise<HandshakeAnswerOf<A>>;
    this.stopped = false;
    this.reconnectTimer.reset();
    return this.open() as Promise<HandshakeAnswerOf<A>>;
  }

  /**
   * Closes the connection and stops reconnecting; resolves once the socket is closed. Pending
   * requests reject with `DISCONNECTED`.
   */
  disconnect(code: number = CloseCode.NORMAL, reason = ''): Promise<void> {
    this.stopped = true;
    this.reconnectTimer.cancel();
    const socket = this.socket;
    if (socket === undefined) {
      this.setState('disconnected');
      return Promise.resolve();
    }
    const closed = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    if (this.currentState === 'closing') return closed;
    this.setState('closing');
    this.session.closing();
    socket.close(code, reason);
    // A dead peer never echoes the close; ws would wait 30 s for it, browsers longer. After
    // closeTimeout the connection ends anyway, and a ws socket is cut.
    const closeTimeout = this.options.closeTimeout;
    if (closeTimeout > 0) {
      this.closeTimer = setTimeout(() => {
        this.closeTimer = undefined;
        if (this.socket !== socket) return;
        this.cut(socket, code, reason);
      }, closeTimeout);
      (this.closeTimer as { unref?: () => void }).unref?.();
    }
    return closed;
  }

  // --- session host (internal) ---

  /** @internal Session host: writes one encoded frame. */
  write(frame: string): void {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== OPEN) throw new VolleyError(ErrorCode.DISCONNECTED, 'The socket is not open');
    const writer = this.writer;
    if (writer === undefined) socket.send(frame);
    else writer.write(frame);
  }

  /** @internal Session host: hands an application message to its handlers; false when none handles it. */
  dispatch(message: IncomingMessage): boolean {
    return this.handlers.dispatch(message);
  }

  /** @internal Session host: reports a local error on `_error`. */
  error(error: VolleyError): void {
    this.report(error);
  }

  /** @internal Session host: no pong in time; the connection ends now. */
  pingFailed(error: VolleyError): void {
    this.error(error);
    const socket = this.socket;
    if (socket === undefined) return;
    socket.close(CloseCode.PING_FAILED, 'Ping failed');
    // A peer that answers no ping will not answer the close either: waiting for its close
    // frame would hold pending requests and the reconnection for the WebSocket's own close
    // timeout (30 s in ws, longer in browsers). The connection ends now.
    this.cut(socket, CloseCode.PING_FAILED, 'Ping failed');
  }

  /** @internal Session host: the handshake answer, before any later frame is routed. */
  handshakeAccepted(result: unknown): void {
    if (result === null || typeof result !== 'object' || typeof (result as { id?: unknown }).id !== 'string') {
      throw new VolleyError(ErrorCode.HANDSHAKE_ERROR, 'Malformed handshake answer', { payload: result });
    }
    const answer = result as { payload?: unknown; id: string };
    this.currentId = answer.id;
    this.handshakeResult = answer.payload;
    this.reconnectTimer.attempt = 0;
    this.session.handshakeDone();
    this.startPing();
    // emit() reports a throwing listener instead of letting it fail a successful handshake.
    this.setState('connected');
    this.emit(ClientEvent.CONNECTED, answer.payload);
    this.settle(this.pending, undefined, answer.payload);
  }

  /** @internal Session host: the handshake failed (rejected, malformed answer, socket gone). */
  handshakeFailed(error: unknown): void {
    const failure = handshakeFailure(error);
    if (failure.code === ErrorCode.HANDSHAKE_REJECTED) this.stopped = true;
    const pending = this.pending;
    // Settled already: the socket closed first, or the attempt timed out.
    if (pending === undefined) return;
    const socket = pending.socket;
    // The server closes a rejected socket itself (4203); any other failure is ours to close.
    if (failure.code !== ErrorCode.HANDSHAKE_REJECTED && socket.readyState === OPEN) {
      socket.close(CloseCode.HANDSHAKE_FAILED, 'Handshake failed');
    }
    this.settle(pending, failure);
  }

  // --- socket listener (internal) ---

  /** @internal The 101 response of the pending attempt arrived (ws only), before the socket opens. */
  upgraded(answer: string | undefined): void {
    if (this.pending !== undefined) this.pending.upgradeAnswer = answer;
  }

  /** @internal The socket of the pending attempt opened: run the handshake (or await its answer). */
  opened(): void {
    const pending = this.pending;
    if (pending === undefined) return;
    const socket = pending.socket;
    this.writer = this.transport.writer(socket, this.options.write);
    const { protocol, binary } = readSelectedProtocol(socket.protocol ?? '');
    this.session.acceptBytes(binary);
    const { handshakePayload } = this.options;
    if (pending.offeredInUpgrade && protocol === UPGRADE_ANSWER_SUBPROTOCOL) {
      // The server took the handshake from the upgrade and answered in the 101's header.
      const failure = this.transport.upgradeAnswerFailure(pending.upgradeAnswer);
      if (failure !== undefined) {
        this.handshakeFailed(failure);
        return;
      }
      this.session.handshake(handshakePayload, true);
      // Handled as the frame it is, before any frame that follows the 101.
      this.session.receive(pending.upgradeAnswer!);
      // Neither accepted nor refused: the header held no answer to the handshake.
      if (this.pending === pending) {
        this.handshakeFailed(new VolleyError(ErrorCode.HANDSHAKE_ERROR, 'The Volley-Handshake-Answer header of the upgrade response is not an answer to the handshake'));
      }
      return;
    }
    // volley.1: the server took the handshake from the upgrade and its answer is on the way.
    // Bounded by the attempt timer; the answer goes to handshakeAccepted(), a failure to handshakeFailed().
    this.session.handshake(handshakePayload, pending.offeredInUpgrade && protocol === SUBPROTOCOL);
  }

  /** @internal A frame arrived. */
  received(data: unknown): void {
    if (typeof data !== 'string') {
      this.error(new VolleyError(ErrorCode.INVALID_FRAME, 'Binary frames are not part of the protocol'));
      return;
    }
    if (data.length > this.options.maxPayload) {
      this.error(new VolleyError(ErrorCode.PAYLOAD_TOO_LARGE, `A frame of ${data.length} characters exceeded maxPayload (${this.options.maxPayload})`));
      this.socket?.close(CloseCode.MESSAGE_TOO_BIG, 'Frame too large');
      return;
    }
    this.session.receive(data);
  }

  /** @internal The socket reported an error. */
  failed(): void {
    // Browsers give no detail; the close event that follows does the cleanup.
    if (this.currentState === 'connected') this.error(new VolleyError(ErrorCode.WEBSOCKET_ERROR, 'WebSocket error'));
  }

  /** @internal The current socket closed. */
  closed(code: number, reason: string): void {
    const socket = this.socket;
    if (socket === undefined) return;
    const pending = this.pending;
    // Built only while the attempt is pending: an Error captures a stack, and most closes
    // come long after the handshake.
    if (pending !== undefined && pending.socket === socket) {
      this.settle(pending, new VolleyError(ErrorCode.HANDSHAKE_ERROR, `The socket closed during the handshake (${code}${reason ? `: ${reason}` : ''})`));
    }
    this.ended(socket, code, reason);
  }

  /** @internal The attempt timer fired before the attempt settled. */
  attemptExpired(attempt: ConnectAttempt): void {
    const socket = attempt.socket;
    const timeout = attempt.timeout;
    if (socket.readyState === OPEN) {
      this.settle(attempt, new VolleyError(ErrorCode.HANDSHAKE_ERROR, `No handshake answer within ${timeout} ms`));
      socket.close(CloseCode.HANDSHAKE_FAILED, 'Handshake failed');
    } else {
      this.settle(attempt, new VolleyError(ErrorCode.HANDSHAKE_ERROR, `The socket did not open within ${timeout} ms`));
      // The close event that follows retries or stops as for any failure.
      socket.close();
    }
  }

  // --- lifecycle ---

  private open(): Promise<unknown> {
    this.setState('connecting');
    this.emit(ClientEvent.CONNECTING, undefined);
    const { WebSocket, viaUpgrade, handshakePayload, answerInUpgrade, protocols, webSocketOptions } = this.options;
    let socket: WebSocketLike;
    let upgrade: string[] | undefined;
    try {
      // Encoded on every attempt: the payload object may have changed since the last one.
      upgrade = viaUpgrade ? encodeUpgradeHandshake(handshakePayload, answerInUpgrade, this.options.binary) : undefined;
      socket = new WebSocket(this.url, upgrade ?? protocols, webSocketOptions);
    } catch (error) {
      // No socket means no close event to move the state on; 1006 is what a failed open reports.
      this.ended(undefined, CloseCode.ABNORMAL, 'Cannot open a socket');
      return Promise.reject(new VolleyError(ErrorCode.HANDSHAKE_ERROR, `Cannot open a socket: ${(error as Error).message}`, { cause: error }));
    }
    this.socket = socket;
    // One timer bounds opening and handshake together: an upgrade that is never answered (a
    // stalled network, a half-dead proxy) or a handshake never answered fails the attempt.
    const attempt = new ConnectAttempt(socket, upgrade !== undefined, this.options.handshakeTimeout, this);
    this.pending = attempt;
    this.transport.listen(socket, this);
    return attempt.promise;
  }

  /** Settles `attempt` if it is still the one in progress: resolves with `value`, or rejects with `error`. */
  private settle(attempt: ConnectAttempt | undefined, error: VolleyError | undefined, value?: unknown): void {
    if (attempt === undefined || this.pending !== attempt) return;
    this.pending = undefined;
    if (error === undefined) attempt.succeed(value);
    else attempt.fail(error);
  }

  /** Ends the connection at once, without waiting for the close to be echoed; a ws socket is cut. */
  private cut(socket: WebSocketLike, code: number, reason: string): void {
    this.ended(socket, code, reason);
    // ws would keep a 30 s close timer (and the process) alive for the dead peer.
    (socket as { terminate?: () => void }).terminate?.();
  }

  /**
   * The socket closed (or could not be created: `socket` undefined): fail what is pending, then
   * retry or stop.
   */
  private ended(socket: WebSocketLike | undefined, code: number, reason: string): void {
    if (socket !== this.socket) return;
    if (socket !== undefined) this.transport.unlisten(socket);
    this.socket = undefined;
    this.writer = undefined;
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.closeTimer = undefined;
    this.stopPing();
    // close() also starts the session over, gated, for the next connection.
    this.session.close(`the connection closed (${code})`);
    if (code === CloseCode.HANDSHAKE_REJECTED || code === CloseCode.KICKED) this.stopped = true;
    const wasConnected = this.currentState === 'connected';
    const retrying = this.currentState === 'connecting' && this.reconnectTimer.attempt > 0;
    const willReconnect = this.options.reconnect && !this.stopped && (wasConnected || retrying) && !this.reconnectTimer.exhausted;
    this.emit(ClientEvent.DISCONNECTED, { code, reason, willReconnect });
    if (willReconnect) this.scheduleReconnect();
    else {
      this.stopped = true;
      this.setState('disconnected');
    }
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private scheduleReconnect(): void {
    this.setState('reconnecting');
    const scheduled = this.reconnectTimer.schedule(() => {
      // Failures surface through the close event, which schedules the next attempt.
      this.open().catch((error: unknown) => {
        if ((error as VolleyError).code === ErrorCode.HANDSHAKE_REJECTED) this.error(error as VolleyError);
      });
    });
    this.emit(ClientEvent.RECONNECTING, scheduled);
  }

  private startPing(): void {
    this.stopPing();
    if (this.options.pingInterval > 0) this.pingTimer = setInterval(() => this.session.tick(), this.options.pingInterval);
  }

  private stopPing(): void {
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  private setState(next: ClientState): void {
    const oldState = this.currentState;
    if (oldState === next) return;
    this.currentState = next;
    this.stateChanged(next, oldState);
  }
}

function handshakeFailure(error: unknown): VolleyError {
  const failure = toVolleyError(error, ErrorCode.HANDSHAKE_ERROR);
  if (failure.code === ErrorCode.MESSAGE_REJECTED) {
    return new VolleyError(ErrorCode.HANDSHAKE_REJECTED, `Handshake rejected: ${wireErrorMessage(failure.payload)}`, { payload: failure.payload, cause: failure });
  }
  if (failure.code === ErrorCode.HANDSHAKE_ERROR) return failure;
  return new VolleyError(ErrorCode.HANDSHAKE_ERROR, `Handshake failed: ${failure.message}`, { cause: failure });
}
