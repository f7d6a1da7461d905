/**
 * @volley/protocol — the Volley wire format (docs/protocol.md): the codec, frame checks, codes,
 * the error class, the API typing, and the handshake carried in the WebSocket upgrade. What runs a
 * conversation over a socket (session, pending requests, admission) is in `@volley/session`.
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
  FrameFailure,
  readFrame,
} from './codec.js';
export { invalidNameError, isApplicationName, isFrame, isValidId, MAX_ID_LENGTH, PONG, PROTOCOL_VERSION, ReservedName, salvageId, SUBPROTOCOL } from './frame.js';
export { BYTES_KEY, BYTES_MARKER, containsBytes, parseWithBytes, reviveBytes, stringifyWithBytes } from './bytes.js';
export {
  BINARY_SUFFIX,
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
  readSelectedProtocol,
  withBinary,
} from './upgrade-handshake.js';
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
export type { VolleyErrorOptions, WireError } from './volley-error.js';
