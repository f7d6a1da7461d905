import {
  decodeFrame,
  type DecodeResult,
  encodeError,
  encodeHandshake,
  encodeMessage,
  encodePing,
  encodePong,
  encodeResult,
  ErrorCode,
  type FrameValidator,
  isFrame,
  isValidId,
  VolleyError,
} from '@volley/protocol';
import { createFrameValidator } from '@volley/protocol/validation';
import fc from 'fast-check';
import { expect, it } from 'vitest';
/*
 * Fuzzing of decodeFrame (issue 5): arbitrary text, arbitrary JSON and mutations of valid frames
 * must come back as a frame or as INVALID_JSON / INVALID_FRAME, never as a throw, and an id
 * salvaged for the error answer must itself be a valid id. Both validators are fuzzed: isFrame
 * (browsers) and ajv (the server), and they must agree on every input.
 */

export const validators: [string, FrameValidator][] = [
  ['isFrame', isFrame],
  ['ajv', createFrameValidator()],
];

/** Runs decodeFrame with a validator, failing with the input when it throws. */
export function decodeChecked(text: string, validate: FrameValidator): DecodeResult {
  let decoded: DecodeResult;
  try {
    decoded = decodeFrame(text, validate);
  } catch (thrown) {
    throw new Error(`decodeFrame threw for ${JSON.stringify(text.slice(0, 200))}: ${String(thrown)}`);
  }
  checkResult(text, decoded);
  return decoded;
}

/** What every result must satisfy, whatever the input. */
export function checkResult(text: string, decoded: DecodeResult): void {
  if (decoded.ok) {
    // An accepted frame is a frame, with `e: null` normalised away.
    expect(isFrame(decoded.frame)).toBe(true);
    expect(decoded.frame.e).not.toBeNull();
    return;
  }
  expect(decoded.error).toBeInstanceOf(VolleyError);
  expect([ErrorCode.INVALID_JSON, ErrorCode.INVALID_FRAME]).toContain(decoded.error.code);
  if (decoded.error.code === ErrorCode.INVALID_JSON) {
    expect(decoded.id).toBeUndefined();
    expect(decoded.name).toBeUndefined();
    return;
  }
  if (decoded.id !== undefined) {
    expect(isValidId(decoded.id)).toBe(true);
    // The salvaged id is the frame's own `i`, not something made up.
    expect(decoded.id).toBe((JSON.parse(text) as { i?: unknown }).i);
  }
  if (decoded.name !== undefined) expect(typeof decoded.name).toBe('string');
  // The error names the input, truncated: a huge frame must not make a huge error.
  expect(String((decoded.error.payload as string | undefined) ?? '').length).toBeLessThanOrEqual(256);
}

/** Decodes with both validators, checks each result, and checks that they agree. */
export function decodeBoth(text: string): DecodeResult {
  const [first, second] = validators.map(([, validate]) => decodeChecked(text, validate)) as [DecodeResult, DecodeResult];
  expect(second.ok).toBe(first.ok);
  if (!first.ok && !second.ok) {
    expect(second.error.code).toBe(first.error.code);
    expect(second.id).toBe(first.id);
    expect(second.name).toBe(first.name);
  }
  return first;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

export const hugeNumber = fc.constantFrom(
  '1e308',
  '1e309',
  '-1e309',
  '9007199254740993',
  '123456789012345678901234567890123456789012345678901234567890',
  '-0',
  '0.000000000000000000000000000001',
  '1E+400',
  '4.9e-324',
);

/** JSON text of a value of any type, including numbers JSON.parse turns into Infinity or rounds. */
export const anyValueJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  hugeNumber,
  fc.constantFrom('null', 'true', 'false', '""', '[]', '{}', '"_r"', '"_h"', '"_p"', '"__proto__"', '{"__proto__":{"x":1}}', '"\\u0000"', '"\\ud800"'),
  fc.string({ unit: 'binary', maxLength: 80 }).map((value) => JSON.stringify(value)),
);

export const validId = fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }));
export const appName = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter((name) => name.charCodeAt(0) !== 95);
// Prototype keys are stripped by design (prototype-safety.test.ts), so they cannot round-trip.
export const safePayload = fc.jsonValue({ maxDepth: 4 }).filter((value) => !/__proto__|"constructor"/.test(JSON.stringify(value)));

/** A valid frame, as each encoder writes it. */
export const validFrame = fc.oneof(
  fc.tuple(appName, fc.option(safePayload, { nil: undefined }), fc.option(validId, { nil: undefined })).map(([name, payload, id]) => encodeMessage(name, payload, id)),
  fc.tuple(validId, fc.option(safePayload, { nil: undefined })).map(([id, payload]) => encodeResult(id, payload)),
  fc.tuple(validId, fc.oneof(fc.string(), fc.record({ message: fc.string(), code: fc.string() }))).map(([id, reason]) => encodeError(id, reason)),
  fc.tuple(validId, fc.option(safePayload, { nil: undefined })).map(([id, payload]) => encodeHandshake(id, payload)),
  validId.map(encodePing),
  validId.map(encodePong),
);

export const envelopeKey = fc.constantFrom('n', 'p', 'i', 'e');

/** Replaces the value of one envelope key with JSON of another type, at the text level. */
export function swapValue(text: string, key: string, replacement: string): string {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return text;
  }
  // Rebuilt by hand so that the replacement text (Infinity-producing numbers, lone surrogates)
  // reaches the decoder exactly as generated.
  const parts = Object.keys(value)
    .filter((name) => name !== key)
    .map((name) => `${JSON.stringify(name)}:${JSON.stringify(value[name])}`);
  parts.splice(Math.min(parts.length, 1), 0, `${JSON.stringify(key)}:${replacement}`);
  return `{${parts.join(',')}}`;
}

/** One mutation of a valid frame's text. */
export const mutation: fc.Arbitrary<(text: string) => string> = fc.oneof(
  // Truncation.
  fc.nat().map((cut) => (text: string) => text.slice(0, cut % (text.length + 1))),
  // A UTF-16 unit replaced, possibly by a lone surrogate or a structural character.
  fc
    .tuple(fc.nat(), fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0x22, 0x5c, 0x7b, 0x7d, 0x3a, 0x2c, 0x5b, 0x5d, 0)))
    .map(([at, code]) => (text: string) => {
      const index = at % Math.max(1, text.length);
      return text.slice(0, index) + String.fromCharCode(code) + text.slice(index + 1);
    }),
  // A bit flipped in one UTF-16 unit.
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 15 })).map(([at, bit]) => (text: string) => {
    if (text.length === 0) return text;
    const index = at % text.length;
    return text.slice(0, index) + String.fromCharCode(text.charCodeAt(index) ^ (1 << bit)) + text.slice(index + 1);
  }),
  // Two envelope keys swapped (`"n"` becomes `"i"` and the other way round).
  fc.tuple(envelopeKey, envelopeKey).map(([a, b]) => (text: string) =>
    text.replace(new RegExp(`"(${a}|${b})":`, 'g'), (_match, key: string) => `"${key === a ? b : a}":`),
  ),
  // An envelope key given a value of another type, or a huge number.
  fc.tuple(envelopeKey, anyValueJson).map(([key, json]) => (text: string) => swapValue(text, key, json)),
  // A key duplicated with another value: JSON.parse keeps the last one.
  fc.tuple(envelopeKey, anyValueJson).map(([key, json]) => (text: string) => (text.endsWith('}') ? `${text.slice(0, -1)},"${key}":${json}}` : text)),
  // Wrapped in an array or in another object.
  fc.constantFrom(
    (text: string) => `[${text}]`,
    (text: string) => `{"n":${text}}`,
    (text: string) => `${text}${text}`,
    (text: string) => ` \n\t${text}\r\n`,
  ),
);

export const mutatedFrame = fc.tuple(validFrame, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([text, steps]) => steps.reduce((acc, step) => step(acc), text));

/** A frame whose payload (or id, or error) is nested `depth` levels deep. */
export const deepFrame = fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('p', 'i', 'e', 'n'), fc.constantFrom('[', '{"a":'), fc.boolean(), fc.boolean()).map(
  ([depth, key, open, closed, proto]) => {
    const close = open === '[' ? ']' : '}';
    const inner = proto ? '{"__proto__":{"polluted":true}}' : '1';
    const nested = open.repeat(depth) + inner + (closed ? close.repeat(depth) : '');
    return `{"n":"echo","i":"deep",${JSON.stringify(key)}:${nested}}`.replace('"n":"echo",', key === 'n' ? '' : '"n":"echo",');
  },
);

export const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  mutatedFrame,
);

// ---------------------------------------------------------------------------------------------

