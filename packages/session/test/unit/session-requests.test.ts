import { ErrorCode, VolleyError } from '@volley/protocol';
import { type IncomingMessage } from '@volley/session';
import { describe, expect, it, vi } from 'vitest';
import { host, session, useFakeSession, watch } from './session-harness.js';

/* Answering the peer's requests, and sending requests and messages. */

useFakeSession();

describe('answering requests', () => {
  it('answers a request nobody handles with NO_HANDLER at once', () => {
    session.receive('{"n":"nobody","i":"4"}');
    expect(host.frames()).toEqual([{ n: '_r', i: '4', e: { code: ErrorCode.NO_HANDLER, name: 'VolleyError', message: 'No handler for "nobody"' } }]);
  });

  it('ignores a fire-and-forget message nobody handles', () => {
    session.receive('{"n":"nobody","p":1}');
    expect(host.written).toEqual([]);
    expect(host.errors).toEqual([]);
  });

  it('answers later when the handler keeps the message', () => {
    let kept: IncomingMessage | undefined;
    host.handlers.set('slow', (message) => {
      kept = message;
    });
    session.receive('{"n":"slow","i":"5"}');
    expect(host.written).toEqual([]);
    expect(kept!.resolve('done')).toBe(true);
    expect(host.written).toEqual(['{"n":"_r","i":"5","p":"done"}']);
  });

  it('rejects the request when the handler throws, and reports the error', () => {
    host.handlers.set('boom', () => {
      throw new TypeError('bad input');
    });
    session.receive('{"n":"boom","i":"6"}');
    expect(host.errors).toHaveLength(1);
    expect(host.errors[0]!.code).toBe(ErrorCode.INTERNAL_ERROR);
    expect(host.errors[0]!.message).toBe('bad input');
    expect(host.frames()).toEqual([{ n: '_r', i: '6', e: { name: 'TypeError', message: 'bad input' } }]);
  });

  it('keeps the code of a VolleyError a handler throws', () => {
    host.handlers.set('boom', () => {
      throw new VolleyError(ErrorCode.INVALID_STATE, 'not now');
    });
    session.receive('{"n":"boom","i":"6"}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_STATE]);
    expect(host.frames()[0]).toMatchObject({ e: { code: ErrorCode.INVALID_STATE, message: 'not now' } });
  });

  it('does not answer twice when the handler answers and then throws', () => {
    host.handlers.set('boom', (message) => {
      message.resolve(1);
      throw new Error('after');
    });
    session.receive('{"n":"boom","i":"6"}');
    expect(host.written).toEqual(['{"n":"_r","i":"6","p":1}']);
    expect(host.errors.map((e) => e.message)).toEqual(['after']);
  });

  it('only reports a throwing handler of a fire-and-forget message', () => {
    host.handlers.set('boom', () => {
      throw new Error('oops');
    });
    session.receive('{"n":"boom"}');
    expect(host.written).toEqual([]);
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INTERNAL_ERROR]);
  });

  it('refuses a second answer: ALREADY_RESPONDED locally, nothing sent', () => {
    host.handlers.set('twice', (message) => {
      expect(message.resolve(1)).toBe(true);
      expect(message.resolve(2)).toBe(false);
      expect(message.reject(new Error('late'))).toBe(false);
    });
    session.receive('{"n":"twice","i":"7"}');
    expect(host.written).toEqual(['{"n":"_r","i":"7","p":1}']);
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.ALREADY_RESPONDED, ErrorCode.ALREADY_RESPONDED]);
  });

  it('refuses to answer a fire-and-forget message: NOT_A_REQUEST locally, nothing sent', () => {
    host.handlers.set('news', (message) => {
      expect(message.resolve('thanks')).toBe(false);
      expect(message.reject('no')).toBe(false);
    });
    session.receive('{"n":"news","p":"hello"}');
    expect(host.written).toEqual([]);
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.NOT_A_REQUEST, ErrorCode.NOT_A_REQUEST]);
  });

  it('turns an unserialisable result into INVALID_JSON locally and an error answer', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    host.handlers.set('cycle', (message) => {
      expect(message.resolve(cyclic)).toBe(true);
      expect(message.responded).toBe(true);
    });
    session.receive('{"n":"cycle","i":"8"}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_JSON]);
    expect(host.frames()).toEqual([{ n: '_r', i: '8', e: expect.objectContaining({ code: ErrorCode.INVALID_JSON, name: 'VolleyError' }) }]);
  });

  it('sends a rejection with the serialised error', () => {
    host.handlers.set('confirm', (message) => message.reject(Object.assign(new Error('no'), { code: 'E_NO' })));
    session.receive('{"n":"confirm","p":{"q":"delete?"},"i":"a"}');
    expect(host.written).toEqual(['{"n":"_r","i":"a","e":{"code":"E_NO","name":"Error","message":"no"}}']);
  });

  it('reports MESSAGE_NOT_RESPONDED when the answer cannot be written', () => {
    host.handlers.set('sum', (message) => {
      host.failWrites = new Error('socket gone');
      expect(message.resolve(3)).toBe(false);
    });
    session.receive('{"n":"sum","i":"2"}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.MESSAGE_NOT_RESPONDED]);
    expect(host.errors[0]!.message).toContain('"sum"');
  });
});

describe('sending', () => {
  it('numbers requests in base 36 and sends fire-and-forget messages without id', async () => {
    const answers = Array.from({ length: 36 }, () => session.request('n'));
    expect(JSON.parse(host.written[35]!)).toEqual({ n: 'n', i: '10' });
    session.notify('news', 'hello');
    expect(host.written[36]).toBe('{"n":"news","p":"hello"}');
    session.close();
    await Promise.allSettled(answers);
  });

  it('refuses invalid names', async () => {
    await expect(session.request('_r')).rejects.toMatchObject({ code: ErrorCode.INVALID_NAME });
    await expect(session.request('')).rejects.toMatchObject({ code: ErrorCode.INVALID_NAME });
    expect(() => session.notify('_p')).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_NAME }));
    expect(host.written).toEqual([]);
  });

  it('refuses an unserialisable payload with INVALID_JSON and leaves nothing pending', async () => {
    await expect(session.request('x', { n: 1n })).rejects.toMatchObject({ code: ErrorCode.INVALID_JSON });
    expect(() => session.notify('x', { n: 1n })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_JSON }));
    expect(session.pendingCount).toBe(0);
    expect(host.written).toEqual([]);
  });

  it('rejects a request whose frame cannot be written', async () => {
    host.failWrites = new VolleyError(ErrorCode.DISCONNECTED, 'The socket is not open');
    await expect(session.request('sum')).rejects.toMatchObject({ code: ErrorCode.DISCONNECTED });
    host.failWrites = new Error('EPIPE');
    await expect(session.request('sum')).rejects.toMatchObject({ code: ErrorCode.WEBSOCKET_ERROR, message: 'EPIPE' });
    expect(session.pendingCount).toBe(0);
  });

  it('times a request out after responseTimeout, or after its own timeout', () => {
    const byDefault = watch(session.request('a'));
    const custom = watch(session.request('b', undefined, 200));
    const never = watch(session.request('c', undefined, 0));
    vi.advanceTimersByTime(200);
    return Promise.resolve().then(() => {
      expect(custom.error?.code).toBe(ErrorCode.MESSAGE_TIMEOUT);
      expect(byDefault.settled).toBe('pending');
      vi.advanceTimersByTime(800);
      return Promise.resolve().then(() => {
        expect(byDefault.error?.code).toBe(ErrorCode.MESSAGE_TIMEOUT);
        vi.advanceTimersByTime(60_000);
        expect(never.settled).toBe('pending');
        // A late answer to a timed-out request is ignored.
        session.receive('{"n":"_r","i":"1","p":"late"}');
        expect(host.errors).toEqual([]);
      });
    });
  });
});
