import { decodeFrame, type DecodeResult, ErrorCode, isFrame } from '@volley/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyText, decodeBoth, deepFrame, hugeNumber, mutatedFrame } from './frame-arbitraries.js';

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
