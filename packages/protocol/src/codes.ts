/**
 * Error codes carried by {@link VolleyError.code}. Grouped by the question they answer.
 * The first nine are line-socket's and keep its names; the rest are Volley's additions.
 */
export const ErrorCode = {
  // --- What happened to a request I sent? ---
  /** No response arrived within the timeout; a late response is ignored. */
  MESSAGE_TIMEOUT: 'MESSAGE_TIMEOUT',
  /** The peer rejected the request; the peer's error is in `payload`. */
  MESSAGE_REJECTED: 'MESSAGE_REJECTED',
  /** A response could not be written to the peer (socket gone). */
  MESSAGE_NOT_RESPONDED: 'MESSAGE_NOT_RESPONDED',
  /** The connection is not open (or closed while the request was pending). */
  DISCONNECTED: 'DISCONNECTED',
  /** The peer had no handler for the request's name. */
  NO_HANDLER: 'NO_HANDLER',
  /** A ping got no answer in time. */
  PING_ERROR: 'PING_ERROR',

  // --- Was the frame itself acceptable? ---
  /** A frame was not valid JSON, or a payload could not be serialised (cycle, BigInt). */
  INVALID_JSON: 'INVALID_JSON',
  /** A frame was JSON but not a valid envelope (`n`/`p`/`i`/`e` wrong), or used an unknown reserved name. */
  INVALID_FRAME: 'INVALID_FRAME',
  /** A frame was larger than the receiver's `maxPayload`. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** An application name was empty or started with `_` (reserved for the protocol). */
  INVALID_NAME: 'INVALID_NAME',

  // --- Did the peer respect the limits? ---
  /** The peer sent messages faster than its rate limit allows; the message was refused. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The peer already has `maxInFlight` requests awaiting an answer here; the request was refused. */
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  /** The peer reads too slowly: the socket's outgoing buffer is over `maxBufferedAmount`. */
  BACKPRESSURE: 'BACKPRESSURE',

  // --- Did I use the API correctly? ---
  /** `resolve()`/`reject()` was called on a message that was already answered. */
  ALREADY_RESPONDED: 'ALREADY_RESPONDED',
  /** `resolve()`/`reject()` was called on a fire-and-forget message (no id). */
  NOT_A_REQUEST: 'NOT_A_REQUEST',
  /** The call is not allowed in the connection's current state. */
  INVALID_STATE: 'INVALID_STATE',

  // --- How did the handshake go? ---
  /** `setId()` after the handshake, a second handshake, or a handshake answered twice. */
  HANDSHAKE_ENDED: 'HANDSHAKE_ENDED',
  /** An application frame arrived before the handshake completed. */
  HANDSHAKE_PENDING: 'HANDSHAKE_PENDING',
  /** The server rejected the handshake; its reason is in `payload`. The client does not reconnect. */
  HANDSHAKE_REJECTED: 'HANDSHAKE_REJECTED',
  /** The handshake could not complete: socket error, timeout, or a malformed answer. */
  HANDSHAKE_ERROR: 'HANDSHAKE_ERROR',
  /** `setId()` with an id another connection already uses. */
  ID_CONFLICT: 'ID_CONFLICT',
  // --- Transport ---
  /** An error raised by the underlying WebSocket. */
  WEBSOCKET_ERROR: 'WEBSOCKET_ERROR',
  /** An unexpected error inside Volley or a user callback. */
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;

/** One of the {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * WebSocket close codes used by Volley. 1000–1009 are RFC 6455's; 4200–4205 and 4299 are
 * line-socket's; 4206–4298 are Volley's own.
 */
export const CloseCode = {
  /** Normal close, asked for by either side. */
  NORMAL: 1000,
  /** The server is shutting down (`server.stop()`); clients may reconnect to another node. */
  GOING_AWAY: 1001,
  /**
   * Never sent: what a WebSocket reports when the connection ended without a close frame (the
   * peer or the network went away, or the socket never opened).
   */
  ABNORMAL: 1006,
  /** A frame exceeded the receiver's maximum payload. */
  MESSAGE_TOO_BIG: 1009,
  /** Internal error. */
  INTERNAL_ERROR: 4200,
  /** A ping got no answer within the response timeout. */
  PING_FAILED: 4201,
  /** Handshake failed: timeout or malformed handshake. */
  HANDSHAKE_FAILED: 4202,
  /** Handshake rejected by the server. Clients must not reconnect on their own. */
  HANDSHAKE_REJECTED: 4203,
  /** The peer did not finish a graceful close in time. */
  DISCONNECT_TIMEOUT: 4204,
  /** The client was disposed. */
  CLIENT_DISPOSED: 4205,
  /** The peer kept exceeding its rate or in-flight limit after being refused `maxRefusals` times in a row. */
  POLICY_VIOLATION: 4207,
  /** The peer read too slowly; its outgoing buffer passed `maxBufferedAmount`. */
  SLOW_CONSUMER: 4208,
  /** The application removed the client (the chat's `kick`). Clients must not reconnect on their own. */
  KICKED: 4209,
  /** Unknown error. */
  UNKNOWN: 4299,
} as const;

/** One of the {@link CloseCode} values. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
