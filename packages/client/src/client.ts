import {
  type AnyApi,
  type Api,
  type HandshakeAnswerOf,
  CloseCode,
  ErrorCode,
  type IncomingMessage,
  type NameOf,
  type PayloadArgs,
  type PayloadOf,
  type ResultOf,
  Session,
  type SessionHost,
  emitSafely,
  encodeUpgradeHandshake,
  MessageHandlers,
  SUBPROTOCOL,
  UPGRADE_ANSWER_SUBPROTOCOL,
  UPGRADE_HANDSHAKE_MAX_LENGTH,
  isApplicationName,
  corkableOf,
  sharedWriteBatcher,
  toVolleyError,
  VolleyError,
  wireErrorMessage,
} from '@volley/protocol';
import { EventEmitter } from 'eventemitter3';
import { Backoff } from './backoff.js';
import { MAX_MASKED_TEXT, maskedTextFrame } from './masked-frame.js';
import { listen, readsUpgradeResponse, type SocketListeners, unlisten } from './socket-events.js';
import { clientDefaults, type ClientOptions, type WebSocketConstructor, type WebSocketLike } from './options.js';

/*
 * States:
 *   disconnected --connect()--> connecting --handshake resolved--> connected
 *   connecting   --socket or handshake failed--> disconnected (connect() rejects), or
 *                                               reconnecting (when retrying after a drop)
 *   connected    --socket dropped, reconnect on--> reconnecting --backoff elapsed--> connecting
 *   connected    --socket dropped, reconnect off--> disconnected
 *   any          --disconnect() or handshake rejected--> disconnected
 */
/** Lifecycle state of a {@link Client}. */
export type ClientState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

/**
 * Names of the client's lifecycle events. They start with `_`, which application message names
 * never do, so they can never clash with a message (line-socket's convention).
 */
export const ClientEvent = {
  /** A socket is opening (first connect or a reconnection attempt). `()` */
  CONNECTING: '_connecting',
  /** The handshake succeeded. `(payload)` — what the server's `handshake.resolve()` sent. */
  CONNECTED: '_connected',
  /** The socket closed. `({ code, reason, willReconnect })` */
  DISCONNECTED: '_disconnected',
  /** A reconnection attempt is scheduled. `({ attempt, delay })` */
  RECONNECTING: '_reconnecting',
  /** A local error. `(error: VolleyError)` */
  ERROR: '_error',
  /** The state changed. `({ newState, oldState })` */
  STATE_CHANGE: '_stateChange',
} as const;

/** How the client's connection ended. */
export interface ClientDisconnectInfo {
  code: number;
  reason: string;
  /** True when a reconnection will be attempted. */
  willReconnect: boolean;
}

/** Listener signatures of the client's lifecycle events. */
export interface ClientEvents {
  _connecting: () => void;
  _connected: (payload: unknown) => void;
  _disconnected: (info: ClientDisconnectInfo) => void;
  _reconnecting: (info: { attempt: number; delay: number }) => void;
  _error: (error: VolleyError) => void;
  _stateChange: (change: { newState: ClientState; oldState: ClientState }) => void;
}

/** A handler of server request or message `K`. */
export type ClientMessageHandler<M extends Api['client'], K extends keyof M> = (
  message: IncomingMessage<PayloadOf<M, K>, ResultOf<M, K>>,
) => void;

const OPEN = 1;
const MAX_TIMER = 2 ** 31 - 1;

/** The TCP socket under a ws WebSocket (a `net.Socket`): corkable and written to directly. */
type RawSocket = NonNullable<ReturnType<typeof corkableOf>> & { write(chunk: Uint8Array): boolean };

/** A connection attempt whose `connect()` promise has not settled yet. */
interface PendingAttempt {
  readonly socket: WebSocketLike;
  /** True when the handshake was offered in the upgrade (see `handshake.viaUpgrade`). */
  readonly offeredInUpgrade: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: VolleyError) => void;
  /** Bounds opening and handshake together (`handshake.timeout`); a number in browsers. */
  timer: ReturnType<typeof setTimeout> | number | undefined;
  /** The upgrade answer header of the 101 response (ws only), until the socket opens. */
  upgradeAnswer?: string;
}

/** The client's private methods its {@link ClientLink} and attempt timer call. */
interface ClientInternals {
  write(frame: string): void;
  dispatch(message: IncomingMessage): boolean;
  reportError(error: VolleyError): void;
  pingFailed(error: VolleyError): void;
  accept(result: unknown): void;
  handshakeFailed(error: unknown): void;
  socketUpgraded(answer: string | undefined): void;
  socketOpened(): void;
  receive(data: unknown): void;
  socketFailed(): void;
  socketClosed(code: number, reason: string): void;
  attemptExpired(): void;
}

/**
 * What the client's session and its current socket call back: one small object per client
 * instead of a closure per callback, created once and used by every connection attempt.
 */
class ClientLink implements SessionHost, SocketListeners {
  constructor(private readonly client: ClientInternals) {}

  write(frame: string): void {
    this.client.write(frame);
  }

  dispatch(message: IncomingMessage): boolean {
    return this.client.dispatch(message);
  }

  error(error: VolleyError): void {
    this.client.reportError(error);
  }

  pingFailed(error: VolleyError): void {
    this.client.pingFailed(error);
  }

  handshakeAccepted(result: unknown): void {
    this.client.accept(result);
  }

  handshakeFailed(error: unknown): void {
    this.client.handshakeFailed(error);
  }

  upgraded(answer: string | undefined): void {
    this.client.socketUpgraded(answer);
  }

  opened(): void {
    this.client.socketOpened();
  }

  received(data: unknown): void {
    this.client.receive(data);
  }

  failed(): void {
    this.client.socketFailed();
  }

  closed(code: number, reason: string): void {
    this.client.socketClosed(code, reason);
  }
}

/** The attempt timer's callback, shared by every client (the client comes as its argument). */
function attemptExpired(client: ClientInternals): void {
  client.attemptExpired();
}

/** Reconnection delays without `reconnectOptions`: a Backoff is stateless, so clients share one. */
const defaultBackoff = new Backoff({}, () => Math.random());

/**
 * A Volley client for browsers and Node. Connects, runs the handshake, sends awaited requests,
 * answers the server's requests, pings, and reconnects with backoff after a drop.
 *
 * @example
 * import { WebSocket } from 'ws'; // Node only; browsers have their own
 * const client = new Client('ws://localhost:8080', { WebSocket, handshake: { payload: { token } } });
 * const welcome = await client.connect();
 * client.on('confirm', (message) => message.resolve(true));
 * const three = await client.send('sum', { a: 1, b: 2 });
 * await client.disconnect();
 */
export class Client<A extends Api = AnyApi> {
  private readonly WebSocketClass: WebSocketConstructor;
  private readonly handshakePayload: unknown;
  /** Offer the handshake in the upgrade (see `handshake.viaUpgrade`). */
  private readonly viaUpgrade: boolean;
  /** Ask for the answer in the upgrade response (see `handshake.answerInUpgrade`). */
  private readonly answerInUpgrade: boolean;
  private readonly handshakeTimeout: number;
  private readonly reconnectEnabled: boolean;
  private readonly pingInterval: number;
  private readonly maxPayload: number;
  private readonly backoff: Backoff;
  /** Lifecycle listeners; created on the first `on()` of one. */
  private events: EventEmitter | undefined;
  private readonly handlers = new MessageHandlers();
  private readonly session: Session;
  /** Receives the session's and the socket's callbacks. */
  private readonly link: ClientLink;
  private socket: WebSocketLike | undefined;
  /** The Node TCP socket under `socket` when writes are batched (ws in Node), else undefined. */
  private raw: RawSocket | undefined;
  /**
   * True once `raw` is corked for the length of each read. Done on the first write rather than
   * on open: a connection that never sends (most idle ones) never pays for the two listeners.
   */
  private readsCorked = false;
  /** True when writes are framed here rather than by ws (see masked-frame.ts). */
  private framesDirectly = false;
  /** Writes are held until the end of the read or turn (`batchWrites`). */
  private batched = false;
  /** The attempt in progress, until its `connect()` promise settles. */
  private pending: PendingAttempt | undefined;
  private currentState: ClientState = 'disconnected';
  private currentId: string | undefined;
  private handshakeResult: unknown;
  private connecting: Promise<unknown> | undefined;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
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
    private readonly options: ClientOptions<A> = {},
  ) {
    const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (WebSocketClass === undefined) {
      throw new TypeError('No WebSocket implementation: in Node, pass { WebSocket } imported from "ws"');
    }
    this.WebSocketClass = WebSocketClass;
    if (typeof url !== 'string' || !/^wss?:\/\//i.test(url)) throw new TypeError(`The URL must start with ws:// or wss://, got ${String(url)}`);
    this.handshakePayload = options.handshake?.payload;
    if (options.handshake?.viaUpgrade !== undefined && typeof options.handshake.viaUpgrade !== 'boolean') {
      throw new TypeError('Option "handshake.viaUpgrade" must be a boolean');
    }
    this.viaUpgrade = (options.handshake?.viaUpgrade ?? true) && options.protocols === undefined;
    const answerInUpgrade = options.handshake?.answerInUpgrade;
    if (answerInUpgrade !== undefined && typeof answerInUpgrade !== 'boolean') throw new TypeError('Option "handshake.answerInUpgrade" must be a boolean');
    const readsUpgrade = readsUpgradeResponse(WebSocketClass);
    if (answerInUpgrade === true && !readsUpgrade) {
      throw new TypeError('Option "handshake.answerInUpgrade" needs a WebSocket class that reports the upgrade response, such as ws\'s (browsers cannot)');
    }
    this.answerInUpgrade = answerInUpgrade ?? readsUpgrade;
    this.handshakeTimeout = duration('handshake.timeout', options.handshake?.timeout ?? clientDefaults.handshakeTimeout);
    const responseTimeout = duration('responseTimeout', options.responseTimeout ?? clientDefaults.responseTimeout);
    this.pingInterval = duration('pingInterval', options.pingInterval ?? clientDefaults.pingInterval);
    duration('closeTimeout', options.closeTimeout ?? clientDefaults.closeTimeout);
    this.maxPayload = options.maxPayload ?? clientDefaults.maxPayload;
    if (!(Number.isInteger(this.maxPayload) && this.maxPayload > 0)) throw new TypeError('Option "maxPayload" must be a positive integer');
    for (const key of ['batchWrites', 'ownFraming'] as const) {
      if (options[key] !== undefined && typeof options[key] !== 'boolean') throw new TypeError(`Option "${key}" must be a boolean`);
    }
    this.reconnectEnabled = options.reconnect ?? clientDefaults.reconnect;
    this.backoff = options.reconnectOptions === undefined ? defaultBackoff : new Backoff(options.reconnectOptions);
    this.link = new ClientLink(this as unknown as ClientInternals);
    this.session = new Session(this.link, { responseTimeout });
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
    if (this.socket !== undefined && this.stopped) {
      // disconnect() (or a rejected handshake) is still closing the socket: start over once it has.
      return new Promise<void>((resolve) => this.closeWaiters.push(resolve)).then(() => this.connect());
    }
    if (this.currentState === 'connected') return Promise.resolve(this.handshakeResult as HandshakeAnswerOf<A>);
    if (this.connecting !== undefined) return this.connecting as Promise<HandshakeAnswerOf<A>>;
    this.stopped = false;
    this.clearReconnectTimer();
    this.attempt = 0;
    return this.open() as Promise<HandshakeAnswerOf<A>>;
  }

  /**
   * Closes the connection and stops reconnecting; resolves once the socket is closed. Pending
   * requests reject with `DISCONNECTED`.
   */
  disconnect(code: number = CloseCode.NORMAL, reason = ''): Promise<void> {
    this.stopped = true;
    this.clearReconnectTimer();
    const socket = this.socket;
    if (socket === undefined) {
      this.setState('disconnected');
      return Promise.resolve();
    }
    const closed = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    this.session.closing();
    socket.close(code, reason);
    // A dead peer never echoes the close; ws would wait 30 s for it, browsers longer. After
    // closeTimeout the connection ends anyway, and a ws socket is cut.
    const closeTimeout = this.options.closeTimeout ?? clientDefaults.closeTimeout;
    if (closeTimeout > 0) {
      this.closeTimer = setTimeout(() => {
        this.closeTimer = undefined;
        if (this.socket !== socket) return;
        this.closed(socket, code, reason);
        (socket as { terminate?: () => void }).terminate?.();
      }, closeTimeout);
      (this.closeTimer as { unref?: () => void }).unref?.();
    }
    return closed;
  }

  /** Subscribes to a lifecycle event (see {@link ClientEvent}). */
  on<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): this;
  /**
   * Handles the server's message `name`. A request must be answered with `message.resolve()` or
   * `message.reject()`; a handler that throws rejects it; without a handler it is answered with
   * `NO_HANDLER`. Handlers persist across reconnections.
   */
  on<K extends NameOf<A['client']>>(name: K, handler: ClientMessageHandler<A['client'], K>): this;
  on(name: string, listener: (...args: any[]) => void): this {
    if (isApplicationName(name)) this.handlers.on(name, listener);
    else (this.events ??= new EventEmitter()).on(name, listener);
    return this;
  }

  /** Like {@link on}, for one event only. */
  once<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): this;
  once<K extends NameOf<A['client']>>(name: K, handler: ClientMessageHandler<A['client'], K>): this;
  once(name: string, listener: (...args: any[]) => void): this {
    if (isApplicationName(name)) this.handlers.on(name, listener, true);
    else (this.events ??= new EventEmitter()).once(name, listener);
    return this;
  }

  /** Removes a listener, or every listener of `name` when none is given. */
  off(name: string, listener?: (...args: any[]) => void): this {
    if (isApplicationName(name)) this.handlers.off(name, listener);
    else this.events?.off(name, listener);
    return this;
  }

  /**
   * Sends a request and resolves with the server's answer. Rejects `DISCONNECTED` (not
   * connected, or the socket dropped while waiting), `MESSAGE_TIMEOUT`, `MESSAGE_REJECTED` (the
   * server's error in `payload`), `NO_HANDLER`… see `MESSAGE_REJECTED`, `INVALID_JSON`,
   * `INVALID_NAME`.
   * @param timeout ms; default `responseTimeout`; 0 waits forever.
   */
  send<K extends NameOf<A['server']>>(
    name: K,
    ...args: [...PayloadArgs<A['server'], K>, timeout?: number]
  ): Promise<ResultOf<A['server'], K>> {
    return this.session.request(name, args[0], args[1] as number | undefined) as Promise<ResultOf<A['server'], K>>;
  }

  /** Sends a fire-and-forget message. Resolves once written; rejects `DISCONNECTED`, `INVALID_JSON`, `INVALID_NAME`. */
  sendWithoutResponse<K extends NameOf<A['server']>>(name: K, ...args: PayloadArgs<A['server'], K>): Promise<void> {
    try {
      this.session.notify(name, args[0]);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Pings the server; without a pong within `responseTimeout` the socket closes (4201) and this rejects `PING_ERROR`. */
  ping(): Promise<void> {
    return this.session.ping();
  }

  /** Number of requests sent and still awaiting an answer. */
  get pendingRequests(): number {
    return this.session.pendingCount;
  }

  private open(): Promise<unknown> {
    this.setState('connecting');
    this.emit(ClientEvent.CONNECTING, undefined);
    const attempt = new Promise<unknown>((resolve, reject) => {
      let socket: WebSocketLike;
      let upgrade: string[] | undefined;
      try {
        // Encoded on every attempt: the payload object may have changed since the last one.
        upgrade = this.viaUpgrade ? encodeUpgradeHandshake(this.handshakePayload, this.answerInUpgrade) : undefined;
        socket = new this.WebSocketClass(this.url, upgrade ?? this.options.protocols, this.options.webSocketOptions ?? clientDefaults.webSocketOptions);
      } catch (error) {
        reject(new VolleyError(ErrorCode.HANDSHAKE_ERROR, `Cannot open a socket: ${(error as Error).message}`, { cause: error }));
        // No socket means no close event to move the state on; 1006 is what a failed open reports.
        this.ended(1006, 'Cannot open a socket');
        return;
      }
      this.socket = socket;
      // One timer bounds opening and handshake together: an upgrade that is never answered (a
      // stalled network, a half-dead proxy) or a handshake never answered fails the attempt.
      // The callback is shared and gets the client as an argument: no closure per attempt.
      const timer = this.handshakeTimeout > 0 ? setTimeout(attemptExpired, this.handshakeTimeout, this as unknown as ClientInternals) : undefined;
      this.pending = { socket, offeredInUpgrade: upgrade !== undefined, resolve, reject, timer };
      listen(socket, this.link);
    });
    // A socket that could not even be created settled the attempt already.
    if (this.pending !== undefined) this.connecting = attempt;
    return attempt;
  }

  /** The 101 response of the pending attempt arrived (ws only), before the socket opens. */
  private socketUpgraded(answer: string | undefined): void {
    if (this.pending !== undefined) this.pending.upgradeAnswer = answer;
  }

  /** The socket of the pending attempt opened: run the handshake (or await its answer). */
  private socketOpened(): void {
    const pending = this.pending;
    if (pending === undefined) return;
    const socket = pending.socket;
    const batched = this.options.batchWrites !== false;
    const ownFraming = this.options.ownFraming !== false;
    this.raw = batched || ownFraming ? (corkableOf(socket) as RawSocket | undefined) : undefined;
    this.batched = batched;
    // With an extension negotiated (compression, with webSocketOptions of your own) ws's sender
    // may hold frames back while it deflates: frames written past it could overtake them.
    this.framesDirectly = ownFraming && this.raw !== undefined && !socket.extensions;
    this.readsCorked = false;
    const protocol = socket.protocol;
    const answer = pending.upgradeAnswer;
    if (pending.offeredInUpgrade && protocol === UPGRADE_ANSWER_SUBPROTOCOL) {
      // The server took the handshake from the upgrade and answered in the 101's header.
      if (answer === undefined) {
        this.handshakeFailed(
          new VolleyError(
            ErrorCode.HANDSHAKE_ERROR,
            'The server answered the handshake in the upgrade response, but its Volley-Handshake-Answer header did not arrive (dropped by a proxy?); connect with handshake.answerInUpgrade: false',
          ),
        );
        return;
      }
      // The server never writes a longer one (encodeUpgradeAnswer): whatever sent it is not
      // following the protocol, and a header bypasses the frame size checks.
      if (answer.length > UPGRADE_HANDSHAKE_MAX_LENGTH) {
        this.handshakeFailed(
          new VolleyError(
            ErrorCode.HANDSHAKE_ERROR,
            `The Volley-Handshake-Answer header of the upgrade response is longer than ${UPGRADE_HANDSHAKE_MAX_LENGTH} characters`,
          ),
        );
        return;
      }
      this.session.handshake(this.handshakePayload, true);
      // Handled as the frame it is, before any frame that follows the 101.
      this.session.receive(answer);
      // Neither accepted nor refused: the header held no answer to the handshake.
      if (this.pending === pending) {
        this.handshakeFailed(new VolleyError(ErrorCode.HANDSHAKE_ERROR, 'The Volley-Handshake-Answer header of the upgrade response is not an answer to the handshake'));
      }
      return;
    }
    // volley.1: the server took the handshake from the upgrade and its answer is on the way.
    const sentInUpgrade = pending.offeredInUpgrade && protocol === SUBPROTOCOL;
    // Bounded by the attempt timer; the answer goes to accept(), a failure to handshakeFailed().
    this.session.handshake(this.handshakePayload, sentInUpgrade);
  }

  /** The handshake failed (rejected, malformed answer, socket gone): fail the attempt. */
  private handshakeFailed(error: unknown): void {
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
    this.settleAttempt(pending, failure);
  }

  /** The socket reported an error. */
  private socketFailed(): void {
    // Browsers give no detail; the close event that follows does the cleanup.
    if (this.currentState === 'connected') this.reportError(new VolleyError(ErrorCode.WEBSOCKET_ERROR, 'WebSocket error'));
  }

  /** The current socket closed. */
  private socketClosed(code: number, reason: string): void {
    const socket = this.socket;
    if (socket === undefined) return;
    const pending = this.pending;
    // Built only while the attempt is pending: an Error captures a stack, and most closes
    // come long after the handshake.
    if (pending !== undefined && pending.socket === socket) {
      this.settleAttempt(
        pending,
        new VolleyError(ErrorCode.HANDSHAKE_ERROR, `The socket closed during the handshake (${code}${reason ? `: ${reason}` : ''})`),
      );
    }
    this.closed(socket, code, reason);
  }

  /** No pong in time: the session reports it, the connection ends now. */
  private pingFailed(error: VolleyError): void {
    this.reportError(error);
    const socket = this.socket;
    if (socket === undefined) return;
    socket.close(CloseCode.PING_FAILED, 'Ping failed');
    // A peer that answers no ping will not answer the close either: waiting for its close
    // frame would hold pending requests and the reconnection for the WebSocket's own close
    // timeout (30 s in ws, longer in browsers). The connection ends now.
    this.closed(socket, CloseCode.PING_FAILED, 'Ping failed');
    // ws would keep a 30 s close timer (and the process) alive for the dead peer; cut it.
    (socket as { terminate?: () => void }).terminate?.();
  }

  private dispatch(message: IncomingMessage): boolean {
    return this.handlers.dispatch(message);
  }

  /** Settles `pending` if it is still the attempt in progress: resolves with `value`, or rejects with `error`. */
  private settleAttempt(pending: PendingAttempt, error: VolleyError | undefined, value?: unknown): void {
    if (this.pending !== pending) return;
    this.pending = undefined;
    this.connecting = undefined;
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    if (error === undefined) pending.resolve(value);
    else pending.reject(error);
  }

  /** The attempt timer fired before the attempt settled. */
  private attemptExpired(): void {
    const pending = this.pending;
    if (pending === undefined) return;
    pending.timer = undefined;
    const socket = pending.socket;
    if (socket.readyState === OPEN) {
      this.settleAttempt(pending, new VolleyError(ErrorCode.HANDSHAKE_ERROR, `No handshake answer within ${this.handshakeTimeout} ms`));
      socket.close(CloseCode.HANDSHAKE_FAILED, 'Handshake failed');
    } else {
      this.settleAttempt(pending, new VolleyError(ErrorCode.HANDSHAKE_ERROR, `The socket did not open within ${this.handshakeTimeout} ms`));
      // The close event that follows retries or stops as for any failure.
      socket.close();
    }
  }

  /** Runs synchronously on the handshake answer, before any later frame is routed. */
  private accept(result: unknown): void {
    if (result === null || typeof result !== 'object' || typeof (result as { id?: unknown }).id !== 'string') {
      throw new VolleyError(ErrorCode.HANDSHAKE_ERROR, 'Malformed handshake answer', { payload: result });
    }
    const answer = result as { payload?: unknown; id: string };
    this.currentId = answer.id;
    this.handshakeResult = answer.payload;
    this.attempt = 0;
    this.session.handshakeDone();
    this.startPing();
    // emit() reports a throwing listener instead of letting it fail a successful handshake.
    this.setState('connected');
    this.emit(ClientEvent.CONNECTED, answer.payload);
    const pending = this.pending;
    if (pending !== undefined) this.settleAttempt(pending, undefined, answer.payload);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') {
      this.reportError(new VolleyError(ErrorCode.INVALID_FRAME, 'Binary frames are not part of the protocol'));
      return;
    }
    if (data.length > this.maxPayload) {
      this.reportError(new VolleyError(ErrorCode.PAYLOAD_TOO_LARGE, `A frame of ${data.length} characters exceeded maxPayload (${this.maxPayload})`));
      this.socket?.close(CloseCode.MESSAGE_TOO_BIG, 'Frame too large');
      return;
    }
    this.session.receive(data);
  }

  private write(frame: string): void {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== OPEN) throw new VolleyError(ErrorCode.DISCONNECTED, 'The socket is not open');
    const raw = this.raw;
    if (raw === undefined) {
      socket.send(frame);
      return;
    }
    if (this.batched) {
      if (!this.readsCorked) {
        this.readsCorked = true;
        sharedWriteBatcher.corkDuringReads(raw);
      }
      sharedWriteBatcher.hold(raw);
    }
    // Framed here, one buffer per frame (see masked-frame.ts); long texts keep ws's sender.
    if (this.framesDirectly && frame.length <= MAX_MASKED_TEXT) raw.write(maskedTextFrame(frame));
    else socket.send(frame);
  }

  private closed(socket: WebSocketLike, code: number, reason: string): void {
    if (socket !== this.socket) return;
    unlisten(socket);
    this.socket = undefined;
    this.raw = undefined;
    if (this.closeTimer !== undefined) clearTimeout(this.closeTimer);
    this.closeTimer = undefined;
    this.ended(code, reason);
  }

  /** The socket closed or could not be created: fail what is pending, then retry or stop. */
  private ended(code: number, reason: string): void {
    this.stopPing();
    // close() also starts the session over, gated, for the next connection.
    this.session.close(`the connection closed (${code})`);
    if (code === CloseCode.HANDSHAKE_REJECTED) this.stopped = true;
    const wasConnected = this.currentState === 'connected';
    const retrying = this.currentState === 'connecting' && this.attempt > 0;
    const willReconnect = this.reconnectEnabled && !this.stopped && (wasConnected || retrying) && this.attempt < this.backoff.maxAttempts;
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
    this.attempt += 1;
    const delay = this.backoff.delay(this.attempt);
    this.setState('reconnecting');
    this.emit(ClientEvent.RECONNECTING, { attempt: this.attempt, delay });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      // Failures surface through the close event, which schedules the next attempt.
      this.open().catch((error: unknown) => {
        if ((error as VolleyError).code === ErrorCode.HANDSHAKE_REJECTED) this.reportError(error as VolleyError);
      });
    }, delay);
  }

  private clearReconnectTimer(): void {
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  private startPing(): void {
    this.stopPing();
    if (this.pingInterval > 0) this.pingTimer = setInterval(() => this.session.tick(), this.pingInterval);
  }

  private stopPing(): void {
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  private reportError(error: VolleyError): void {
    this.emit(ClientEvent.ERROR, error);
  }

  private emit(event: string, argument: unknown): void {
    const events = this.events;
    if (events === undefined) return;
    emitSafely(events, event, argument, (error) => this.reportError(error), ClientEvent.ERROR);
  }

  private setState(next: ClientState): void {
    const oldState = this.currentState;
    if (oldState === next) return;
    this.currentState = next;
    // Skip building the change object when nobody listens (the common case, per connection).
    if (this.events !== undefined && this.events.listenerCount(ClientEvent.STATE_CHANGE) > 0) this.emit(ClientEvent.STATE_CHANGE, { newState: next, oldState });
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

function duration(name: string, value: number): number {
  // Node and browsers fire longer timers at once.
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_TIMER) {
    throw new TypeError(`Option "${name}" must be a number of milliseconds in 0..${MAX_TIMER}, got ${String(value)}`);
  }
  return value;
}
