import { decodeFrame, ErrorCode, type Frame } from '@volley/protocol';
import { createFrameValidator } from '@volley/protocol/validation';
import { afterEach, describe, expect, it } from 'vitest';

/* eslint-disable @typescript-eslint/no-explicit-any */

const own = (value: unknown, key: string): boolean => Object.prototype.hasOwnProperty.call(value, key);

/**
 * The recursive merge found in many applications (and in old lodash): it follows `__proto__` and
 * `constructor.prototype` of the target, so a hostile payload pollutes a shared prototype.
 */
function naiveMerge(target: any, source: any): any {
  for (const key in source) {
    const value = source[key];
    if (value !== null && typeof value === 'object') {
      const current = target[key];
      if (current === null || (typeof current !== 'object' && typeof current !== 'function')) target[key] = {};
      naiveMerge(target[key], value);
    } else {
      target[key] = value;
    }
  }
  return target;
}

/** Decodes and expects success; returns the frame. */
function decodeOk(text: string): Frame {
  const result = decodeFrame(text);
  if (!result.ok) throw new Error(`Expected ${text.slice(0, 80)} to decode, got ${result.error.code}`);
  return result.frame;
}

/** `{"a":{"a":...{<inner>}...}}` with `depth` levels of `"a"` around `inner`. */
function nested(depth: number, inner: string): string {
  return '{"a":'.repeat(depth) + inner + '}'.repeat(depth);
}

/** Follows `"a"` keys `depth` times. */
function descend(value: any, depth: number): any {
  let node = value;
  for (let level = 0; level < depth; level++) node = node.a;
  return node;
}

afterEach(() => {
  // Should a test fail by polluting, do not let it poison the tests after it.
  delete (Object.prototype as any).polluted;
  delete (Object.prototype as any).isAdmin;
});

describe('the naive merge used as the attack', () => {
  // Proves the checks below could fail: on the raw JSON.parse output the merge pollutes. The
  // pollution is aimed at sandbox prototypes so that a failure cannot leak into other tests.
  it('pollutes through a raw __proto__ key', () => {
    const sandbox: any = {};
    naiveMerge(Object.create(sandbox), JSON.parse('{"__proto__":{"polluted":true}}'));
    expect(sandbox.polluted).toBe(true);
  });

  it('pollutes through a raw constructor.prototype', () => {
    class Box {}
    naiveMerge(new Box(), JSON.parse('{"constructor":{"prototype":{"polluted":true}}}'));
    expect((Box.prototype as any).polluted).toBe(true);
  });
});

describe('decodeFrame strips prototype keys', () => {
  it('removes __proto__ at the top level of p and keeps the other keys', () => {
    const frame = decodeOk('{"n":"x","p":{"__proto__":{"polluted":true},"name":"ann","n":2},"i":"1"}');
    const payload = frame.p as Record<string, unknown>;
    expect(own(payload, '__proto__')).toBe(false);
    expect(payload).toEqual({ name: 'ann', n: 2 });
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
    expect(frame.n).toBe('x');
    expect(frame.i).toBe('1');
  });

  it('removes __proto__ from the envelope itself', () => {
    const frame = decodeOk('{"n":"x","__proto__":{"polluted":true},"p":1}');
    expect(own(frame, '__proto__')).toBe(false);
    expect(frame.p).toBe(1);
  });

  it('removes __proto__ nested 10,000 levels deep', () => {
    const depth = 10_000;
    const frame = decodeOk(`{"n":"x","p":${nested(depth, '{"__proto__":{"polluted":true},"keep":"me"}')}}`);
    const bottom = descend(frame.p, depth);
    expect(own(bottom, '__proto__')).toBe(false);
    expect(bottom).toEqual({ keep: 'me' });
  });

  it('removes __proto__ inside arrays and objects within arrays', () => {
    const frame = decodeOk('{"n":"x","p":[1,{"__proto__":{"polluted":true},"k":1},[[{"__proto__":{"isAdmin":true}}]],"__proto__"]}');
    const payload = frame.p as any[];
    expect(payload).toEqual([1, { k: 1 }, [[{}]], '__proto__']);
    expect(own(payload[1], '__proto__')).toBe(false);
    expect(own(payload[2][0][0], '__proto__')).toBe(false);
  });

  it('removes constructor keys that hold a prototype, at any depth', () => {
    const frame = decodeOk(
      '{"n":"x","p":{"constructor":{"prototype":{"polluted":true}},"deep":[{"x":{"constructor":{"prototype":{"isAdmin":true},"name":"y"}}}],"ok":1}}',
    );
    const payload = frame.p as any;
    expect(own(payload, 'constructor')).toBe(false);
    expect(own(payload.deep[0].x, 'constructor')).toBe(false);
    expect(payload).toEqual({ deep: [{ x: {} }], ok: 1 });
  });

  it('keeps harmless constructor values', () => {
    const frame = decodeOk('{"n":"x","p":{"constructor":"Alice","nested":{"constructor":{"name":"Bob"}},"list":["constructor"]}}');
    const payload = frame.p as any;
    expect(own(payload, 'constructor')).toBe(true);
    expect(payload.constructor).toBe('Alice');
    expect(payload.nested.constructor).toEqual({ name: 'Bob' });
    expect(payload.list).toEqual(['constructor']);
  });

  it('keeps a payload that only mentions the names in values', () => {
    const frame = decodeOk('{"n":"x","p":{"text":"__proto__ and constructor.prototype","prototype":{"a":1}}}');
    expect(frame.p).toEqual({ text: '__proto__ and constructor.prototype', prototype: { a: 1 } });
  });

  it('removes keys spelled with JSON escapes', () => {
    // `\u005f` is "_" and `\u0063` is "c": JSON.parse still makes the keys __proto__ and constructor.
    const frame = decodeOk(
      '{"n":"x","p":{"\\u005f_proto__":{"polluted":true},"a":{"\\u0063onstructor":{"prototype":{"isAdmin":true}}},"b":1}}',
    );
    const payload = frame.p as any;
    expect(own(payload, '__proto__')).toBe(false);
    expect(own(payload.a, 'constructor')).toBe(false);
    expect(payload).toEqual({ a: {}, b: 1 });
  });

  it('strips the same way with the ajv validator the server uses', () => {
    const result = decodeFrame('{"n":"x","p":{"__proto__":{"polluted":true},"k":{"constructor":{"prototype":{}}}}}', createFrameValidator());
    expect(result.ok).toBe(true);
    const payload = (result as { frame: Frame }).frame.p as any;
    expect(own(payload, '__proto__')).toBe(false);
    expect(own(payload.k, 'constructor')).toBe(false);
  });
});

describe('a decoded payload cannot pollute when merged', () => {
  const hostile = [
    '{"n":"x","p":{"__proto__":{"polluted":true,"isAdmin":true}}}',
    '{"n":"x","p":{"constructor":{"prototype":{"polluted":true,"isAdmin":true}}}}',
    '{"n":"x","p":{"a":[{"b":{"__proto__":{"polluted":true}}}],"c":{"constructor":{"prototype":{"isAdmin":true}}}}}',
    '{"n":"x","p":{"\\u005f_proto__":{"polluted":true}}}',
  ];

  it.each(hostile)('naive merge of %s leaves Object.prototype clean', (text) => {
    const payload = decodeOk(text).p;
    naiveMerge({}, payload);
    naiveMerge({ a: [{ b: {} }], c: {} }, payload);
    expect(({} as any).polluted).toBeUndefined();
    expect(({} as any).isAdmin).toBeUndefined();
  });

  it.each(hostile)('naive merge of %s into a sandboxed target leaves its prototypes clean', (text) => {
    const sandbox: any = {};
    class Box {}
    naiveMerge(Object.create(sandbox), decodeOk(text).p);
    naiveMerge(new Box(), decodeOk(text).p);
    expect(sandbox.polluted).toBeUndefined();
    expect((Box.prototype as any).polluted).toBeUndefined();
    expect((Box.prototype as any).isAdmin).toBeUndefined();
  });

  it('Object.assign of the payload keeps the plain prototype', () => {
    const assigned: any = Object.assign({}, decodeOk('{"n":"x","p":{"__proto__":{"polluted":true},"k":1}}').p);
    expect(Object.getPrototypeOf(assigned)).toBe(Object.prototype);
    expect(assigned.polluted).toBeUndefined();
    expect(assigned.k).toBe(1);
    expect(({} as any).polluted).toBeUndefined();
  });

  it('spread and structuredClone of the payload keep the plain prototype', () => {
    const payload = decodeOk('{"n":"x","p":{"__proto__":{"polluted":true},"k":1}}').p as object;
    expect(({ ...payload } as any).polluted).toBeUndefined();
    expect((structuredClone(payload) as any).polluted).toBeUndefined();
  });
});

describe('decodeFrame of hostile depth', () => {
  const depth = 100_000;
  const cases: [string, string][] = [
    ['objects', `{"n":"x","p":${nested(depth, '1')}}`],
    ['arrays', `{"n":"x","p":${'['.repeat(depth)}${']'.repeat(depth)}}`],
    ['objects with __proto__ at the bottom', `{"n":"x","p":${nested(depth, '{"__proto__":{"polluted":true}}')}}`],
    ['objects with a constructor at the bottom', `{"n":"x","p":${nested(depth, '{"constructor":{"prototype":{}}}')}}`],
    ['unclosed objects', `{"n":"x","p":${'{"a":'.repeat(depth)}`],
  ];

  it.each(cases)('100,000-deep %s: a result, never a throw', (_label, text) => {
    let result: ReturnType<typeof decodeFrame> | undefined;
    expect(() => {
      result = decodeFrame(text);
    }).not.toThrow();
    expect(() => decodeFrame(text, createFrameValidator())).not.toThrow();
    expect(result).toBeDefined();
    if (result!.ok) {
      expect(result!.frame.n).toBe('x');
    } else {
      expect(result!.error.code).toBe(ErrorCode.INVALID_JSON);
    }
  });

  it('strips __proto__ at the bottom of a 100,000-deep payload when it parses', () => {
    const result = decodeFrame(`{"n":"x","p":${nested(depth, '{"__proto__":{"polluted":true},"keep":1}')}}`);
    if (!result.ok) {
      // An engine whose JSON.parse cannot go that deep refuses the frame instead.
      expect(result.error.code).toBe(ErrorCode.INVALID_JSON);
      return;
    }
    const bottom = descend(result.frame.p, depth);
    expect(own(bottom, '__proto__')).toBe(false);
    expect(bottom).toEqual({ keep: 1 });
  });

  it('rejects an unclosed 100,000-deep frame as INVALID_JSON', () => {
    const result = decodeFrame(`{"n":"x","p":${'['.repeat(depth)}`);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe(ErrorCode.INVALID_JSON);
  });
});
