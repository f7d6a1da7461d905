import { describe, expect, it } from 'vitest';
import { MAX_MASKED_TEXT, maskedTextFrame } from '../../src/masked-frame.js';

/** Reads one masked frame: its header fields and its unmasked payload. */
function parse(frame: Uint8Array): { first: number; masked: boolean; head: number; mask: Buffer; payload: Buffer } {
  const bytes = Buffer.from(frame);
  const short = bytes[1]! & 0x7f;
  const lengthBytes = short < 126 ? 0 : short === 126 ? 2 : 8;
  const length = short < 126 ? short : short === 126 ? bytes.readUInt16BE(2) : Number(bytes.readBigUInt64BE(2));
  const head = 2 + lengthBytes + 4;
  expect(bytes.length).toBe(head + length);
  const mask = bytes.subarray(2 + lengthBytes, head);
  const payload = Buffer.from(bytes.subarray(head).map((byte, index) => byte ^ mask[index % 4]!));
  return { first: bytes[0]!, masked: (bytes[1]! & 0x80) !== 0, head, mask, payload };
}

describe('maskedTextFrame (client frames, RFC 6455)', () => {
  it.each([
    ['empty', '', 6],
    ['125 bytes', 'x'.repeat(125), 6],
    ['126 bytes', 'x'.repeat(126), 8],
    ['126 bytes of 63 two-byte characters', 'é'.repeat(63), 8],
    ['MAX_MASKED_TEXT ASCII characters', 'x'.repeat(MAX_MASKED_TEXT), 8],
    ['MAX_MASKED_TEXT three-byte characters (49,152 bytes)', '✓'.repeat(MAX_MASKED_TEXT), 8],
  ])('%s: masked, FIN, opcode 1, the shortest length form (%#), the same UTF-8 bytes', (_label, text, head) => {
    const frame = parse(maskedTextFrame(text));
    expect(frame.first).toBe(0x81);
    expect(frame.masked).toBe(true);
    expect(frame.payload.equals(Buffer.from(text))).toBe(true);
    expect(frame.head).toBe(head);
  });

  it('uses a fresh mask for each frame, and frames past the end of a slab stay intact', () => {
    const texts = Array.from({ length: 200 }, (_, index) => `{"n":"echo","p":"${'y'.repeat(index * 7)}","i":"${index}"}`);
    const frames = texts.map((text) => maskedTextFrame(text));
    // More than one 64 KiB slab was used: earlier views must not have been overwritten.
    expect(frames.reduce((sum, frame) => sum + frame.length, 0)).toBeGreaterThan(64 * 1024);
    const parsed = frames.map(parse);
    expect(parsed.map((frame) => frame.payload.toString())).toEqual(texts);
    expect(new Set(parsed.map((frame) => frame.mask.toString('hex'))).size).toBeGreaterThan(190);
  });
});
