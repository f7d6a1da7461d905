import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBroadcast, encodeBroadcast } from '../../src/broadcast-envelope.js';

describe('the broadcast envelope', () => {
  it('carries origin, room, except and the frame bytes, room and except optional', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.option(fc.string(), { nil: undefined }),
        fc.option(fc.string(), { nil: undefined }),
        fc.uint8Array(),
        (origin, room, except, frame) => {
          const decoded = decodeBroadcast(encodeBroadcast(origin, frame, { room, except }));
          expect(decoded).toBeDefined();
          expect(decoded!.origin).toBe(origin);
          expect(decoded!.target).toEqual({ room, except });
          expect(Buffer.from(decoded!.frame).equals(Buffer.from(frame))).toBe(true);
        },
      ),
    );
  });

  it('takes a frame given as text as its UTF-8 bytes, and hands back a view, not a copy', () => {
    const message = encodeBroadcast('node-1', '{"n":"ü"}', { room: 'lobby' });
    const decoded = decodeBroadcast(message)!;
    expect(decoded.frame.toString()).toBe('{"n":"ü"}');
    expect(decoded.frame.buffer).toBe(message.buffer);
  });

  it('refuses what is not an envelope: another version, a truncated header, no origin', () => {
    const message = encodeBroadcast('node-1', 'x', { room: 'r', except: 'c' });
    expect(decodeBroadcast(Buffer.concat([Buffer.from([2]), message.subarray(1)]))).toBeUndefined();
    for (let length = 0; length < message.length - 1; length++) {
      const truncated = decodeBroadcast(message.subarray(0, length));
      // A cut inside the frame itself still decodes (the frame is what is left); inside the header it never does.
      if (truncated !== undefined) expect(truncated.frame.length).toBeLessThan(1);
    }
    const noOrigin = Buffer.from([1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 120]);
    expect(decodeBroadcast(noOrigin)).toBeUndefined();
  });

  it('refuses names of 64 KiB or more rather than corrupting the header', () => {
    expect(() => encodeBroadcast('node', 'x', { room: 'r'.repeat(0xffff) })).toThrow(RangeError);
  });
});
