/**
 * Bytes inside payloads (docs/protocol.md, "Binary values"). JSON has no byte type, so a byte
 * array (`Uint8Array`, hence `Buffer`) anywhere in a payload is written as an object whose only
 * key is `"\u0000b"` (a NUL then `b`: no JSON an application writes has it) and whose value is the
 * bytes in base64: `{"\u0000b":"aGk="}`. It is plain JSON, so a peer that does not know it (a
 * line-socket peer) reads an object and keeps working. A Volley peer turns it back into a
 * `Uint8Array` only on a connection where both sides negotiated the `+b` extension.
 */

/** The key of a byte-array object. */
export const BYTES_KEY = '\u0000b';

/** How the key looks in JSON text: a cheap test of whether a text may hold bytes at all. */
export const BYTES_MARKER = '"\\u0000b"';

/** How deep the walk for bytes looks; JSON nested deeper is refused by the peers' limits anyway. */
const MAX_DEPTH = 64;

/** How many entries the walk for bytes may still look at. */
let scanBudget = 0;

/** True when `value` holds a byte array (`ArrayBuffer.isView`: typed arrays, Buffers, DataViews) at any depth. */
export function containsBytes(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  scanBudget = Infinity;
  return scanned(value, 0) === true;
}

/**
 * `JSON.stringify` with every byte array written as a `{"\u0000b": base64}` object. Throws what
 * `JSON.stringify` throws (cycles, BigInt).
 *
 * The common payload holds no bytes and must not pay much for looking: a small value is walked
 * at once (a few dozen values: cheaper than any look at the text); a bigger one is stringified as
 * usual and walked only when the text shows what byte arrays turn into under plain JSON (`{"0":…`
 * for a typed array, `"type":"Buffer"` for a Buffer, `{}` for an empty one).
 */
export function stringifyWithBytes(value: unknown): string | undefined {
  let holds = quickScan(value);
  if (holds === undefined) {
    const json = JSON.stringify(value);
    if (json === undefined || !mayHoldBytes(json)) return json;
    holds = containsBytes(value);
    if (!holds) return json;
  }
  if (!holds) return JSON.stringify(value);
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, replaced: unknown) {
    // The holder's own value, before toJSON (a Buffer's toJSON would hide that it is bytes).
    const original = this[key];
    if (ArrayBuffer.isView(original)) return { [BYTES_KEY]: toBase64(new Uint8Array(original.buffer, original.byteOffset, original.byteLength)) };
    return replaced;
  });
}

/** `JSON.parse` with every `{"\u0000b": base64}` object turned into a `Uint8Array` (for stored JSON). Throws what `JSON.parse` throws. */
export function parseWithBytes(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return text.includes(BYTES_MARKER) ? reviveBytes(value) : value;
}

/** Whether a small value holds bytes: true or false, or undefined once it has looked at 48 entries. */
function quickScan(value: unknown): boolean | undefined {
  if (value === null || typeof value !== 'object') return false;
  scanBudget = 48;
  return scanned(value, 0);
}

/** The walk of both: true (bytes found), false (none), undefined (the budget ran out first). */
function scanned(value: object, depth: number): boolean | undefined {
  if (ArrayBuffer.isView(value)) return true;
  if (depth >= MAX_DEPTH) return false;
  // No array of the entries: this runs for every object payload sent.
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = scannedEntry(value[index], depth);
      if (found !== false) return found;
    }
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const found = scannedEntry(record[key], depth);
    if (found !== false) return found;
  }
  return false;
}

function scannedEntry(item: unknown, depth: number): boolean | undefined {
  if (--scanBudget < 0) return undefined;
  return item !== null && typeof item === 'object' ? scanned(item, depth + 1) : false;
}

/** True when some object of the text opens as byte arrays do under plain JSON: `{"0":`, `{}`, `{"type":"Buffer"`. */
function mayHoldBytes(json: string): boolean {
  for (let at = json.indexOf('{'); at >= 0; at = json.indexOf('{', at + 1)) {
    const next = json.charCodeAt(at + 1);
    if (next === 125 /* } */) return true;
    if (next === 34 /* " */ && (json.startsWith('0":', at + 2) || json.startsWith('type":"Buffer"', at + 2))) return true;
  }
  return false;
}

/** Turns every `{"\u0000b": base64}` object of a parsed value back into a `Uint8Array`; returns the value. */
export function reviveBytes(value: unknown): unknown {
  const revived = asBytes(value);
  if (revived !== undefined) return revived;
  // An explicit stack: a hostile frame may nest deeper than the call stack allows.
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const holder = stack.pop();
    if (holder === null || typeof holder !== 'object' || ArrayBuffer.isView(holder)) continue;
    const record = holder as Record<string, unknown>;
    for (const key in record) {
      const item = record[key];
      if (item === null || typeof item !== 'object') continue;
      const bytes = asBytes(item);
      if (bytes !== undefined) record[key] = bytes;
      else stack.push(item);
    }
  }
  return value;
}

/** The bytes a `{"\u0000b": base64}` object stands for; undefined for anything else (not valid base64 included). */
function asBytes(value: unknown): Uint8Array | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const encoded = (value as Record<string, unknown>)[BYTES_KEY];
  if (typeof encoded !== 'string') return undefined;
  for (const key in value) if (key !== BYTES_KEY) return undefined;
  return fromBase64(encoded);
}

// Node's Buffer where there is one (fast, native); btoa/atob in browsers. Looked up, not imported:
// this module is loaded by browsers too.
interface BufferLike {
  from(bytes: Uint8Array): { toString(encoding: 'base64'): string };
  from(text: string, encoding: 'base64'): Uint8Array;
}
const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function toBase64(bytes: Uint8Array): string {
  if (NodeBuffer !== undefined) return NodeBuffer.from(bytes).toString('base64');
  let binary = '';
  // In chunks: String.fromCharCode takes its arguments on the stack.
  for (let index = 0; index < bytes.length; index += 0x8000) binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  return btoa(binary);
}

function fromBase64(encoded: string): Uint8Array | undefined {
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) return undefined;
  if (NodeBuffer !== undefined) {
    const buffer = NodeBuffer.from(encoded, 'base64');
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }
  const binary = atob(encoded);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}
