import { ErrorCode, serializeError, toVolleyError, VolleyError, wireErrorMessage } from '@volley/protocol';
import { describe, expect, it } from 'vitest';

describe('VolleyError', () => {
  it('carries code, message, payload and cause', () => {
    const cause = new Error('inner');
    const error = new VolleyError(ErrorCode.MESSAGE_REJECTED, 'rejected', { payload: { name: 'Error', message: 'no' }, cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(VolleyError);
    expect(error.name).toBe('VolleyError');
    expect(error.code).toBe('MESSAGE_REJECTED');
    expect(error.message).toBe('rejected');
    expect(error.payload).toEqual({ name: 'Error', message: 'no' });
    expect(error.cause).toBe(cause);
  });

  it('has no cause property when none is given', () => {
    const error = new VolleyError(ErrorCode.DISCONNECTED, 'gone');
    expect('cause' in error).toBe(false);
    expect(error.payload).toBeUndefined();
  });

  it('uses the code values as their own names', () => {
    for (const [key, value] of Object.entries(ErrorCode)) expect(value).toBe(key);
  });
});

describe('toVolleyError', () => {
  it('returns a VolleyError unchanged, whatever code is asked for', () => {
    const error = new VolleyError(ErrorCode.NO_HANDLER, 'none');
    expect(toVolleyError(error)).toBe(error);
    expect(toVolleyError(error, ErrorCode.INVALID_JSON)).toBe(error);
  });

  it('wraps an Error with INTERNAL_ERROR by default, keeping its message and the Error as cause', () => {
    const thrown = new TypeError('bad');
    const error = toVolleyError(thrown);
    expect(error.code).toBe(ErrorCode.INTERNAL_ERROR);
    expect(error.message).toBe('bad');
    expect(error.cause).toBe(thrown);
  });

  it('uses the given code', () => {
    expect(toVolleyError(new Error('x'), ErrorCode.WEBSOCKET_ERROR).code).toBe(ErrorCode.WEBSOCKET_ERROR);
  });

  it.each([
    ['a string', 'boom', 'boom'],
    ['a number', 42, '42'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a plain object', { a: 1 }, '[object Object]'],
    ['a symbol', Symbol('s'), 'Symbol(s)'],
  ])('turns %s into a message', (_label, value, message) => {
    const error = toVolleyError(value);
    expect(error.message).toBe(message);
    expect(error.cause).toBe(value);
  });

  it('never throws, even for a value String() cannot convert', () => {
    const bare = Object.create(null) as object;
    const error = toVolleyError(bare);
    expect(error.code).toBe(ErrorCode.INTERNAL_ERROR);
    expect(error.message).toBe('[object Object]');
  });
});

describe('serializeError', () => {
  it('sends an Error as {name, message}', () => {
    expect(serializeError(new Error('no'))).toStrictEqual({ name: 'Error', message: 'no' });
    expect(serializeError(new RangeError('far'))).toStrictEqual({ name: 'RangeError', message: 'far' });
  });

  it('adds own enumerable properties, without the cause and without functions', () => {
    const error = Object.assign(new Error('denied', { cause: new Error('inner') }), { code: 'E_AUTH', status: 403, retry: () => false });
    expect(serializeError(error)).toStrictEqual({ code: 'E_AUTH', status: 403, name: 'Error', message: 'denied' });
  });

  it('sends a VolleyError with its code and payload', () => {
    const error = new VolleyError(ErrorCode.HANDSHAKE_PENDING, 'wait', { payload: { n: 1 }, cause: new Error('x') });
    expect(serializeError(error)).toStrictEqual({ code: 'HANDSHAKE_PENDING', payload: { n: 1 }, name: 'VolleyError', message: 'wait' });
  });

  it('keeps a subclass name set on the prototype or instance', () => {
    class QuotaError extends Error {
      override name = 'QuotaError';
    }
    expect(serializeError(new QuotaError('full'))).toStrictEqual({ name: 'QuotaError', message: 'full' });
  });

  it('keeps a string as a string', () => {
    expect(serializeError('nope')).toBe('nope');
    expect(serializeError('')).toBe('');
  });

  it('sends a plain object as it is, filling in name and message', () => {
    expect(serializeError({ reason: 'quota' })).toStrictEqual({ reason: 'quota', name: 'Error', message: '' });
    expect(serializeError({ name: 'Quota', message: 'full', limit: 3 })).toStrictEqual({ name: 'Quota', message: 'full', limit: 3 });
    expect(serializeError({ name: 5, message: null })).toStrictEqual({ name: 'Error', message: '' });
  });

  it.each([
    ['undefined', undefined, ''],
    ['null', null, 'null'],
    ['a number', 42, '42'],
    ['a boolean', false, 'false'],
    ['an array', [1, 2], '1,2'],
  ])('turns %s into an Error-shaped object', (_label, value, message) => {
    expect(serializeError(value)).toStrictEqual({ name: 'Error', message });
  });
});

describe('wireErrorMessage', () => {
  it('reads the message of a wire error', () => {
    expect(wireErrorMessage({ name: 'Error', message: 'no' })).toBe('no');
    expect(wireErrorMessage('plain')).toBe('plain');
  });

  it('falls back to "rejected" when there is no message', () => {
    expect(wireErrorMessage({ name: 'Error' })).toBe('rejected');
    expect(wireErrorMessage(null)).toBe('rejected');
    expect(wireErrorMessage(3)).toBe('rejected');
  });
});
