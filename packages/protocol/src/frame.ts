import { ErrorCode } from './codes.js';
import { VolleyError } from './volley-error.js';

/**
 * The envelope of protocol version 1 (see docs/protocol.md). Only the codec and the validators
 * read or build these keys; everything else works with decoded frames.
 */
export interface Frame {
  /** Message name; names starting with `_` are reserved. */
  n: string;
  /** Payload; absent means `undefined`. */
  p?: unknown;
  /** Request id; present when the sender awaits a response. */
  i?: string;
  /** Error, only on `_r`; `null` counts as absent. */
  e?: unknown;
}

/** Protocol version spoken by this package. */
export const PROTOCOL_VERSION = 1;

/** WebSocket subprotocol a Volley peer may offer to agree on extensions. */
export const SUBPROTOCOL = 'volley.1';

/** Longest request id accepted, in characters. */
export const MAX_ID_LENGTH = 64;

/** Reserved message names. */
export const ReservedName = {
  /** Handshake request, client → server. */
  HANDSHAKE: '_h',
  /** Response to the request with the same id. */
  RESPONSE: '_r',
  /** Ping, answered with `"pong"`. */
  PING: '_p',
} as const;

/** The payload of a ping's answer. */
export const PONG = 'pong';

/** True for names an application may use: non-empty and not starting with `_`. */
export function isApplicationName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.charCodeAt(0) !== 95; /* '_' */
}

/** The `INVALID_NAME` error for a name {@link isApplicationName} refused. */
export function invalidNameError(name: unknown): VolleyError {
  return new VolleyError(ErrorCode.INVALID_NAME, `Invalid message name ${JSON.stringify(name)}: names are non-empty and never start with "_"`);
}

/**
 * Structural check of a parsed frame, equivalent to the JSON schema in `validation.ts` (a
 * property test keeps them in step). Used where ajv must not be loaded, i.e. in browsers.
 */
export function isFrame(value: unknown): value is Frame {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const frame = value as Record<string, unknown>;
  if (typeof frame.n !== 'string' || frame.n.length === 0) return false;
  const id = frame.i;
  if (id !== undefined && !isValidId(id)) return false;
  const error = frame.e;
  if (error !== undefined && error !== null && typeof error !== 'string' && (typeof error !== 'object' || Array.isArray(error))) {
    return false;
  }
  return true;
}

/** Reads a usable request id from a value that failed validation, so it can still be answered. */
export function salvageId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const id = (value as Record<string, unknown>).i;
  return isValidId(id) ? id : undefined;
}

/**
 * A usable request id: a non-empty string of at most {@link MAX_ID_LENGTH} code points (the way
 * JSON schema's `maxLength` counts). Code points are only counted for the rare long string.
 */
export function isValidId(id: unknown): id is string {
  if (typeof id !== 'string' || id.length === 0) return false;
  return id.length <= MAX_ID_LENGTH || [...id].length <= MAX_ID_LENGTH;
}
