import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeUpgradeHandshake, encodeUpgradeHandshake, UPGRADE_HANDSHAKE_ID, UPGRADE_HANDSHAKE_MAX_LENGTH } from '../../src/index.js';

describe('upgrade handshake entries', () => {
  it('offer the payload as volley-h.<base64url JSON> beside volley.1', () => {
    expect(encodeUpgradeHandshake({ a: 1 })).toEqual([`volley-h.${Buffer.from('{"a":1}').toString('base64url')}`, 'volley.1']);
    expect(encodeUpgradeHandshake(undefined)).toEqual(['volley-h.', 'volley.1']);
  });

  it('decode to the payload they carry', () => {
    const [entry] = encodeUpgradeHandshake({ token: 'ü✓', n: [1, null] })!;
    expect(decodeUpgradeHandshake(entry)).toEqual({ payload: { token: 'ü✓', n: [1, null] } });
    expect(decodeUpgradeHandshake('volley-h.')).toEqual({ payload: undefined });
  });

  it('round-trip any JSON payload to what the _h frame would have carried', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (payload) => {
        const offer = encodeUpgradeHandshake(payload);
        if (offer === undefined) return;
        const decoded = decodeUpgradeHandshake(offer[0])!;
        // The frame the client would otherwise send, decoded as the server decodes frames (both
        // drop `__proto__` keys, which fast-check likes to generate).
        const frame = decodeFrame(`{"n":"_h","i":"${UPGRADE_HANDSHAKE_ID}","p":${JSON.stringify(payload)}}`);
        expect(frame.ok).toBe(true);
        expect(decoded).toEqual({ payload: frame.ok ? frame.frame.p : undefined });
      }),
    );
  });

  it('drop __proto__ keys from the payload, escaped or not, as frames do', () => {
    const json = '{"a":{"__proto__":{"admin":true},"b":1},"\\u005f_proto__":{"x":1}}';
    const decoded = decodeUpgradeHandshake(`volley-h.${Buffer.from(json).toString('base64url')}`)!;
    const payload = decoded.payload as Record<string, Record<string, unknown>>;
    expect(Object.prototype.hasOwnProperty.call(payload.a, '__proto__')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(payload, '__proto__')).toBe(false);
    expect(payload.a!.b).toBe(1);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('are not offered for a payload too large or not serialisable (the _h frame then carries or refuses it)', () => {
    expect(encodeUpgradeHandshake('x'.repeat(UPGRADE_HANDSHAKE_MAX_LENGTH))).toBeUndefined();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(encodeUpgradeHandshake(cyclic)).toBeUndefined();
    expect(encodeUpgradeHandshake(() => 1)).toBeUndefined();
    expect(encodeUpgradeHandshake(10n)).toBeUndefined();
  });

  it.each([
    ['another protocol', 'chat'],
    ['bad characters', 'volley-h.a+b/c='],
    ['not JSON', `volley-h.${Buffer.from('{nope').toString('base64url')}`],
    ['not UTF-8', `volley-h.${Buffer.from([0xc3, 0x28]).toString('base64url')}`],
    ['too long', `volley-h.${'A'.repeat(UPGRADE_HANDSHAKE_MAX_LENGTH)}`],
  ])('refuse %s', (_label, entry) => {
    expect(decodeUpgradeHandshake(entry)).toBeUndefined();
  });
});
