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
  type Frame,
  type FrameValidator,
  isFrame,
  isValidId,
  salvageId,
  VolleyError,
} from '@volley/protocol';
import { createFrameValidator } from '@volley/protocol/validation';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/*
 * Fuzzing of decodeFrame (issue 5): arbitrary text, arbitrary JSON and mutations of valid frames
 * must come back as a frame or as INVALID_JSON / INVALID_FRAME, never as a throw, and an id
 * salvaged for the error answer must itself be a valid id. Both validators are fuzzed: isFrame
 * (browsers) and ajv (the server), and they must agree on every input.
 */

const validators: [string, FrameValidator][] = [
  ['isFrame', isFrame],
  ['ajv', createFrameValidator()],
];

/** Runs decodeFrame with a validator, failing with the input when it throws. */
function decodeChecked(text: string, validate: FrameValidator): DecodeResult {
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
function checkResult(text: string, decoded: DecodeResult): void {
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
function decodeBoth(text: string): DecodeResult {
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

const hugeNumber = fc.constantFrom(
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
const anyValueJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  hugeNumber,
  fc.constantFrom('null', 'true', 'false', '""', '[]', '{}', '"_r"', '"_h"', '"_p"', '"__proto__"', '{"__proto__":{"x":1}}', '"\\u0000"', '"\\ud800"'),
  fc.string({ unit: 'binary', maxLength: 80 }).map((value) => JSON.stringify(value)),
);

const validId = fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }));
const appName = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter((name) => name.charCodeAt(0) !== 95);
// Prototype keys are stripped by design (prototype-safety.test.ts), so they cannot round-trip.
const safePayload = fc.jsonValue({ maxDepth: 4 }).filter((value) => !/__proto__|"constructor"/.test(JSON.stringify(value)));

/** A valid frame, as each encoder writes it. */
const validFrame = fc.oneof(
  fc.tuple(appName, fc.option(safePayload, { nil: undefined }), fc.option(validId, { nil: undefined })).map(([name, payload, id]) => encodeMessage(name, payload, id)),
  fc.tuple(validId, fc.option(safePayload, { nil: undefined })).map(([id, payload]) => encodeResult(id, payload)),
  fc.tuple(validId, fc.oneof(fc.string(), fc.record({ message: fc.string(), code: fc.string() }))).map(([id, reason]) => encodeError(id, reason)),
  fc.tuple(validId, fc.option(safePayload, { nil: undefined })).map(([id, payload]) => encodeHandshake(id, payload)),
  validId.map(encodePing),
  validId.map(encodePong),
);

const envelopeKey = fc.constantFrom('n', 'p', 'i', 'e');

/** Replaces the value of one envelope key with JSON of another type, at the text level. */
function swapValue(text: string, key: string, replacement: string): string {
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
const mutation: fc.Arbitrary<(text: string) => string> = fc.oneof(
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

const mutatedFrame = fc.tuple(validFrame, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([text, steps]) => steps.reduce((acc, step) => step(acc), text));

/** A frame whose payload (or id, or error) is nested `depth` levels deep. */
const deepFrame = fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('p', 'i', 'e', 'n'), fc.constantFrom('[', '{"a":'), fc.boolean(), fc.boolean()).map(
  ([depth, key, open, closed, proto]) => {
    const close = open === '[' ? ']' : '}';
    const inner = proto ? '{"__proto__":{"polluted":true}}' : '1';
    const nested = open.repeat(depth) + inner + (closed ? close.repeat(depth) : '');
    return `{"n":"echo","i":"deep",${JSON.stringify(key)}:${nested}}`.replace('"n":"echo",', key === 'n' ? '' : '"n":"echo",');
  },
);

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  mutatedFrame,
);

// ---------------------------------------------------------------------------------------------

describe('decodeFrame fuzzing', () => {
  it('never throws on arbitrary binary and grapheme strings, and only reports INVALID_JSON or INVALID_FRAME', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), (text) => {
        decodeBoth(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on arbitrary JSON, and accepts exactly the objects with a usable envelope', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const decoded = decodeBoth(JSON.stringify(value));
        expect(decoded.ok).toBe(isFrame(value));
        if (!decoded.ok) expect(decoded.error.code).toBe(ErrorCode.INVALID_FRAME);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on mutated valid frames (truncation, flipped units, swapped keys, swapped types, huge numbers)', () => {
    let accepted = 0;
    let salvaged = 0;
    fc.assert(
      fc.property(mutatedFrame, (text) => {
        const decoded = decodeBoth(text);
        if (decoded.ok) accepted += 1;
        else if (decoded.id !== undefined) salvaged += 1;
      }),
      { numRuns: 2000 },
    );
    // The mutations must reach all three outcomes, or the fuzz tests less than it claims.
    expect(accepted).toBeGreaterThan(0);
    expect(salvaged).toBeGreaterThan(0);
    expect(2000 - accepted - salvaged).toBeGreaterThan(0);
  });

  it('refuses numbers, huge or not, as ids and answers nobody', () => {
    fc.assert(
      fc.property(fc.oneof(hugeNumber, fc.double().map((value) => String(value)), fc.bigInt().map((value) => value.toString())), (number) => {
        const text = `{"n":"echo","i":${number}}`;
        const decoded = decodeBoth(text);
        // NaN and Infinity are not JSON: INVALID_JSON, checked by decodeBoth.
        expect(decoded.ok).toBe(false);
        if (!decoded.ok) expect(decoded.id).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on deep nesting in any envelope key, closed or not, with or without prototype keys', () => {
    fc.assert(
      fc.property(deepFrame, (text) => {
        const decoded = decodeBoth(text);
        if (decoded.ok) expect(Object.prototype).not.toHaveProperty('polluted');
      }),
      { numRuns: 60 },
    );
  });

  it('handles huge strings: names, ids and payloads of 1 MB', () => {
    const big = 'x'.repeat(1 << 20);
    const cases = [
      `{"n":"${big}"}`,
      `{"n":"echo","i":"${big}"}`,
      `{"n":"echo","p":"${big}","i":"1"}`,
      `{"n":"echo","p":"${big}`,
      `"${big}"`,
      `${'\\u0041'.repeat(1 << 16)}`,
      `{"n":"echo","p":"${'\\u005f'.repeat(1 << 16)}","i":"1"}`,
    ];
    const outcomes = cases.map((text) => {
      const decoded = decodeBoth(text);
      return decoded.ok ? 'ok' : `${decoded.error.code}:${decoded.id ?? '-'}`;
    });
    expect(outcomes).toStrictEqual(['ok', `${ErrorCode.INVALID_FRAME}:-`, 'ok', ErrorCode.INVALID_JSON + ':-', ErrorCode.INVALID_FRAME + ':-', ErrorCode.INVALID_JSON + ':-', 'ok']);
  });

  it('decodes any mix of inputs the same way twice (no hidden state between calls)', () => {
    fc.assert(
      fc.property(fc.array(anyText, { maxLength: 10 }), (texts) => {
        const summary = (decoded: DecodeResult): unknown => (decoded.ok ? JSON.stringify(decoded.frame) : [decoded.error.code, decoded.id, decoded.name]);
        const first = texts.map((text) => summary(decodeBoth(text)));
        const second = [...texts].reverse().map((text) => summary(decodeBoth(text))).reverse();
        expect(second).toStrictEqual(first);
      }),
      { numRuns: 200 },
    );
  });
});

describe('encode → decode round trip (fuzzed)', () => {
  /** The envelope keys of a decoded frame. */
  function envelope(frame: Frame): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of ['n', 'p', 'i', 'e'] as const) if (frame[key] !== undefined) out[key] = frame[key];
    return out;
  }

  /** Re-encodes a decoded frame with the encoder that fits it; undefined when none does. */
  function reencode(frame: Frame): string | undefined {
    if (frame.n === '_r') return frame.i === undefined || frame.e !== undefined ? undefined : encodeResult(frame.i, frame.p);
    if (frame.n === '_h') return frame.i === undefined ? undefined : encodeHandshake(frame.i, frame.p);
    if (frame.n === '_p') return frame.i === undefined || frame.p !== undefined ? undefined : encodePing(frame.i);
    return encodeMessage(frame.n, frame.p, frame.i);
  }

  it('every encoder output decodes to a frame, with both validators', () => {
    fc.assert(
      fc.property(validFrame, (text) => {
        const decoded = decodeBoth(text);
        expect(decoded.ok).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  /** What JSON makes of a value: -0 becomes 0. */
  const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

  it('handshakes, pings and pongs round-trip their ids and payloads', () => {
    fc.assert(
      fc.property(validId, fc.option(safePayload, { nil: undefined }), (id, payload) => {
        const handshake = decodeBoth(encodeHandshake(id, payload));
        const ping = decodeBoth(encodePing(id));
        const pong = decodeBoth(encodePong(id));
        expect(handshake.ok && envelope(handshake.frame)).toStrictEqual(payload === undefined ? { n: '_h', i: id } : { n: '_h', p: viaJson(payload), i: id });
        expect(ping.ok && envelope(ping.frame)).toStrictEqual({ n: '_p', i: id });
        expect(pong.ok && envelope(pong.frame)).toStrictEqual({ n: '_r', i: id, p: 'pong' });
      }),
      { numRuns: 300 },
    );
  });

  it('a VolleyError rejection round-trips its code, message and payload', () => {
    const code = fc.constantFrom(...Object.values(ErrorCode));
    fc.assert(
      fc.property(validId, code, fc.string({ unit: 'grapheme' }), fc.option(safePayload, { nil: undefined }), (id, errorCode, message, payload) => {
        const decoded = decodeBoth(encodeError(id, new VolleyError(errorCode, message, { payload })));
        expect(decoded.ok).toBe(true);
        if (!decoded.ok) return;
        expect(decoded.frame.i).toBe(id);
        expect(decoded.frame.e).toMatchObject({ code: errorCode, message });
        if (payload !== undefined) expect((decoded.frame.e as { payload?: unknown }).payload).toStrictEqual(viaJson(payload));
      }),
      { numRuns: 300 },
    );
  });

  it('re-encoding whatever decodes is a fixed point after one step, even for mutated frames', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const decoded = decodeBoth(text);
        if (!decoded.ok) return;
        const once = reencode(decoded.frame);
        if (once === undefined) return;
        const again = decodeBoth(once);
        expect(again.ok).toBe(true);
        if (!again.ok) return;
        // -0 and keys stripped for prototype safety may change in the first step, never after.
        expect(reencode(again.frame)).toBe(once);
        expect(envelope(again.frame).n).toBe(decoded.frame.n);
        expect(envelope(again.frame).i).toBe(decoded.frame.i);
      }),
      { numRuns: 1000 },
    );
  });

  /**
   * The general reading of a frame, written out independently: JSON.parse, the validator, `e: null`
   * as absent, prototype keys dropped. decodeFrame reads the frames Volley writes by a faster
   * path (the keys matched as text, only the payload parsed); it must agree on every input.
   */
  function referenceDecode(text: string): { ok: boolean; frame?: Record<string, unknown>; code?: string; id?: string } {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false, code: ErrorCode.INVALID_JSON };
    }
    if (!isFrame(value)) return { ok: false, code: ErrorCode.INVALID_FRAME, id: salvageId(value) };
    const frame = value as unknown as Record<string, unknown>;
    if (frame.e === null) frame.e = undefined;
    const stack: unknown[] = [frame];
    while (stack.length > 0) {
      const node = stack.pop();
      if (node === null || typeof node !== 'object') continue;
      const record = node as Record<string, unknown>;
      if (Object.prototype.hasOwnProperty.call(record, '__proto__')) delete record['__proto__'];
      const ctor = Object.prototype.hasOwnProperty.call(record, 'constructor') ? record.constructor : undefined;
      if (ctor !== null && typeof ctor === 'object' && Object.prototype.hasOwnProperty.call(ctor, 'prototype')) delete record['constructor'];
      for (const key in record) stack.push(record[key]);
    }
    return { ok: true, frame };
  }

  /** Texts made of the pieces the canonical reader matches, in any order: near misses of every kind. */
  const canonicalPieces = fc
    .array(
      fc.oneof(
        fc.constantFrom('{"n":"', '"', ',"i":"', ',"p":', ',"e":', '}', '{', '[', ']', ',', ':', '\\', '\\"', 'null', ' ', '"x"', '1', '_r', 'echo', '__proto__', '\u0000', '\u001f', '\t', '"constructor":{"prototype":{}}'),
        validId,
        safePayload.map((value) => JSON.stringify(value)),
      ),
      { maxLength: 12 },
    )
    .map((pieces) => pieces.join(''));

  it('reads the frames Volley writes the way the general reading does, and every near miss too', () => {
    fc.assert(
      fc.property(fc.oneof(validFrame, mutatedFrame, canonicalPieces, canonicalPieces.map((text) => `{"n":"${text}`), anyText), (text) => {
        const decoded = decodeFrame(text);
        const reference = referenceDecode(text);
        expect(decoded.ok).toBe(reference.ok);
        if (decoded.ok) {
          expect(envelope(decoded.frame)).toStrictEqual(envelope(reference.frame as Frame));
        } else {
          expect(decoded.error.code).toBe(reference.code);
          expect(decoded.id).toBe(reference.id);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    ['a request', '{"n":"echo","p":{"a":[1,"x"]},"i":"7"}', { n: 'echo', p: { a: [1, 'x'] }, i: '7' }],
    ['a message', '{"n":"news","p":"hi"}', { n: 'news', p: 'hi' }],
    ['a bare request', '{"n":"tick","i":"8"}', { n: 'tick', i: '8' }],
    ['an answer', '{"n":"_r","i":"9","p":null}', { n: '_r', i: '9', p: null }],
    ['an answer without payload', '{"n":"_r","i":"a"}', { n: '_r', i: 'a' }],
    ['a payload holding the id key', '{"n":"x","p":{"k":1,"i":"z"},"i":"b"}', { n: 'x', p: { k: 1, i: 'z' }, i: 'b' }],
    ['a payload ending like an id, no id', '{"n":"x","p":{"k":1,"i":"z"}}', { n: 'x', p: { k: 1, i: 'z' } }],
    ['a prototype key in the payload', '{"n":"x","p":{"__proto__":{"admin":true},"k":1}}', { n: 'x', p: { k: 1 } }],
  ])('reads %s', (_label, text, frame) => {
    const decoded = decodeFrame(text);
    expect(decoded.ok && envelope(decoded.frame)).toStrictEqual(frame);
  });

  it.each([
    ['an id of 65 characters', `{"n":"_r","i":"${'x'.repeat(65)}","p":1}`, ErrorCode.INVALID_FRAME],
    ['an empty id', '{"n":"x","i":""}', ErrorCode.INVALID_FRAME],
    ['an empty name', '{"n":"","p":1}', ErrorCode.INVALID_FRAME],
    ['a payload cut short', '{"n":"x","p":{"a":1,"i":"2"}', ErrorCode.INVALID_JSON],
    ['a second payload key', '{"n":"_r","i":"1","p":1,"p":2}', undefined],
    ['a raw control character in the name', '{"n":"a\u0001","p":1}', ErrorCode.INVALID_JSON],
    ['a raw control character in the id', '{"n":"_r","i":"\u001f","p":1}', ErrorCode.INVALID_JSON],
    ['a tab in a request id', '{"n":"x","p":1,"i":"a\tb"}', ErrorCode.INVALID_JSON],
  ])('refuses or reads generally %s', (_label, text, code) => {
    const decoded = decodeFrame(text);
    const reference = referenceDecode(text);
    expect(decoded.ok).toBe(reference.ok);
    if (code !== undefined) expect(decoded.ok ? undefined : decoded.error.code).toBe(code);
    else expect(decoded.ok && envelope(decoded.frame)).toStrictEqual(envelope(reference.frame as Frame));
  });
});

