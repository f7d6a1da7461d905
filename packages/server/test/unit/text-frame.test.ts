import { describe, expect, it } from 'vitest';
import { sharedTextFrame, textFrame } from '../../src/text-frame.js';

/** Reads one unmasked frame: its first byte, its length field's size, and its payload. */
function parse(frame: Buffer): { first: number; masked: boolean; head: number; payload: Buffer } {
  const short = frame[1]! & 0x7f;
  const head = short < 126 ? 2 : short === 126 ? 4 : 10;
  const length = short < 126 ? short : short === 126 ? frame.readUInt16BE(2) : Number(frame.readBigUInt64BE(2));
  expect(frame.length).toBe(head + length);
  return { first: frame[0]!, masked: (frame[1]! & 0x80) !== 0, head, payload: frame.subarray(head) };
}

describe('textFrame (server frames, RFC 6455)', () => {
  it.each([
    [0, 2],
    [125, 2],
    [126, 4],
    [65_535, 4],
    [65_536, 10],
    [200_000, 10],
  ])('a payload of %i bytes gets the shortest length form (%i header bytes), FIN, opcode 1, no mask', (size, head) => {
    const text = 'x'.repeat(size);
    const frame = parse(textFrame(text));
    expect(frame).toMatchObject({ first: 0x81, masked: false, head });
    expect(frame.payload.toString()).toBe(text);
  });

  it('counts UTF-8 bytes, not characters, and encodes lone surrogates as U+FFFD like Buffer.from', () => {
    const text = `${'é'.repeat(63)}✓😀\ud800`;
    const frame = parse(textFrame(text));
    expect(frame.payload.equals(Buffer.from(text))).toBe(true);
    expect(frame.head).toBe(4);
  });

  it('frames bytes as they are, and frames a broadcast once for all its members', () => {
    const bytes = Buffer.from('{"n":"b","p":1}');
    const first = sharedTextFrame(bytes);
    expect(parse(first).payload.equals(bytes)).toBe(true);
    expect(sharedTextFrame(bytes)).toBe(first);
    const other = Buffer.from('{"n":"b","p":2}');
    expect(parse(sharedTextFrame(other)).payload.equals(other)).toBe(true);
  });
});
