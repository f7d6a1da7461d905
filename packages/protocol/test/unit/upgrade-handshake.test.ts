import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  decodeUpgradeHandshake,
  encodeResult,
  encodeUpgradeAnswer,
  declineUpgradeHandshake,
  encodeUpgradeHandshake,
  readSelectedProtocol,
  UPGRADE_ANSWER_SUBPROTOCOL,
  UPGRADE_DECLINED_SUBPROTOCOL,
  UPGRADE_HANDSHAKE_ID,
  withBinary,
  UPGRADE_HANDSHAKE_MAX_LENGTH,
} from '../../src/index.js';

describe('upgrade handshake entries', () => {
  it('offer the payload as volley-h.<base64url JSON> beside volley.1, after volley.1-frame', () => {
    expect(UPGRADE_DECLINED_SUBPROTOCOL).toBe('volley.1-frame');
    expect(encodeUpgradeHandshake({ a: 1 })).toEqual(['volley.1-frame', `volley-h.${Buffer.from('{"a":1}').toString('base64url')}`, 'volley.1']);
    expect(encodeUpgradeHandshake(undefined)).toEqual(['volley.1-frame', 'volley-h.', 'volley.1']);
  });

  it('end with volley.1-answer when the client reads the 101 response', () => {
    expect(UPGRADE_ANSWER_SUBPROTOCOL).toBe('volley.1-answer');
    expect(encodeUpgradeHandshake(undefined, true)).toEqual(['volley.1-frame', 'volley-h.', 'volley.1', 'volley.1-answer']);
    expect(encodeUpgradeHandshake({ a: 1 }, true)).toEqual(['volley.1-frame', `volley-h.${Buffer.from('{"a":1}').toString('base64url')}`, 'volley.1', 'volley.1-answer']);
    expect(encodeUpgradeHandshake('x'.repeat(UPGRADE_HANDSHAKE_MAX_LENGTH), true)).toBeUndefined();
  });

  it('decode to the payload they carry', () => {
    const [, entry] = encodeUpgradeHandshake({ token: 'ü✓', n: [1, null] })!;
    expect(decodeUpgradeHandshake(entry!)).toEqual({ payload: { token: 'ü✓', n: [1, null] } });
    expect(decodeUpgradeHandshake('volley-h.')).toEqual({ payload: undefined });
  });

  it('round-trip any JSON payload to what the _h frame would have carried', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), (payload) => {
        const offer = encodeUpgradeHandshake(payload);
        if (offer === undefined) return;
        const decoded = decodeUpgradeHandshake(offer[1]!)!;
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

describe('upgrade answer header values', () => {
  it('leave a printable ASCII answer as it is', () => {
    const frame = encodeResult(UPGRADE_HANDSHAKE_ID, { payload: { motd: 'hi "you"' }, id: 'abc' });
    expect(encodeUpgradeAnswer(frame)).toBe(frame);
  });

  it('escape everything else so that the value is printable ASCII and parses to the same frame', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 40 }), (payload, text) => {
        const frame = encodeResult(UPGRADE_HANDSHAKE_ID, { payload: [payload, text, '\u007f', '😀', '\ud800'], id: 'x' });
        const value = encodeUpgradeAnswer(frame);
        // Each UTF-16 unit outside printable ASCII becomes a six-character \uXXXX escape.
        let escapedLength = 0;
        for (let index = 0; index < frame.length; index++) {
          const unit = frame.charCodeAt(index);
          escapedLength += unit >= 0x20 && unit <= 0x7e ? 1 : 6;
        }
        if (escapedLength > UPGRADE_HANDSHAKE_MAX_LENGTH) {
          expect(value).toBeUndefined();
          return;
        }
        expect(value).toHaveLength(escapedLength);
        expect(/^[\x20-\x7e]*$/.test(value!)).toBe(true);
        expect(JSON.parse(value!)).toEqual(JSON.parse(frame));
      }),
    );
  });

  it('are refused for an answer longer than UPGRADE_HANDSHAKE_MAX_LENGTH, before or after escaping', () => {
    const long = encodeResult(UPGRADE_HANDSHAKE_ID, { payload: 'x'.repeat(UPGRADE_HANDSHAKE_MAX_LENGTH), id: 'x' });
    expect(encodeUpgradeAnswer(long)).toBeUndefined();
    // 1,000 characters that each become a six-character escape.
    const escaped = encodeResult(UPGRADE_HANDSHAKE_ID, { payload: 'é'.repeat(1000), id: 'x' });
    expect(escaped.length).toBeLessThan(UPGRADE_HANDSHAKE_MAX_LENGTH);
    expect(encodeUpgradeAnswer(escaped)).toBeUndefined();
  });
});

describe('declining the upgrade handshake', () => {
  it('selects volley.1-frame when offered, wherever it stands', () => {
    expect(declineUpgradeHandshake(['volley-h.e30', 'volley.1', 'volley.1-frame'])).toBe('volley.1-frame');
    expect(declineUpgradeHandshake(encodeUpgradeHandshake({ token: 'secret' }, true)!)).toBe('volley.1-frame');
  });

  it('never selects a volley-h. entry, volley.1 or volley.1-answer: then nothing, or an application subprotocol', () => {
    expect(declineUpgradeHandshake(['volley-h.e30', 'volley.1', 'volley.1-answer'])).toBe(false);
    expect(declineUpgradeHandshake(['volley-h.e30', 'chat.v2', 'volley.1'])).toBe('chat.v2');
    expect(declineUpgradeHandshake([])).toBe(false);
  });
});

describe('the binary extension in the upgrade (+b)', () => {
  it('is offered after every other subprotocol, one +b variant per Volley offer, never for the payload entry', () => {
    expect(encodeUpgradeHandshake(undefined, false, true)).toEqual(['volley.1-frame', 'volley-h.', 'volley.1', 'volley.1-frame+b', 'volley.1+b']);
    expect(encodeUpgradeHandshake({ a: 1 }, true, true)).toEqual([
      'volley.1-frame',
      'volley-h.eyJhIjoxfQ',
      'volley.1',
      'volley.1-answer',
      'volley.1-frame+b',
      'volley.1+b',
      'volley.1-answer+b',
    ]);
    expect(encodeUpgradeHandshake(undefined)).toEqual(['volley.1-frame', 'volley-h.', 'volley.1']);
  });

  it('the server selects the +b variant of its choice when it was offered and it takes the extension', () => {
    const offered = new Set(encodeUpgradeHandshake(undefined, true, true));
    expect(withBinary('volley.1', offered, true)).toBe('volley.1+b');
    expect(withBinary('volley.1-answer', offered, true)).toBe('volley.1-answer+b');
    expect(withBinary('volley.1', offered, false)).toBe('volley.1');
    expect(withBinary('volley.1', new Set(encodeUpgradeHandshake(undefined)), true)).toBe('volley.1');
    expect(withBinary(false, offered, true)).toBe(false);
    // Declining the handshake keeps the extension too.
    expect(withBinary(declineUpgradeHandshake(offered), offered, true)).toBe('volley.1-frame+b');
  });

  it('declining never picks a +b variant as if it were an application subprotocol', () => {
    expect(declineUpgradeHandshake(['volley.1+b', 'volley.1-frame+b', 'chat.v2'])).toBe('chat.v2');
    expect(declineUpgradeHandshake(['volley.1+b'])).toBe(false);
  });

  it('the client reads the selection: the subprotocol without the suffix, and whether the extension was agreed', () => {
    expect(readSelectedProtocol('volley.1+b')).toEqual({ protocol: 'volley.1', binary: true });
    expect(readSelectedProtocol('volley.1-answer+b')).toEqual({ protocol: 'volley.1-answer', binary: true });
    expect(readSelectedProtocol('volley.1-frame')).toEqual({ protocol: 'volley.1-frame', binary: false });
    // An application's own subprotocol that happens to end in +b is not the extension.
    expect(readSelectedProtocol('myapp+b')).toEqual({ protocol: 'myapp+b', binary: false });
    expect(readSelectedProtocol('')).toEqual({ protocol: '', binary: false });
  });
});
