import { BYTES_KEY, decodeFrame, encodeMessage, parseWithBytes, reviveBytes, stringifyWithBytes } from '@volley/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/*
 * Byte arrays inside payloads (docs/protocol.md, "Binary values"): written as {"\u0000b": base64}
 * objects, read back as Uint8Arrays where the extension was agreed; everything else is JSON as
 * it was.
 */

/**
 * JSON values as JSON gives them back: no -0 (written as 0), and no prototype keys (stripped on
 * purpose, prototype-safety.test.ts). fast-check generates both, rarely: a seed that hit one made
 * the round trip below fail now and then.
 */
const json = fc
  .jsonValue({ maxDepth: 2 })
  .filter((value) => !/__proto__|"constructor"/.test(JSON.stringify(value)))
  .map((value) => JSON.parse(JSON.stringify(value)) as unknown);

/** JSON values with Uint8Arrays anywhere in them. */
const withBytes = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    json,
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }).filter((key) => key !== '__proto__' && key !== 'constructor'), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('byte arrays in payloads', () => {
  it('round-trip: stringifyWithBytes then parseWithBytes gives the value back, bytes as Uint8Arrays', () => {
    fc.assert(
      fc.property(withBytes, (value) => {
        expect(parseWithBytes(stringifyWithBytes(value)!)).toEqual(value);
      }),
    );
  });

  it('leaves JSON without bytes exactly as JSON.stringify writes it, objects that look like typed arrays included', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(stringifyWithBytes(value)).toBe(JSON.stringify(value));
      }),
    );
    for (const value of [{ 0: 'a' }, { type: 'Buffer', data: [1] }, {}, [{}], { a: {} }]) expect(stringifyWithBytes(value)).toBe(JSON.stringify(value));
  });

  it('writes Uint8Arrays, Buffers, other typed arrays and empty ones as their bytes in base64', () => {
    expect(stringifyWithBytes({ u: new Uint8Array([104, 105]) })).toBe('{"u":{"\\u0000b":"aGk="}}');
    expect(stringifyWithBytes([Buffer.from('hi')])).toBe('[{"\\u0000b":"aGk="}]');
    expect(stringifyWithBytes(new Uint16Array([0x6968]))).toBe('{"\\u0000b":"aGk="}');
    expect(stringifyWithBytes({ empty: new Uint8Array(0) })).toBe('{"empty":{"\\u0000b":""}}');
    // A view of part of a buffer is those bytes only.
    expect(stringifyWithBytes(new Uint8Array([0, 104, 105, 0]).subarray(1, 3))).toBe('{"\\u0000b":"aGk="}');
    expect(parseWithBytes('{"a":{"\\u0000b":""}}')).toEqual({ a: new Uint8Array(0) });
  });

  it('finds bytes in big payloads too (past the quick walk of the first 48 entries), and leaves big payloads without bytes as they are', () => {
    const numbers = Array.from({ length: 200 }, (_, index) => index);
    expect(stringifyWithBytes([...numbers, new Uint8Array([1])])).toBe(`${JSON.stringify(numbers).slice(0, -1)},{"\\u0000b":"AQ=="}]`);
    expect(stringifyWithBytes({ rows: numbers.map((n) => ({ n, empty: {} })), file: Buffer.from([2]) })).toContain('"file":{"\\u0000b":"Ag=="}');
    const plain = { rows: numbers.map((n) => ({ n, empty: {}, 0: 'zero' })) };
    expect(stringifyWithBytes(plain)).toBe(JSON.stringify(plain));
  });

  it('revives only objects whose one key is the marker with valid base64; anything else stays as it is', () => {
    expect(reviveBytes({ [BYTES_KEY]: 'aGk=', other: 1 })).toEqual({ [BYTES_KEY]: 'aGk=', other: 1 });
    expect(reviveBytes({ [BYTES_KEY]: 'not base64!' })).toEqual({ [BYTES_KEY]: 'not base64!' });
    expect(reviveBytes({ [BYTES_KEY]: 42 })).toEqual({ [BYTES_KEY]: 42 });
    expect(reviveBytes([{ [BYTES_KEY]: 'aGk=' }])).toEqual([new Uint8Array([104, 105])]);
  });

  it('revives at any depth without using the call stack (a hostile frame may nest deeply)', () => {
    let text = '{"\\u0000b":"aGk="}';
    for (let depth = 0; depth < 20_000; depth++) text = `[${text}]`;
    let value = parseWithBytes(text);
    for (let depth = 0; depth < 20_000; depth++) value = (value as unknown[])[0];
    expect(value).toEqual(new Uint8Array([104, 105]));
  });

  it('goes through the codec: a message with bytes encodes to the marker, and a frame decodes to it (reviving is the session\'s)', () => {
    const frame = encodeMessage('file', { name: 'a', data: new Uint8Array([1, 2, 3]) }, '7');
    expect(frame).toBe('{"n":"file","p":{"name":"a","data":{"\\u0000b":"AQID"}},"i":"7"}');
    const decoded = decodeFrame(frame);
    expect(decoded.ok && decoded.frame.p).toEqual({ name: 'a', data: { [BYTES_KEY]: 'AQID' } });
  });
});
