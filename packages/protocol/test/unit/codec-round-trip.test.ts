import {
  decodeFrame,
  encodeError,
  encodeHandshake,
  encodeMessage,
  encodePing,
  encodePong,
  encodeResult,
  ErrorCode,
  type Frame,
  isFrame,
  salvageId,
  VolleyError,
} from '@volley/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyText, decodeBoth, mutatedFrame, safePayload, validators, validFrame, validId } from './frame-arbitraries.js';

/* Encoding and decoding round-trip under fuzzed names, ids, payloads and errors (see frame-arbitraries.ts). */

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
          expect(envelope(decoded.frame)).toStrictEqual(envelope(reference.frame as unknown as Frame));
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
    else expect(decoded.ok && envelope(decoded.frame)).toStrictEqual(envelope(reference.frame as unknown as Frame));
  });
});
