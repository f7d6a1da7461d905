import { isFrame, MAX_ID_LENGTH } from '@volley/protocol';
import { createFrameValidator, frameSchema } from '@volley/protocol/validation';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const validate = createFrameValidator();

// Strings that stress the id length rule: around 64, counted in code points, with astral
// characters (two UTF-16 units each) and lone surrogates (one unit, one code point each).
const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const idLike = fc.oneof(
  fc.string({ minLength: 0, maxLength: 3 }),
  fc.string({ unit: 'binary-ascii', minLength: MAX_ID_LENGTH - 2, maxLength: MAX_ID_LENGTH + 2 }),
  fc.string({ unit: 'binary', minLength: MAX_ID_LENGTH - 2, maxLength: MAX_ID_LENGTH + 2 }),
  fc.string({ unit: fc.oneof(fc.constant('\u{1F600}'), fc.constant('a'), surrogate), minLength: MAX_ID_LENGTH - 2, maxLength: MAX_ID_LENGTH + 2 }),
);

/** Objects built to be near-valid frames: each key is often right, sometimes subtly wrong. */
const nearFrame = fc.record(
  {
    n: fc.oneof(fc.string({ minLength: 1 }), fc.constantFrom('', '_r', '_p', '_h', '_x'), fc.jsonValue()),
    p: fc.jsonValue(),
    i: fc.oneof(idLike, fc.jsonValue()),
    e: fc.oneof(fc.constant(null), fc.string(), fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
    extra: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

describe('createFrameValidator', () => {
  it('compiles once and is shared', () => {
    expect(createFrameValidator()).toBe(validate);
  });

  it('accepts the smallest frame and a full one', () => {
    expect(validate({ n: 'x' })).toBe(true);
    expect(validate({ n: '_r', p: [1], i: '1', e: { name: 'Error', message: 'no' } })).toBe(true);
  });

  it.each([
    ['a non-object', 'x'],
    ['an array', [{ n: 'x' }]],
    ['no name', { p: 1 }],
    ['an empty name', { n: '' }],
    ['a numeric id', { n: 'x', i: 1 }],
    ['an id of 65 characters', { n: 'x', i: 'a'.repeat(65) }],
    ['an array error', { n: '_r', i: '1', e: [] }],
  ])('refuses %s', (_label, value) => {
    expect(validate(value)).toBe(false);
    expect(isFrame(value)).toBe(false);
  });

  it('counts id length in code points, as the schema does', () => {
    expect(frameSchema.properties.i.maxLength).toBe(MAX_ID_LENGTH);
    const astral64 = '\u{1F600}'.repeat(64);
    expect(astral64.length).toBe(128);
    expect(validate({ n: 'x', i: astral64 })).toBe(true);
    expect(isFrame({ n: 'x', i: astral64 })).toBe(true);
    expect(validate({ n: 'x', i: astral64 + 'a' })).toBe(false);
    expect(isFrame({ n: 'x', i: astral64 + 'a' })).toBe(false);
  });
});

describe('ajv validator and isFrame agree', () => {
  it('on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(validate(value)).toBe(isFrame(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('on objects built to be near-valid frames', () => {
    let accepted = 0;
    fc.assert(
      fc.property(nearFrame, (value) => {
        const verdict = isFrame(value);
        if (verdict) accepted += 1;
        expect(validate(value)).toBe(verdict);
      }),
      { numRuns: 5000 },
    );
    // The generator is only useful if it reaches both sides of the line.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(5000);
  });

  it('on ids around the length limit', () => {
    fc.assert(
      fc.property(idLike, (id) => {
        const value = { n: 'x', i: id };
        expect(validate(value)).toBe(isFrame(value));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('cost per validation (reported, not asserted)', () => {
  it('measures ns per call for both validators', () => {
    const samples: unknown[] = [
      { n: 'sum', p: { a: 1, b: 2 }, i: '2' },
      { n: '_r', i: '2', p: 3 },
      { n: '_r', i: 'a', e: { name: 'Error', message: 'no' } },
      { n: 'news', p: 'hello' },
      { n: 'x', i: 'a'.repeat(80) },
      [1, 2],
    ];
    const rounds = 50_000;
    const budgetMs = 500;
    const measure = (check: (value: unknown) => boolean): { ns: number; accepted: number } => {
      let accepted = 0;
      let calls = 0;
      const start = process.hrtime.bigint();
      const deadline = start + BigInt(budgetMs) * 1_000_000n;
      // Bounded in count and in time, so a loaded machine only makes the figure noisier.
      for (let round = 0; round < rounds; round += 1) {
        for (const sample of samples) if (check(sample)) accepted += 1;
        calls += samples.length;
        if ((round & 1023) === 0 && process.hrtime.bigint() > deadline) break;
      }
      const ns = Number(process.hrtime.bigint() - start) / calls;
      return { ns, accepted: accepted / (calls / samples.length) };
    };
    measure(isFrame); // warm-up
    measure(validate);
    const hand = measure(isFrame);
    const ajv = measure(validate);
    console.log(`frame validation: isFrame ${hand.ns.toFixed(1)} ns/call, ajv ${ajv.ns.toFixed(1)} ns/call`);
    // Only correctness is asserted: both accept the same samples.
    expect(ajv.accepted).toBe(hand.accepted);
    expect(hand.accepted).toBe(4);
  });
});
