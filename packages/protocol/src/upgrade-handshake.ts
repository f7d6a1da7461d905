import { NOT_JSON, parsePeerJson } from './codec.js';
import { SUBPROTOCOL } from './frame.js';

/*
 * The upgrade handshake (docs/protocol.md, "Extensions"): the client offers its handshake payload
 * as a subprotocol of the WebSocket upgrade, `volley-h.<base64url(JSON)>`, together with
 * `volley.1`. A server that takes it selects `volley.1` and answers the handshake as if the `_h`
 * frame with id {@link UPGRADE_HANDSHAKE_ID} had arrived: the answer follows the 101 response
 * at once, and the client never sends `_h`. That saves one frame each way, and the round trip a
 * frame costs, on every connect. A server that does not take it selects
 * {@link UPGRADE_DECLINED_SUBPROTOCOL}, offered first so that servers which pick the first offer
 * (ws's default) select it too, and the client sends the `_h` frame at once. No server may select
 * the `volley-h.` entry itself: that would echo the payload (a token, often) in the 101 response.
 *
 * A client that can read the 101 response's headers (ws in Node; browsers cannot) also offers
 * {@link UPGRADE_ANSWER_SUBPROTOCOL}. A server answering the handshake before it writes the 101
 * then selects that one and puts the answer frame in the {@link UPGRADE_ANSWER_HEADER} header:
 * no frame crosses the wire at all, which spares both sides a frame's parsing and writing.
 */

/** Prefix of the subprotocol that carries a handshake payload. */
export const UPGRADE_HANDSHAKE_PREFIX = 'volley-h.';

/**
 * Request id of a handshake carried in the upgrade. Counter ids are base-36 digits and never
 * contain `-`, so it cannot clash with an id the client generates.
 */
export const UPGRADE_HANDSHAKE_ID = '-h';

/**
 * Subprotocol a client offers first with an upgrade handshake, and a server selects when it does
 * not take the handshake from the upgrade (the extension is off, or the entry is malformed): the
 * client then sends the `_h` frame at once.
 */
export const UPGRADE_DECLINED_SUBPROTOCOL = 'volley.1-frame';

/**
 * Subprotocol a client offers when it can read the upgrade response's headers, and a server
 * selects when it answered the handshake in {@link UPGRADE_ANSWER_HEADER}.
 */
export const UPGRADE_ANSWER_SUBPROTOCOL = 'volley.1-answer';

/**
 * Response header of the 101 that carries the answer frame to {@link UPGRADE_HANDSHAKE_ID} (as
 * Node spells received header names: lower case; sent as `Volley-Handshake-Answer`).
 */
export const UPGRADE_ANSWER_HEADER = 'volley-handshake-answer';

/**
 * Longest subprotocol entry the client offers (HTTP servers and proxies limit header sizes;
 * Node's default is 16 KiB for all headers). A larger payload goes in the `_h` frame.
 */
export const UPGRADE_HANDSHAKE_MAX_LENGTH = 4096;

/**
 * The subprotocols a client offers to carry `payload` in the upgrade, or undefined when the
 * payload cannot go there (too large, or not serialisable: the `_h` frame then reports it). With
 * `answerInUpgrade` (the client reads the 101 response's headers) the offer ends with
 * {@link UPGRADE_ANSWER_SUBPROTOCOL}.
 *
 * @example
 * encodeUpgradeHandshake({ a: 1 }) // ['volley.1-frame', 'volley-h.eyJhIjoxfQ', 'volley.1']
 * encodeUpgradeHandshake(undefined, true) // ['volley.1-frame', 'volley-h.', 'volley.1', 'volley.1-answer']
 */
export function encodeUpgradeHandshake(payload: unknown, answerInUpgrade = false, binary = false): string[] | undefined {
  // Most clients send no payload: an empty entry.
  let entry = UPGRADE_HANDSHAKE_PREFIX;
  if (payload !== undefined) {
    let json: string | undefined;
    try {
      json = JSON.stringify(payload);
    } catch {
      return undefined;
    }
    if (json === undefined) return undefined;
    entry += toBase64Url(json);
    if (entry.length > UPGRADE_HANDSHAKE_MAX_LENGTH) return undefined;
  }
  const offers = answerInUpgrade ? [UPGRADE_DECLINED_SUBPROTOCOL, entry, SUBPROTOCOL, UPGRADE_ANSWER_SUBPROTOCOL] : [UPGRADE_DECLINED_SUBPROTOCOL, entry, SUBPROTOCOL];
  // After the others: a server that picks the first offer (ws's default, line-socket) still picks
  // volley.1-frame, and only a Volley server that takes the extension selects a `+b` one.
  if (binary) for (const offer of [...offers]) if (offer !== entry) offers.push(offer + BINARY_SUFFIX);
  return offers;
}

/**
 * Suffix of a selected subprotocol that also agrees on the binary extension (byte arrays in
 * payloads, bytes.ts): the server selects `<what it would select>+b` when the client offered it.
 */
export const BINARY_SUFFIX = '+b';

/**
 * Server side: `selected` with the binary extension when the client offered that variant and the
 * server takes the extension (`binary`), else `selected` as it is.
 */
export function withBinary(selected: string | false, offered: ReadonlySet<string>, binary: boolean): string | false {
  return binary && selected !== false && offered.has(selected + BINARY_SUFFIX) ? selected + BINARY_SUFFIX : selected;
}

/** Client side: the selected subprotocol without the extension suffix, and whether the extension was agreed. */
export function readSelectedProtocol(selected: string): { protocol: string; binary: boolean } {
  return selected.endsWith(BINARY_SUFFIX) && isVolleyOffer(selected.slice(0, -BINARY_SUFFIX.length))
    ? { protocol: selected.slice(0, -BINARY_SUFFIX.length), binary: true }
    : { protocol: selected, binary: false };
}

function isVolleyOffer(protocol: string): boolean {
  return protocol === SUBPROTOCOL || protocol === UPGRADE_DECLINED_SUBPROTOCOL || protocol === UPGRADE_ANSWER_SUBPROTOCOL;
}

/**
 * Server side: the value of {@link UPGRADE_ANSWER_HEADER} for an encoded answer frame, or
 * undefined when it is longer than {@link UPGRADE_HANDSHAKE_MAX_LENGTH} (the answer then goes
 * as a frame). A header value must be printable ASCII: JSON text stays JSON with every other
 * character written as a `\uXXXX` escape (`JSON.stringify` already escapes control characters).
 */
export function encodeUpgradeAnswer(frame: string): string | undefined {
  // Escapes only lengthen the text: a frame too long as it is stays too long.
  if (frame.length > UPGRADE_HANDSHAKE_MAX_LENGTH) return undefined;
  const ascii = frame.replace(NOT_PRINTABLE_ASCII, escapeCharacter);
  return ascii.length > UPGRADE_HANDSHAKE_MAX_LENGTH ? undefined : ascii;
}

const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/g;

function escapeCharacter(character: string): string {
  return '\\u' + character.charCodeAt(0).toString(16).padStart(4, '0');
}

/**
 * Server side: the subprotocol to select when the handshake is not taken from the upgrade, or
 * false for none. Never a `volley-h.` entry (it would echo the payload in the 101 response), nor
 * `volley.1` or `volley.1-answer` (the client would await an answer that is not coming). A
 * client that offered the upgrade handshake offered {@link UPGRADE_DECLINED_SUBPROTOCOL}; older
 * ones did not, and with none selected a `ws` client fails at once ("Server sent no subprotocol")
 * rather than leak its payload. Any other offer (an application's own subprotocol) is selected
 * as ws would: the first.
 */
export function declineUpgradeHandshake(protocols: Iterable<string>): string | false {
  let other: string | undefined;
  for (const protocol of protocols) {
    if (protocol === UPGRADE_DECLINED_SUBPROTOCOL) return protocol;
    if (other === undefined && !protocol.startsWith(UPGRADE_HANDSHAKE_PREFIX) && protocol !== SUBPROTOCOL && protocol !== UPGRADE_ANSWER_SUBPROTOCOL && !readSelectedProtocol(protocol).binary) {
      other = protocol;
    }
  }
  return other ?? false;
}

/**
 * Server side: the handshake payload an offered subprotocol carries (`{ payload: undefined }`
 * for none), parsed like a received frame's, or undefined when `protocol` is not an upgrade
 * handshake or is malformed (bad base64url, bad UTF-8, bad JSON), in which case the server must
 * not select `volley.1` and the client falls back to the frame.
 */
export function decodeUpgradeHandshake(protocol: string): { payload: unknown } | undefined {
  if (!protocol.startsWith(UPGRADE_HANDSHAKE_PREFIX) || protocol.length > UPGRADE_HANDSHAKE_MAX_LENGTH) return undefined;
  if (protocol.length === UPGRADE_HANDSHAKE_PREFIX.length) return NO_PAYLOAD;
  const json = fromBase64Url(protocol.slice(UPGRADE_HANDSHAKE_PREFIX.length));
  if (json === undefined) return undefined;
  const parsed = parsePeerJson(json);
  return parsed === NOT_JSON ? undefined : { payload: parsed };
}

// Marked pure, as is `decoder` below: only the server's decoding uses them, and a browser bundle
// drops them only when told that creating them has no side effect.
const NO_PAYLOAD: { payload: unknown } = /* @__PURE__ */ Object.freeze({ payload: undefined });

// btoa/atob and TextEncoder/TextDecoder exist in browsers and in Node ≥ 16: no Buffer here, the
// client loads this module in browsers.

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let index = 0; index < bytes.length; index++) binary += String.fromCharCode(bytes[index]!);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const decoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });

function fromBase64Url(encoded: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(encoded)) return undefined;
  try {
    const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = new Uint8Array(binary.length);
    for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
