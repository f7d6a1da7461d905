import type { FrameValidator, VolleyError } from '@volley/protocol';
import type { IncomingMessage } from './incoming-message.js';

/** What a `Session` needs from the connection that owns it. */
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
   * Client side: the answer to the handshake `Session.handshake` sent arrived. Runs
   * synchronously, before any later frame of the same read is routed, so that it can open the
   * gate for requests the server sends right after; what it throws goes to `handshakeFailed`.
   */
  handshakeAccepted?(result: unknown): void;
  /**
   * Client side: the handshake failed: rejected by the peer (`MESSAGE_REJECTED` with its reason in
   * `payload`), not sendable (`INVALID_JSON`, `WEBSOCKET_ERROR`), cut by `Session.close`
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

/**
 * What a session asks of the policy that admits its peer's frames: an `Admission` on the server; a
 * client's session admits everything (see `admitAll`), so browser builds carry no token bucket and
 * none of the refusals' wording.
 */
export interface AdmissionPolicy {
  /** One inbound frame takes a token; false when the peer is over its rate. */
  take(): boolean;
  /** The error a frame named `name` is refused with after {@link take} returned false. */
  rateLimited(name: string): VolleyError;
  /** The error a request named `name` is refused with when it would pass the in-flight cap; undefined to let it in. */
  inFlightRefusal(name: string): VolleyError | undefined;
  /** An application message was let through. */
  admitted(isRequest: boolean): void;
  /** A request the peer sent was answered. */
  answered(): void;
  /** Counts a refusal; true when the peer is now abusive. */
  refused(): boolean;
}

/** Options of `Session`. */
export interface SessionOptions {
  /** Default timeout of requests, in ms; 0 for none. */
  responseTimeout: number;
  /** Validator of inbound frames. @default isFrame */
  validate?: FrameValidator;
}
