import {
  encodeError,
  encodeHandshake,
  encodeMessage,
  encodePing,
  encodePong,
  encodeResult,
  FrameFailure,
  type FrameValidator,
  readFrame,
} from './codec.js';
import { ErrorCode } from './codes.js';
import { type Frame, isApplicationName, isFrame, ReservedName } from './frame.js';
import { IncomingMessage } from './incoming-message.js';
import { PendingRequests } from './pending-requests.js';
import { TokenBucket } from './token-bucket.js';
import { toVolleyError, VolleyError, wireErrorMessage } from './volley-error.js';
import { UPGRADE_HANDSHAKE_ID } from './upgrade-handshake.js';

/** What a {@link Session} needs from the connection that owns it. */
export interface SessionHost {
  /** Writes one encoded frame to the socket. Only called while the socket is open. */
  write(frame: string): void;
  /**
   * Hands an application message to the user's handlers; returns false when nobody handles
   * `message.name` (a request is then answered with `NO_HANDLER`).
   */
  dispatch(message: IncomingMessage): boolean;
  /** A `_h` frame arrived (server side). Without this hook `_h` is an unknown reserved name. */
  handshake?(message: IncomingMessage): void;
  /**
   * Client side: the answer to the handshake {@link Session.handshake} sent arrived. Runs
   * synchronously, before any later frame of the same read is routed, so that it can open the
   * gate for requests the server sends right after; what it throws goes to `handshakeFailed`.
   */
  handshakeAccepted?(result: unknown): void;
  /**
   * Client side: the handshake failed: rejected by the peer (`MESSAGE_REJECTED` with its reason in
   * `payload`), not sendable (`INVALID_JSON`, `WEBSOCKET_ERROR`), cut by {@link Session.close}
   * (`DISCONNECTED`), or whatever `handshakeAccepted` threw.
   */
  handshakeFailed?(error: unknown): void;
  /** A local error: bad frame received, answer that could not be sent, throwing handler. */
  error(error: VolleyError): void;
  /** A ping got no answer in time; the host closes with 4201. */
  pingFailed(error: VolleyError): void;
  /** The peer was refused `maxRefusals` times in a row; the host closes with 4207. */
  abusive?(error: VolleyError): void;
}

/** Options of {@link Session}. */
export interface SessionOptions {
  /** Default timeout of requests, in ms; 0 for none. */
  responseTimeout: number;
  /** Validator of inbound frames. @default isFrame */
  validate?: FrameValidator;
  /** Requests from the peer that may await an answer at once; more are refused. 0 = no limit. @default 0 */
  maxInFlight?: number;
  /** Messages (requests, fire-and-forget, pings) the peer may send per second, and the burst allowed. @default undefined (no limit) */
  rateLimit?: { rate: number; burst: number };
  /** Consecutive refusals after which the host is told the peer is abusive. 0 = never. @default 0 */
  maxRefusals?: number;
}

/**
 * One side of a Volley conversation over one socket, shared by the server's connections and the
 * client: it routes inbound frames (responses to pending requests, pings, application messages),
 * sends requests and answers, and enforces the handshake gate. It knows nothing of sockets; its
 * host writes frames and owns the lifecycle.
 */
export class Session {
  /** True while application traffic may be sent (socket open and handshake done). */
  open = false;
  /** True until the handshake completes: application frames are refused. */
  gated = true;
  /** Created on the first request: most server connections never send one. */
  private pendingRequests: PendingRequests | undefined;
  /**
   * Id of the handshake this side sent and awaits (client side). The handshake is not a pending
   * request: its answer goes to the host, with no promise and no request table per connect.
   */
  private handshakeId: string | undefined;
  private seq = 0;
  private receivedSinceTick = false;
  private pinging = false;
  /** Requests received and not answered yet. */
  private inFlight = 0;
  private refusals = 0;
  private readonly bucket: TokenBucket | undefined;

  constructor(
    private readonly host: SessionHost,
    private readonly options: SessionOptions,
  ) {
    this.bucket = options.rateLimit === undefined ? undefined : new TokenBucket(options.rateLimit.rate, options.rateLimit.burst);
  }

  /** Requests awaiting an answer. */
  get pendingCount(): number {
    return this.pendingRequests?.size ?? 0;
  }

  /**
   * Handles one inbound text frame. Never throws. Every frame, of every kind and in every state,
   * takes a token of the rate limit: a flood of frames that reach no handler (responses nobody
   * awaits, pings, frames before the handshake) costs as much CPU as one that does. Every frame
   * refused for any reason (malformed, before the handshake, over a limit, unknown reserved
   * name, a response nobody awaits over the rate) counts towards `maxRefusals`.
   */
  receive(text: string): void {
    this.receivedSinceTick = true;
    const admitted = this.bucket === undefined || this.bucket.take();
    const frame = readFrame(text, this.options.validate ?? isFrame);
    if (frame instanceof FrameFailure) {
      // Never answer a response, or two peers could bounce errors forever.
      this.refuse(frame.name === ReservedName.RESPONSE ? undefined : frame.id, frame.error);
      return;
    }
    const name = frame.n;
    if (name === ReservedName.RESPONSE) {
      // An answer to what this side asked is taken whatever the rate (refusing it would only
      // turn the request into a timeout); its token still counts against the peer's other frames.
      if (this.handshakeId !== undefined && frame.i === this.handshakeId) this.handshakeAnswered(frame);
      else if (this.pendingRequests?.settle(frame) !== true && !admitted) this.refuse(undefined, this.rateLimited(name));
      return;
    }
    if (!admitted) {
      this.refuse(frame.i, this.rateLimited(name));
      return;
    }
    if (name.charCodeAt(0) === 95 /* '_' */) {
      this.receiveReserved(frame);
      return;
    }
    if (this.gated) {
      this.refuse(frame.i, new VolleyError(ErrorCode.HANDSHAKE_PENDING, `"${name}" arrived before the handshake completed`));
      return;
    }
    const maxInFlight = this.options.maxInFlight ?? 0;
    if (frame.i !== undefined && maxInFlight > 0 && this.inFlight >= maxInFlight) {
      this.refuse(frame.i, new VolleyError(ErrorCode.TOO_MANY_REQUESTS, `"${name}" refused: ${maxInFlight} requests already await an answer`));
      return;
    }
    this.refusals = 0;
    if (frame.i !== undefined) this.inFlight += 1;
    const message = new IncomingMessage(this, name, frame.p, frame.i);
    let handled: boolean;
    try {
      handled = this.host.dispatch(message);
    } catch (thrown) {
      this.handlerFailed(message, thrown);
      return;
    }
    if (!handled && message.id !== undefined && !message.responded) {
      this.respond(message, false, new VolleyError(ErrorCode.NO_HANDLER, `No handler for "${name}"`));
    }
  }

  /**
   * A binary frame arrived: not part of the protocol, so refused (and counted towards
   * `maxRefusals`) after taking its token like any frame.
   */
  receiveBinary(): void {
    this.receivedSinceTick = true;
    this.bucket?.take();
    this.refuse(undefined, new VolleyError(ErrorCode.INVALID_FRAME, 'Binary frames are not part of the protocol'));
  }

  /**
   * A WebSocket control frame (ping or pong) arrived. The WebSocket answers pings itself and
   * Volley never sends control pings, so these reach no handler; they still take a token, and
   * over the rate they are refused, or a flood of them would cost CPU that no limit bounds.
   */
  receiveControl(kind: 'ping' | 'pong'): void {
    if (this.bucket === undefined || this.bucket.take()) return;
    this.refuse(undefined, this.rateLimited(`WebSocket ${kind}`));
  }

  private rateLimited(name: string): VolleyError {
    return new VolleyError(ErrorCode.RATE_LIMITED, `"${name}" refused: more than ${this.bucket!.rate} messages per second`);
  }

  /**
   * Server side: the client carried its handshake in the WebSocket upgrade (see
   * upgrade-handshake.ts). Handled as the `_h` frame with id `UPGRADE_HANDSHAKE_ID` it stands for,
   * without building and parsing that frame: `payload` was parsed from the upgrade already.
   */
  receiveUpgradeHandshake(payload: unknown): void {
    this.receivedSinceTick = true;
    if (this.host.handshake === undefined) {
      this.refuse(UPGRADE_HANDSHAKE_ID, new VolleyError(ErrorCode.INVALID_FRAME, `Unknown reserved name "${ReservedName.HANDSHAKE}"`));
      return;
    }
    this.host.handshake(new IncomingMessage(this, ReservedName.HANDSHAKE, payload, UPGRADE_HANDSHAKE_ID));
  }

  private receiveReserved(frame: Frame): void {
    switch (frame.n) {
      case ReservedName.PING:
        if (frame.i !== undefined) this.writeSafely(encodePong(frame.i));
        return;
      case ReservedName.HANDSHAKE:
        if (this.host.handshake !== undefined && frame.i !== undefined) {
          this.host.handshake(new IncomingMessage(this, frame.n, frame.p, frame.i));
          return;
        }
        break;
    }
    this.refuse(frame.i, new VolleyError(ErrorCode.INVALID_FRAME, `Unknown reserved name "${frame.n}"`));
  }

  /**
   * Sends a request and resolves with the peer's answer.
   * Rejects `INVALID_NAME`, `INVALID_JSON`, `DISCONNECTED`, `MESSAGE_TIMEOUT`, `MESSAGE_REJECTED`.
   * @param timeout ms; `undefined` for the default, 0 for none.
   */
  request(name: string, payload?: unknown, timeout?: number): Promise<unknown> {
    if (!isApplicationName(name)) return Promise.reject(invalidName(name));
    if (!this.open) return Promise.reject(notOpen(name));
    const id = this.nextId();
    try {
      return this.call(id, name, encodeMessage(name, payload, id), timeout);
    } catch (error) {
      // Only the encoding throws (INVALID_JSON); call() reports through the promise.
      return Promise.reject(error);
    }
  }

  /**
   * Sends the handshake request (client side), bypassing the open/gate checks; the answer goes to
   * `host.handshakeAccepted`, a failure to `host.handshakeFailed` (at once when the request cannot
   * be sent). It has no timeout of its own: the host bounds the attempt. With `viaUpgrade` the
   * request already went in the WebSocket upgrade (see upgrade-handshake.ts): nothing is sent, the
   * answer to `UPGRADE_HANDSHAKE_ID` is awaited.
   */
  handshake(payload: unknown, viaUpgrade = false): void {
    if (viaUpgrade) {
      this.handshakeId = UPGRADE_HANDSHAKE_ID;
      return;
    }
    const id = this.nextId();
    this.handshakeId = id;
    try {
      this.host.write(encodeHandshake(id, payload));
    } catch (error) {
      this.handshakeId = undefined;
      this.host.handshakeFailed?.(toVolleyError(error, ErrorCode.WEBSOCKET_ERROR));
    }
  }

  private handshakeAnswered(frame: Frame): void {
    this.handshakeId = undefined;
    if (frame.e !== undefined) {
      this.host.handshakeFailed?.(
        new VolleyError(ErrorCode.MESSAGE_REJECTED, `"${ReservedName.HANDSHAKE}" was rejected: ${wireErrorMessage(frame.e)}`, { payload: frame.e }),
      );
      return;
    }
    try {
      this.host.handshakeAccepted?.(frame.p);
    } catch (error) {
      this.host.handshakeFailed?.(error);
    }
  }

  /**
   * Sends a fire-and-forget message.
   * @throws VolleyError `INVALID_NAME`, `INVALID_JSON`, `DISCONNECTED`.
   */
  notify(name: string, payload?: unknown): void {
    if (!isApplicationName(name)) throw invalidName(name);
    if (!this.open) throw notOpen(name);
    this.host.write(encodeMessage(name, payload));
  }

  /**
   * Pings the peer. Resolves on pong; on timeout rejects `PING_ERROR` and tells the host, which
   * closes the connection (4201).
   */
  ping(timeout?: number): Promise<void> {
    if (!this.open) return Promise.reject(notOpen(ReservedName.PING));
    this.pinging = true;
    const id = this.nextId();
    return this.call(id, ReservedName.PING, encodePing(id), timeout).then(
      () => {
        this.pinging = false;
      },
      (error: VolleyError) => {
        this.pinging = false;
        if (error.code !== ErrorCode.MESSAGE_TIMEOUT) throw error;
        const pingError = new VolleyError(ErrorCode.PING_ERROR, 'Ping got no answer in time', { cause: error });
        this.host.pingFailed(pingError);
        throw pingError;
      },
    );
  }

  /**
   * Called by the host once per ping interval: pings when nothing was received since the last
   * tick. Received traffic only sets a flag, so it postpones pings at no cost per frame.
   */
  tick(): void {
    if (this.receivedSinceTick || this.pinging || !this.open) {
      this.receivedSinceTick = false;
      return;
    }
    // Errors are reported through host.pingFailed; nothing awaits this promise.
    this.ping().catch(() => undefined);
  }

  /** Writes the answer to `message`; see {@link IncomingMessage.resolve}. */
  respond(message: IncomingMessage, ok: boolean, value: unknown): boolean {
    if (message.id === undefined) {
      this.host.error(new VolleyError(ErrorCode.NOT_A_REQUEST, `"${message.name}" is fire-and-forget and cannot be answered`));
      return false;
    }
    if (message.responded) {
      this.host.error(new VolleyError(ErrorCode.ALREADY_RESPONDED, `"${message.name}" was already answered`));
      return false;
    }
    let frame: string;
    try {
      frame = ok ? encodeResult(message.id, value) : encodeError(message.id, value);
    } catch (error) {
      // The result cannot be serialised: the peer still gets an answer, as an error.
      const local = toVolleyError(error, ErrorCode.INVALID_JSON);
      this.host.error(local);
      frame = encodeError(message.id, local);
    }
    message.responded = true;
    if (message.name.charCodeAt(0) !== 95 /* '_' */) this.inFlight -= 1;
    return this.writeSafely(frame, message.name);
  }

  /** A handler threw or its promise rejected: report, and reject the request if still unanswered. */
  handlerFailed(message: IncomingMessage, thrown: unknown): void {
    this.host.error(toVolleyError(thrown));
    if (message.id !== undefined && !message.responded) this.respond(message, false, thrown);
  }

  /** Requests received from the peer and not answered yet. */
  get inFlightCount(): number {
    return this.inFlight;
  }

  /** Reports a refused frame, answers it when it has an id, and counts the refusal. */
  private refuse(id: string | undefined, error: VolleyError): void {
    this.host.error(error);
    if (id !== undefined) this.writeSafely(encodeError(id, error));
    this.refusals += 1;
    const maxRefusals = this.options.maxRefusals ?? 0;
    if (maxRefusals > 0 && this.refusals >= maxRefusals) {
      this.refusals = 0;
      this.host.abusive?.(error);
    }
  }

  /** Rejects every pending request with `DISCONNECTED`; call when the socket closes. */
  close(reason = 'Connection closed'): void {
    this.open = false;
    this.pinging = false;
    if (this.handshakeId !== undefined) {
      this.handshakeId = undefined;
      this.host.handshakeFailed?.(new VolleyError(ErrorCode.DISCONNECTED, `"${ReservedName.HANDSHAKE}" failed: ${reason}`));
    }
    this.pendingRequests?.rejectAll((name) => new VolleyError(ErrorCode.DISCONNECTED, `"${name}" failed: ${reason}`));
  }

  private nextId(): string {
    return (++this.seq).toString(36);
  }

  /** Registers request `id` (already encoded as `frame`), writes it, and awaits its answer. */
  private call(id: string, name: string, frame: string, timeout: number | undefined): Promise<unknown> {
    // A shared executor hands over the resolving functions: no closure per request.
    const promise = new Promise(captureResolvers);
    const pending = (this.pendingRequests ??= new PendingRequests());
    pending.add(id, name, timeout ?? this.options.responseTimeout, capturedResolve!, capturedReject!);
    capturedResolve = capturedReject = undefined;
    try {
      this.host.write(frame);
    } catch (error) {
      pending.reject(id, toVolleyError(error, ErrorCode.WEBSOCKET_ERROR));
    }
    return promise;
  }

  private writeSafely(frame: string, name?: string): boolean {
    try {
      this.host.write(frame);
      return true;
    } catch (cause) {
      const what = name === undefined ? 'A frame' : `The answer to "${name}"`;
      this.host.error(new VolleyError(ErrorCode.MESSAGE_NOT_RESPONDED, `${what} could not be sent`, { cause }));
      return false;
    }
  }
}

let capturedResolve: ((value: unknown) => void) | undefined;
let capturedReject: ((error: unknown) => void) | undefined;

/** The executor of every request's promise: it runs synchronously inside `new Promise`. */
function captureResolvers(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

function invalidName(name: unknown): VolleyError {
  return new VolleyError(ErrorCode.INVALID_NAME, `Invalid message name ${JSON.stringify(name)}: names are non-empty and never start with "_"`);
}

function notOpen(name: string): VolleyError {
  return new VolleyError(ErrorCode.DISCONNECTED, `Cannot send "${name}": not connected`);
}
