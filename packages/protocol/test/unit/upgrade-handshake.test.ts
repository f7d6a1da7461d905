import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeUpgradeHandshake, encodeUpgradeHandshake, UPGRADE_HANDSHAKE_ID, UPGRADE_HANDSHAKE_MAX_LENGTH } from '../../src/index.js';

describe('upgrade handshake entries', () => {
  it('offer the payload as volley-h.<base64url JSON> beside volley.1', () => {
    expect(encodeUpgradeHandshake({ a: 1 })).toEqual([`volley-h.${Buffer.from('{"a":1}').toString('base64url')}`, 'volley.1']);
    expect(encodeUpgradeHandshake(undefined)).toEqual(['volley-h.', 'volley.1']);
  });

  it('decode to the _h frame they stand for, with the upgrade id', () => {
    const [entry] = encodeUpgradeHandshake({ token: 'ü✓', n: [1, null] })!;
    expect(decodeUpgradeHandshake(entry)).toBe(`{"n":"_h","i":"${UPGRADE_HANDSHAKE_ID}","p":{"token":"ü✓","n":[1,null]}}`);
    expect(decodeUpgradeHandshake('volley-h.')).toBe(`{"n":"_h","i":"${UPGRADE_HANDSHAKE_ID}"}`);
  });

  it('round-trip any JSON payload into a valid frame', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (payload) => {
        const offer = encodeUpgradeHandshake(payload);
        if (offer === undefined) return;
        const text = decodeUpgradeHandshake(offer[0])!;
        // Byte for byte the frame the client would otherwise send (compared as text: the decoder
        // drops `__proto__` keys, which fast-check likes to generate).
        expect(text).toBe(`{"n":"_h","i":"${UPGRADE_HANDSHAKE_ID}","p":${JSON.stringify(payload)}}`);
        expect(decodeFrame(text).ok).toBe(true);
      }),
    );
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
