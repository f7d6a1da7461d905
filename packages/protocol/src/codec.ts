import { ErrorCode } from './codes.js';
import { type Frame, isFrame, MAX_ID_LENGTH, PONG, ReservedName, salvageId } from './frame.js';
import { BYTES_MARKER, reviveBytes, stringifyWithBytes } from './bytes.js';
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

/**
 * Serialises a payload; `undefined` when the payload is absent. Byte arrays in it are written as
 * `{"\u0000b": base64}` objects (bytes.ts). Throws `INVALID_JSON`.
 */
function encodePayload(payload: unknown): string | undefined {
  if (payload === undefined) return undefined;
  let json: string | undefined;
  try {
    json = stringifyWithBytes(payload);
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
 * itself, or a {@link FrameFailure}. Never throws. With `bytes` (the connection agreed on the
 * binary extension) byte-array objects in the payload become `Uint8Array`s.
 */
export function readFrame(text: string, validate: FrameValidator = isFrame, bytes = false): Frame | FrameFailure {
  const canonical = readCanonicalFrame(text, bytes);
  if (canonical !== undefined) return canonical;
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
  // The payload only: byte arrays are not read in an error or an envelope key.
  if (removePrototypeKeys(text, value) && bytes && value.p !== null && typeof value.p === 'object' && text.includes(BYTES_MARKER)) value.p = reviveBytes(value.p);
  return value;
}

const NAME_HEAD = '{"n":"';
const ID_KEY = ',"i":"';
const PAYLOAD_KEY = ',"p":';

/**
 * The frames Volley writes, in the key order it writes them (`n, p, i` for messages and requests,
 * `n, i, p` for answers), read without parsing the envelope: the keys are matched as text and only
 * the payload goes through `JSON.parse`, which saves most of the parsing and the envelope object
 * on the hot path. Undefined for anything else (another key order, whitespace, escapes in the
 * name or id, an `e` key, a payload that does not parse), which the general path then reads.
 *
 * Only exactly `{"n":"<name>"` + (`,"p":<value>`)? + (`,"i":"<id>"`)? + `}` or the same with `i`
 * before `p` is taken. Such a text is a JSON object with those keys and no others (a JSON value
 * cannot hold a top-level comma, so a payload text that parses is the whole payload), with a
 * non-empty name and an id of 1 to 64 characters: exactly what the envelope's schema accepts,
 * so no validator needs to run.
 */
function readCanonicalFrame(text: string, bytes: boolean): Frame | undefined {
  if (!text.startsWith(NAME_HEAD)) return undefined;
  const nameEnd = text.indexOf('"', NAME_HEAD.length);
  if (nameEnd <= NAME_HEAD.length) return undefined;
  const name = text.slice(NAME_HEAD.length, nameEnd);
  if (!isLiteralJsonString(name)) return undefined;
  const last = text.length - 1;
  if (text.charCodeAt(last) !== 125 /* } */) return undefined;
  let at = nameEnd + 1;
  if (at === last) return { n: name };
  let id: string | undefined;
  let payloadText: string;
  if (text.startsWith(ID_KEY, at)) {
    // n, i, p: an answer.
    const idEnd = text.indexOf('"', at + ID_KEY.length);
    if (idEnd < 0) return undefined;
    id = text.slice(at + ID_KEY.length, idEnd);
    if (!isPlainId(id)) return undefined;
    at = idEnd + 1;
    if (at === last) return { n: name, i: id };
    if (!text.startsWith(PAYLOAD_KEY, at)) return undefined;
    payloadText = text.slice(at + PAYLOAD_KEY.length, last);
  } else if (text.startsWith(PAYLOAD_KEY, at)) {
    // n, p, i: a message or request; the id, if any, is the last key.
    const payloadStart = at + PAYLOAD_KEY.length;
    const idKey = text.charCodeAt(last - 1) === 34 /* " */ ? text.lastIndexOf(ID_KEY) : -1;
    if (idKey > payloadStart) {
      id = text.slice(idKey + ID_KEY.length, last - 1);
      if (!isPlainId(id)) return undefined;
      payloadText = text.slice(payloadStart, idKey);
    } else {
      payloadText = text.slice(payloadStart, last);
    }
  } else {
    return undefined;
  }
  const payload = parsePeerJson(payloadText, bytes);
  if (payload === NOT_JSON) return undefined;
  return id === undefined ? { n: name, p: payload } : { n: name, p: payload, i: id };
}

/** An id read as text: 1 to 64 characters, the whole content of a JSON string literal. */
function isPlainId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_ID_LENGTH && isLiteralJsonString(id);
}

/**
 * True when `text` between two quotes is a JSON string that means itself: no quote, no escape,
 * no control character (JSON does not allow them raw, so such a text is left to JSON.parse).
 */
function isLiteralJsonString(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x22 /* " */ || code === 0x5c /* \ */) return false;
  }
  return true;
}

/** What {@link parsePeerJson} returns for text that is not JSON. */
export const NOT_JSON: unique symbol = Symbol('not JSON');

/**
 * Parses JSON received from a peer (a frame's payload, the upgrade handshake's payload), with the
 * same prototype-key removal as {@link decodeFrame}; {@link NOT_JSON} for invalid JSON.
 */
export function parsePeerJson(text: string, bytes = false): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
  // The byte-array key is written with an escape (`\u0000`): only a text that made the
  // prototype walk run can hold one, so the common frame pays nothing for the extension.
  if (removePrototypeKeys(text, value) && bytes && value !== null && typeof value === 'object' && text.includes(BYTES_MARKER)) value = reviveBytes(value);
  return value;
}

/**
 * JSON.parse makes `__proto__` an own key, harmless until user code merges the payload into
 * another object; such keys are removed before anyone sees them. The text scan is native and
 * cheap, so the common frame pays nothing more. A key spelled with escapes (`"\u005f_proto__"`)
 * parses to the same name without matching the scan, so any escape also triggers the walk.
 * True when it walked (the text has an escape, or one of the names).
 */
function removePrototypeKeys(text: string, value: unknown): boolean {
  if (!(text.includes('__proto__') || text.includes('constructor') || text.includes('\\u'))) return false;
  stripPrototypeKeys(value);
  return true;
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
