import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBroadcast, encodeBroadcast } from '../../src/broadcast-envelope.js';

describe('the broadcast envelope', () => {
  it('carries origin, room, except, except room and the frame bytes, all but origin optional', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.option(fc.string(), { nil: undefined }),
        fc.option(fc.string(), { nil: undefined }),
        fc.option(fc.string(), { nil: undefined }),
        fc.uint8Array(),
        (origin, room, except, exceptRoom, frame) => {
          const decoded = decodeBroadcast(encodeBroadcast(origin, frame, { room, except, exceptRoom }));
          expect(decoded).toBeDefined();
          expect(decoded!.origin).toBe(origin);
          expect(decoded!.target).toEqual({ room, except, exceptRoom });
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
    expect(decodeBroadcast(Buffer.concat([Buffer.from([3]), message.subarray(1)]))).toBeUndefined();
    for (let length = 0; length < message.length - 1; length++) {
      const truncated = decodeBroadcast(message.subarray(0, length));
      // A cut inside the frame itself still decodes (the frame is what is left); inside the header it never does.
      if (truncated !== undefined) expect(truncated.frame.length).toBeLessThan(1);
    }
    const noOrigin = Buffer.from([1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 120]);
    expect(decodeBroadcast(noOrigin)).toBeUndefined();
  });

  it('reads a version 1 envelope (no except room) from a node of the previous version', () => {
    const frame = Buffer.from('{"n":"news"}');
    const fields = ['node-0', 'lobby', 'c1'].map((text) => Buffer.from(text));
    const v1 = Buffer.concat([Buffer.from([1]), ...fields.flatMap((field) => [Buffer.from([0, field.length]), field]), frame]);
    const decoded = decodeBroadcast(v1)!;
    expect(decoded.origin).toBe('node-0');
    expect(decoded.target).toEqual({ room: 'lobby', except: 'c1', exceptRoom: undefined });
    expect(decoded.frame.equals(frame)).toBe(true);
  });

  it('refuses names of 64 KiB or more rather than corrupting the header', () => {
    expect(() => encodeBroadcast('node', 'x', { room: 'r'.repeat(0xffff) })).toThrow(RangeError);
  });
});
