import {
  encodeError, encodeHandshake, encodeMessage, encodePing, encodePong, encodeResult,
  ErrorCode, type Frame, FrameFailure, invalidNameError, isApplicationName, isFrame, readFrame, ReservedName,
  toVolleyError, UPGRADE_HANDSHAKE_ID, VolleyError, wireErrorMessage,
} from '@volley/protocol';
import { IncomingMessage, type Responder } from './incoming-message.js';
import { Keepalive } from './keepalive.js';
import { PendingRequests } from './pending-requests.js';
import type { AdmissionPolicy, SessionHost, SessionOptions } from './session-host.js';

/*
 * Phases:
 *   handshake --handshakeDone()--> open --closing()--> closing
 *   any       --close()--> handshake (what was pending is rejected; a client reuses its session)
 * handshake: application frames from the peer are refused, and none may be sent.
 * open: both ways. closing: nothing more may be sent; what the peer sends is still routed.
 */
/** Phase of a {@link Session}. */
export type SessionPhase = 'handshake' | 'open' | 'closing';

/**
 * One side of a Volley conversation over one socket, shared by the server's connections and the
 * client: it routes inbound frames (responses to pending requests, pings, application messages),
 * sends requests and answers, and enforces the handshake gate. It knows nothing of sockets; its
 * host writes frames and owns the lifecycle. What it admits from the peer is its Admission's
 * call, when it pings its Keepalive's.
 */
export class Session implements Responder {
  private phase: SessionPhase = 'handshake';
  /** Created on the first request: most server connections never send one. */
  private pendingRequests: PendingRequests | undefined;
  /**
   * Id of the handshake this side sent and awaits (client side). The handshake is not a pending
   * request: its answer goes to the host, with no promise and no request table per connect.
   */
  private handshakeId: string | undefined;
  private seq = 0;
  /** Both sides agreed on the binary extension: byte-array objects in payloads become bytes. */
  private bytes = false;
  protected readonly keepalive = new Keepalive();

  constructor(
    protected readonly host: SessionHost,
    private readonly options: SessionOptions,
    /** What the peer may send (the server's `Admission`); a client admits everything. */
    protected readonly admission: AdmissionPolicy = admitAll,
  ) {}

  /** True while application traffic may be sent (socket open and handshake done). */
  get open(): boolean {
    return this.phase === 'open';
  }

  /** True until the handshake completes: application frames are refused. */
  get gated(): boolean {
    return this.phase === 'handshake';
  }

  /** The handshake completed: application traffic flows both ways. */
  handshakeDone(): void {
    this.phase = 'open';
  }

  /** A close began: nothing more may be sent; frames still arriving are routed until {@link close}. */
  closing(): void {
    if (this.phase === 'open') this.phase = 'closing';
  }

  /** Requests awaiting an answer. */
  get pendingCount(): number {
    return this.pendingRequests?.size ?? 0;
  }

  /**
   * Whether this connection agreed on the binary extension (the selected subprotocol's
   * `+b`): from now on received byte-array objects become `Uint8Array`s. Set on each open.
   */
  acceptBytes(agreed: boolean): void {
    this.bytes = agreed;
  }

  /**
   * Handles one inbound text frame. Never throws. Every frame, of every kind and in every state,
   * takes a token of the rate limit: a flood of frames that reach no handler (responses nobody
   * awaits, pings, frames before the handshake) costs as much CPU as one that does. Every frame
   * refused for any reason (malformed, before the handshake, over a limit, unknown reserved
   * name, a response nobody awaits over the rate) counts towards `maxRefusals`.
   */
  receive(text: string): void {
    this.keepalive.received();
    const admitted = this.admission.take();
    const frame = readFrame(text, this.options.validate ?? isFrame, this.bytes);
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
      else if (this.pendingRequests?.settle(frame) !== true && !admitted) this.refuse(undefined, this.admission.rateLimited(name));
      return;
    }
    if (!admitted) {
      this.refuse(frame.i, this.admission.rateLimited(name));
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
    if (frame.i !== undefined) {
      const refusal = this.admission.inFlightRefusal(name);
      if (refusal !== undefined) {
        this.refuse(frame.i, refusal);
        return;
      }
    }
    this.admission.admitted(frame.i !== undefined);
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
    if (!isApplicationName(name)) return Promise.reject(invalidNameError(name));
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
    if (!isApplicationName(name)) throw invalidNameError(name);
    if (!this.open) throw notOpen(name);
    this.host.write(encodeMessage(name, payload));
  }

  /**
   * Pings the peer. Resolves on pong; on timeout rejects `PING_ERROR` and tells the host, which
   * closes the connection (4201).
   */
  ping(timeout?: number): Promise<void> {
    if (!this.open) return Promise.reject(notOpen(ReservedName.PING));
    this.keepalive.sent();
    const id = this.nextId();
    return this.call(id, ReservedName.PING, encodePing(id), timeout).then(
      () => {
        this.keepalive.answered();
      },
      (error: VolleyError) => {
        this.keepalive.answered();
        if (error.code !== ErrorCode.MESSAGE_TIMEOUT) throw error;
        const pingError = new VolleyError(ErrorCode.PING_ERROR, 'Ping got no answer in time', { cause: error });
        this.host.pingFailed(pingError);
        throw pingError;
      },
    );
  }

  /** Called by the host once per ping interval: pings when the keepalive says a ping is due. */
  tick(): void {
    if (!this.keepalive.due() || !this.open) return;
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
    if (message.name.charCodeAt(0) !== 95 /* '_' */) this.admission.answered();
    return this.writeSafely(frame, message.name);
  }

  /** A handler threw or its promise rejected: report, and reject the request if still unanswered. */
  handlerFailed(message: IncomingMessage, thrown: unknown): void {
    this.host.error(toVolleyError(thrown));
    if (message.id !== undefined && !message.responded) this.respond(message, false, thrown);
  }


  /** Reports a refused frame, answers it when it has an id, and counts the refusal. */
  protected refuse(id: string | undefined, error: VolleyError): void {
    this.host.error(error);
    if (id !== undefined) this.writeSafely(encodeError(id, error));
    if (this.admission.refused()) this.host.abusive?.(error);
  }

  /** Rejects every pending request with `DISCONNECTED`; call when the socket closes. */
  close(reason = 'Connection closed'): void {
    this.phase = 'handshake';
    this.keepalive.answered();
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
    const pending = (this.pendingRequests ??= new PendingRequests());
    const promise = pending.await(id, name, timeout ?? this.options.responseTimeout);
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

/** The admission of a session whose peer is not limited (a client's: its server is trusted). */
const admitAll: AdmissionPolicy = {
  take: () => true,
  // Never called: take() lets every frame in.
  rateLimited: (name) => new VolleyError(ErrorCode.RATE_LIMITED, name),
  inFlightRefusal: () => undefined,
  admitted: () => undefined,
  answered: () => undefined,
  refused: () => false,
};


function notOpen(name: string): VolleyError {
  return new VolleyError(ErrorCode.DISCONNECTED, `Cannot send "${name}": not connected`);
}
