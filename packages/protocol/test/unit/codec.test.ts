import { readFileSync } from 'node:fs';
import {
  decodeFrame,
  encodeError,
  encodeHandshake,
  encodeMessage,
  encodePing,
  encodePong,
  encodeResult,
  ErrorCode,
  type ErrorCode as ErrorCodeValue,
  type Frame,
  type FrameValidator,
  isFrame,
  VolleyError,
} from '@volley/protocol';
import { createFrameValidator } from '@volley/protocol/validation';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// The golden frames live in JSON so that other implementations (and line-socket checks) can use
// them too; these tests only interpret them.
type ReasonSpec =
  | { error: { class: 'Error' | 'TypeError' | 'VolleyError'; message: string; code?: string; payload?: unknown; props?: Record<string, unknown> } }
  | { value: unknown }
  | Record<string, never>;

type Call =
  | { encode: 'message'; name: string; payload?: unknown; id?: string }
  | { encode: 'result'; id: string; payload?: unknown }
  | { encode: 'error'; id: string; reason: ReasonSpec }
  | { encode: 'handshake'; id: string; payload?: unknown }
  | { encode: 'ping'; id: string }
  | { encode: 'pong'; id: string };

interface EncodeCase {
  description: string;
  call: Call;
  frame: string;
}

type DecodeCase =
  | { description: string; input: string; frame: Frame }
  | { description: string; input: string; error: ErrorCodeValue; id: string | null; name: string | null };

interface SampleFrame {
  direction: string;
  text: string;
  frame: Frame;
  call?: Call;
}

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

const encodeCases = fixture<{ cases: EncodeCase[] }>('encode.json').cases;
const decodeCases = fixture<{ cases: DecodeCase[] }>('decode.json').cases;
const sample = fixture<{ frames: SampleFrame[] }>('sample-session.json').frames;

function reasonOf(spec: ReasonSpec): unknown {
  if ('value' in spec) return spec.value;
  if (!('error' in spec)) return undefined;
  const { class: kind, message, code, payload, props } = spec.error;
  let error: Error;
  if (kind === 'VolleyError') error = new VolleyError(code as ErrorCodeValue, message, { payload });
  else if (kind === 'TypeError') error = new TypeError(message);
  else error = new Error(message);
  return Object.assign(error, props);
}

// Absent keys of the call stay absent: `'payload' in call` decides, not the value.
function run(call: Call): string {
  switch (call.encode) {
    case 'message':
      return encodeMessage(call.name, call.payload, call.id);
    case 'result':
      return 'payload' in call ? encodeResult(call.id, call.payload) : encodeResult(call.id);
    case 'error':
      return encodeError(call.id, reasonOf(call.reason));
    case 'handshake':
      return 'payload' in call ? encodeHandshake(call.id, call.payload) : encodeHandshake(call.id);
    case 'ping':
      return encodePing(call.id);
    case 'pong':
      return encodePong(call.id);
  }
}

/** The envelope keys of a decoded frame; unknown keys are the receiver's to ignore. */
function envelope(frame: Frame): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['n', 'p', 'i', 'e'] as const) {
    if (frame[key] !== undefined) out[key] = frame[key];
  }
  return out;
}

const validators: [string, FrameValidator][] = [
  ['isFrame', isFrame],
  ['ajv', createFrameValidator()],
];

describe('golden fixtures', () => {
  it('are loaded from the json files', () => {
    expect(encodeCases.length).toBeGreaterThan(20);
    expect(decodeCases.length).toBeGreaterThan(30);
    expect(sample).toHaveLength(9);
  });

  describe('sample session of PROTOCOL.md', () => {
    describe.each(validators)('decodes with %s', (_label, validate) => {
      it.each(sample.map((entry) => [entry.direction, entry.text, entry] as const))('%s %s', (_direction, text, entry) => {
        const decoded = decodeFrame(text, validate);
        expect(decoded.ok).toBe(true);
        if (decoded.ok) expect(envelope(decoded.frame)).toStrictEqual(entry.frame);
      });
    });

    it.each(sample.filter((entry) => entry.call !== undefined).map((entry) => [entry.direction, entry.text, entry.call!] as const))(
      'encodes byte-identically: %s %s',
      (_direction, text, call) => {
        expect(run(call)).toBe(text);
      },
    );

    it('can produce every frame of the session', () => {
      expect(sample.every((entry) => entry.call !== undefined)).toBe(true);
    });
  });

  describe('encode', () => {
    it.each(encodeCases.map((c) => [c.description, c] as const))('%s', (_description, c) => {
      const text = run(c.call);
      expect(text).toBe(c.frame);
      // Whatever we write, we must be able to read back.
      const decoded = decodeFrame(text);
      expect(decoded.ok).toBe(true);
    });
  });

  describe.each(validators)('decode with %s', (_label, validate) => {
    it.each(decodeCases.map((c) => [c.description, c] as const))('%s', (_description, c) => {
      const decoded = decodeFrame(c.input, validate);
      if ('frame' in c) {
        expect(decoded.ok).toBe(true);
        if (!decoded.ok) return;
        expect(envelope(decoded.frame)).toStrictEqual(c.frame);
        // `"e": null` must not leave a null behind that would reject a request.
        if (!('e' in c.frame)) expect(decoded.frame.e).toBeUndefined();
      } else {
        expect(decoded.ok).toBe(false);
        if (decoded.ok) return;
        expect(decoded.error).toBeInstanceOf(VolleyError);
        expect(decoded.error.code).toBe(c.error);
        expect(decoded.id).toBe(c.id ?? undefined);
        expect(decoded.name).toBe(c.name ?? undefined);
      }
    });
  });
});

describe('encode', () => {
  it('throws INVALID_JSON for a payload with a cycle', () => {
    const payload: Record<string, unknown> = {};
    payload.self = payload;
    for (const encode of [() => encodeMessage('x', payload), () => encodeResult('1', payload), () => encodeHandshake('1', payload)]) {
      expect(encode).toThrow(VolleyError);
      try {
        encode();
      } catch (error) {
        expect((error as VolleyError).code).toBe(ErrorCode.INVALID_JSON);
        expect((error as VolleyError).cause).toBeInstanceOf(TypeError);
      }
    }
  });

  it('throws INVALID_JSON for a BigInt payload', () => {
    expect(() => encodeMessage('x', { n: 1n })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_JSON }));
  });

  it('drops undefined inside payloads the way JSON.stringify does, and omits an unserialisable top-level payload', () => {
    expect(encodeMessage('x', { a: undefined, b: 1 })).toBe('{"n":"x","p":{"b":1}}');
    expect(encodeMessage('x', [undefined])).toBe('{"n":"x","p":[null]}');
    expect(encodeMessage('x', () => 1, '1')).toBe('{"n":"x","i":"1"}');
  });

  it('uses toJSON', () => {
    expect(encodeResult('1', new Date(0))).toBe('{"n":"_r","i":"1","p":"1970-01-01T00:00:00.000Z"}');
  });

  it('still sends a rejection whose error has an unserialisable property', () => {
    const error = Object.assign(new Error('broken'), { big: 1n });
    expect(encodeError('9', error)).toBe('{"n":"_r","i":"9","e":{"name":"Error","message":"broken"}}');
    const cyclic: Record<string, unknown> = { message: 'loop' };
    cyclic.self = cyclic;
    // A plain object that cannot be serialised keeps its message: the rest is lost, but answered.
    expect(encodeError('9', cyclic)).toBe('{"n":"_r","i":"9","e":{"name":"Error","message":"loop"}}');
    // A VolleyError whose payload has a cycle keeps its name, message and code.
    const payload: Record<string, unknown> = {};
    payload.self = payload;
    expect(encodeError('9', new VolleyError(ErrorCode.INVALID_STATE, 'stuck', { payload }))).toBe(
      '{"n":"_r","i":"9","e":{"name":"VolleyError","message":"stuck","code":"INVALID_STATE"}}',
    );
  });

  it('does not send the cause or methods of an error', () => {
    const error = Object.assign(new Error('outer', { cause: new Error('inner') }), { retry: () => true, code: 'E' });
    expect(encodeError('1', error)).toBe('{"n":"_r","i":"1","e":{"code":"E","name":"Error","message":"outer"}}');
  });

  it('escapes names and ids', () => {
    expect(encodeMessage('a"b\\c', undefined, 'q"1')).toBe('{"n":"a\\"b\\\\c","i":"q\\"1"}');
    // The name cache must not mix up names.
    expect(encodeMessage('a"b\\c')).toBe('{"n":"a\\"b\\\\c"}');
    expect(encodeMessage('a"b\\d')).toBe('{"n":"a\\"b\\\\d"}');
  });
});

describe('decode', () => {
  it('keeps unknown keys on the decoded object without letting them change the envelope', () => {
    const decoded = decodeFrame('{"n":"x","p":1,"z":[1]}');
    expect(decoded).toMatchObject({ ok: true, frame: { n: 'x', p: 1 } });
  });

  it('truncates the offending text in the error payload to 256 characters', () => {
    const text = JSON.stringify({ n: 5, p: 'x'.repeat(1000) });
    const decoded = decodeFrame(text);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error.payload).toBe(text.slice(0, 256));
  });

  it('keeps the JSON.parse error as the cause of INVALID_JSON', () => {
    const decoded = decodeFrame('{');
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error.cause).toBeInstanceOf(SyntaxError);
  });

  it('round-trips any JSON payload, name and valid id (property)', () => {
    const id = fc.string({ unit: 'binary', minLength: 1, maxLength: 64 });
    // Prototype keys are stripped on purpose (prototype-safety.test.ts), so they cannot round-trip.
    const safePayload = fc.jsonValue().filter((value) => !/__proto__|"constructor"/.test(JSON.stringify(value)));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1 }), fc.option(safePayload, { nil: undefined }), fc.option(id, { nil: undefined }), (name, payload, requestId) => {
        const decoded = decodeFrame(encodeMessage(name, payload, requestId));
        expect(decoded.ok).toBe(true);
        if (!decoded.ok) return;
        expect(decoded.frame.n).toBe(name);
        expect(decoded.frame.i).toBe(requestId);
        // JSON has no -0; compare with what JSON itself gives back.
        expect(decoded.frame.p).toStrictEqual(payload === undefined ? undefined : JSON.parse(JSON.stringify(payload)));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips results and string or object errors (property)', () => {
    const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(id, fc.jsonValue(), fc.oneof(fc.string(), fc.record({ name: fc.string(), message: fc.string() })), (requestId, result, reason) => {
        const ok = decodeFrame(encodeResult(requestId, result));
        expect(ok).toMatchObject({ ok: true, frame: { n: '_r', i: requestId } });
        const rejected = decodeFrame(encodeError(requestId, reason));
        expect(rejected).toMatchObject({ ok: true, frame: { n: '_r', i: requestId, e: reason } });
      }),
      { numRuns: 200 },
    );
  });
});
