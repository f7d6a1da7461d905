/**
 * @volley/protocol — the Volley wire format (docs/protocol.md): codec, frame checks, codes,
 * the error class, and the request bookkeeping shared by server and client.
 *
 * Deliberately not exported from here: the ajv validator, which lives in
 * `@volley/protocol/validation` so that browser builds never load ajv.
 */
export { CloseCode, ErrorCode } from './codes.js';
export {
  decodeFrame,
  encodeError,
  encodeHandshake,
  encodeMessage,
  encodePing,
  encodePong,
  encodeResult,
} from './codec.js';
export { isApplicationName, isFrame, isValidId, MAX_ID_LENGTH, PONG, PROTOCOL_VERSION, ReservedName, salvageId, SUBPROTOCOL } from './frame.js';
export { DeadlineQueue } from './deadline-queue.js';
export { emitSafely } from './emit-safely.js';
export {
  declineUpgradeHandshake,
  decodeUpgradeHandshake,
  encodeUpgradeAnswer,
  encodeUpgradeHandshake,
  UPGRADE_ANSWER_HEADER,
  UPGRADE_ANSWER_SUBPROTOCOL,
  UPGRADE_DECLINED_SUBPROTOCOL,
  UPGRADE_HANDSHAKE_ID,
  UPGRADE_HANDSHAKE_MAX_LENGTH,
  UPGRADE_HANDSHAKE_PREFIX,
} from './upgrade-handshake.js';
export { IncomingMessage } from './incoming-message.js';
export { MessageHandlers } from './message-handlers.js';
export { PendingRequests } from './pending-requests.js';
export { Session } from './session.js';
export { TokenBucket } from './token-bucket.js';
export { corkableOf, sharedWriteBatcher, WriteBatcher } from './write-batcher.js';
export { serializeError, toVolleyError, VolleyError, wireErrorMessage } from './volley-error.js';

export type {
  AnyApi,
  Api,
  HandshakeAnswerOf,
  HandshakePayloadOf,
  HandshakeSpec,
  MessageMap,
  MessageSpec,
  NameOf,
  PayloadArgs,
  PayloadOf,
  ResultOf,
} from './api.js';
export type { DecodeResult, FrameValidator } from './codec.js';
export type { Frame } from './frame.js';
export type { MessageListener } from './incoming-message.js';
export type { SessionHost, SessionOptions } from './session-host.js';
export type { VolleyErrorOptions, WireError } from './volley-error.js';
export type { Corkable, ReadCorkable } from './write-batcher.js';
