import { ErrorCode } from './codes.js';
import { type Frame, isFrame, PONG, ReservedName, salvageId } from './frame.js';
import { serializeError, VolleyError } from './volley-error.js';

/**
 * The codec: the only code that builds or reads the `{n,p,i,e}` envelope. Frames are built by
 * string concatenation rather than by `JSON.stringify` of a temporary object: one allocation
 * less per frame, and the payload is the only part that needs a general serialiser.
 */

/** Checks a parsed value; returns true when it is a well-formed {@link Frame}. */
export type FrameValidator = (value: unknown) => value is Frame;

// Encoded names are cached: applications use a handful of names, each sent many times.
const nameCache = new Map<string, string>();
const NAME_CACHE_LIMIT = 1024;

function encodeName(name: string): string {
  let encoded = nameCache.get(name);
  if (encoded === undefined) {
    encoded = JSON.stringify(name);
    if (nameCache.size < NAME_CACHE_LIMIT) nameCache.set(name, encoded);
  }
  return encoded;
}

/** Serialises a payload; `undefined` when the payload is absent. Throws `INVALID_JSON`. */
function encodePayload(payload: unknown): string | undefined {
  if (payload === undefined) return undefined;
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (cause) {
    throw new VolleyError(ErrorCode.INVALID_JSON, `Payload cannot be serialised: ${(cause as Error).message}`, { cause });
  }
  return json;
}

function build(nameJson: string, payloadJson: string | undefined, idJson: string | undefined, errorJson?: string): string {
  let out = '{"n":' + nameJson;
  if (payloadJson !== undefined) out += ',"p":' + payloadJson;
  if (idJson !== undefined) out += ',"i":' + idJson;
  if (errorJson !== undefined) out += ',"e":' + errorJson;
  return out + '}';
}

/**
 * Encodes an application message or request. With `id` the peer must answer.
 * @throws VolleyError `INVALID_JSON` when the payload cannot be serialised.
 * @example encodeMessage('sum', { a: 1, b: 2 }, '7') // '{"n":"sum","p":{"a":1,"b":2},"i":"7"}'
 */
export function encodeMessage(name: string, payload?: unknown, id?: string): string {
  return build(encodeName(name), encodePayload(payload), id === undefined ? undefined : JSON.stringify(id));
}

/** Encodes a successful response to request `id`. @throws VolleyError `INVALID_JSON`. */
export function encodeResult(id: string, payload?: unknown): string {
  // Responses are written `n, i, p`, byte for byte as in the sample session of the protocol.
  const payloadJson = encodePayload(payload);
  const head = '{"n":"_r","i":' + JSON.stringify(id);
  return payloadJson === undefined ? head + '}' : head + ',"p":' + payloadJson + '}';
}

/** Encodes a rejection of request `id`; `reason` is serialised with {@link serializeError}. */
export function encodeError(id: string, reason: unknown): string {
  let errorJson: string;
  try {
    errorJson = JSON.stringify(serializeError(reason));
  } catch {
    // Something in the reason cannot be serialised (a cycle, a BigInt); the rejection still has
    // to reach the peer, with what says what went wrong: name, message and code.
    const source = reason as { name?: unknown; message?: unknown; code?: unknown };
    const fallback: Record<string, string> = {
      name: typeof source.name === 'string' ? source.name : 'Error',
      message: typeof source.message === 'string' ? source.message : '',
    };
    if (typeof source.code === 'string') fallback.code = source.code;
    errorJson = JSON.stringify(fallback);
  }
  return build('"_r"', undefined, JSON.stringify(id), errorJson);
}

/** Encodes the handshake request. */
export function encodeHandshake(id: string, payload?: unknown): string {
  return build('"_h"', encodePayload(payload), JSON.stringify(id));
}

/** Encodes a ping. */
export function encodePing(id: string): string {
  return build('"_p"', undefined, JSON.stringify(id));
}

/** Encodes the answer to a ping. */
export function encodePong(id: string): string {
  return encodeResult(id, PONG);
}

/** Result of {@link decodeFrame}: a frame, or an error with the id to answer if one was usable. */
export type DecodeResult =
  | { ok: true; frame: Frame }
  | { ok: false; error: VolleyError; id: string | undefined; name: string | undefined };

/** Why {@link readFrame} refused a frame, with the request id and name to answer it by, if usable. */
export class FrameFailure {
  constructor(
    readonly error: VolleyError,
    readonly id: string | undefined,
    readonly name: string | undefined,
  ) {}
}

/**
 * Parses and validates one text frame. Never throws: bad input comes back as `ok: false` with an
 * `INVALID_JSON` or `INVALID_FRAME` error, and the request id if one can be salvaged so that the
 * caller can answer it.
 */
export function decodeFrame(text: string, validate: FrameValidator = isFrame): DecodeResult {
  const read = readFrame(text, validate);
  return read instanceof FrameFailure ? { ok: false, error: read.error, id: read.id, name: read.name } : { ok: true, frame: read };
}

/**
 * {@link decodeFrame} without the result wrapper, for the receive path of every frame: the frame
 * itself, or a {@link FrameFailure}. Never throws.
 */
export function readFrame(text: string, validate: FrameValidator = isFrame): Frame | FrameFailure {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    return new FrameFailure(new VolleyError(ErrorCode.INVALID_JSON, 'Frame is not valid JSON', { cause }), undefined, undefined);
  }
  if (!validate(value)) {
    const name = value !== null && typeof value === 'object' ? (value as { n?: unknown }).n : undefined;
    return new FrameFailure(
      new VolleyError(ErrorCode.INVALID_FRAME, 'Frame is not a valid envelope', { payload: text.length > 256 ? text.slice(0, 256) : text }),
      salvageId(value),
      typeof name === 'string' ? name : undefined,
    );
  }
  // `e: null` is how line-socket says "no error".
  if (value.e === null) value.e = undefined;
  removePrototypeKeys(text, value);
  return value;
}

/**
 * Parses JSON received from a peer outside a frame (the upgrade handshake's payload), with the
 * same prototype-key removal as {@link decodeFrame}. Returns undefined for invalid JSON.
 */
export function parsePeerJson(text: string): { value: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  removePrototypeKeys(text, value);
  return { value };
}

/**
 * JSON.parse makes `__proto__` an own key, harmless until user code merges the payload into
 * another object; such keys are removed before anyone sees them. The text scan is native and
 * cheap, so the common frame pays nothing more. A key spelled with escapes (`"\u005f_proto__"`)
 * parses to the same name without matching the scan, so any escape also triggers the walk.
 */
function removePrototypeKeys(text: string, value: unknown): void {
  if (text.includes('__proto__') || text.includes('constructor') || text.includes('\\u')) stripPrototypeKeys(value);
}

/** Removes `__proto__` keys, and `constructor` keys holding a `prototype`, at any depth. */
function stripPrototypeKeys(root: unknown): void {
  // An explicit stack: a hostile frame may nest deeper than the call stack allows.
  const stack: unknown[] = [root];
  const own = Object.prototype.hasOwnProperty;
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== 'object') continue;
    const record = value as Record<string, unknown>;
    if (own.call(record, '__proto__')) delete record['__proto__'];
    const ctor = own.call(record, 'constructor') ? record.constructor : undefined;
    if (ctor !== null && typeof ctor === 'object' && own.call(ctor, 'prototype')) delete record['constructor'];
    for (const key in record) stack.push(record[key]);
  }
}
