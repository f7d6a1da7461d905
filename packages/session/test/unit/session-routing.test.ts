import { ErrorCode, VolleyError } from '@volley/protocol';
import { type IncomingMessage } from '@volley/session';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { create, host, session, useFakeSession, watch } from './session-harness.js';

/* How a session routes inbound frames, and what it does with bad ones. */

useFakeSession();

describe('routing', () => {
  it('settles a pending request with `_r`', async () => {
    const answer = session.request('sum', { a: 1, b: 2 });
    expect(host.written).toEqual(['{"n":"sum","p":{"a":1,"b":2},"i":"1"}']);
    expect(session.pendingCount).toBe(1);
    session.receive('{"n":"_r","i":"1","p":3}');
    await expect(answer).resolves.toBe(3);
    expect(session.pendingCount).toBe(0);
  });

  it('rejects a pending request with MESSAGE_REJECTED when `_r` carries `e`', async () => {
    const answer = session.request('delete', 'x');
    session.receive('{"n":"_r","i":"1","e":{"name":"Error","message":"no","code":"E_NO"}}');
    await expect(answer).rejects.toMatchObject({ code: ErrorCode.MESSAGE_REJECTED, payload: { name: 'Error', message: 'no', code: 'E_NO' } });
  });

  it('resolves when line-socket sends `"e": null`', async () => {
    const answer = session.request('sum');
    session.receive('{"n":"_r","i":"1","p":3,"e":null}');
    await expect(answer).resolves.toBe(3);
  });

  it('ignores a `_r` that matches nothing, and never answers it', () => {
    session.receive('{"n":"_r","i":"zz","p":1}');
    session.receive('{"n":"_r","p":1}');
    expect(host.written).toEqual([]);
    expect(host.errors).toEqual([]);
  });

  it('answers `_p` with a pong, even before the handshake', () => {
    create({ connected: false });
    session.receive('{"n":"_p","i":"b"}');
    expect(host.written).toEqual(['{"n":"_r","i":"b","p":"pong"}']);
    expect(host.errors).toEqual([]);
  });

  it('ignores `_p` without an id', () => {
    session.receive('{"n":"_p"}');
    expect(host.written).toEqual([]);
  });

  it('hands `_h` to the host that handles handshakes, which can answer it', () => {
    create({ handshake: true, connected: false });
    session.receive('{"n":"_h","p":{"token":"t1"},"i":"1"}');
    expect(host.handshakes).toHaveLength(1);
    const message = host.handshakes[0]!;
    expect(message.name).toBe('_h');
    expect(message.payload).toEqual({ token: 't1' });
    expect(message.id).toBe('1');
    expect(message.resolve({ payload: { user: 'ann' }, id: 'ann' })).toBe(true);
    expect(host.written).toEqual(['{"n":"_r","i":"1","p":{"payload":{"user":"ann"},"id":"ann"}}']);
  });

  it('treats `_h` as an unknown reserved name where no host handles it (client side)', () => {
    session.receive('{"n":"_h","p":{},"i":"1"}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_FRAME]);
    expect(host.frames()).toEqual([{ n: '_r', i: '1', e: expect.objectContaining({ code: ErrorCode.INVALID_FRAME, name: 'VolleyError' }) }]);
  });

  it('hands a handshake carried in the upgrade to the host as the `_h` it stands for, answered under the upgrade id', () => {
    create({ handshake: true, connected: false });
    session.receiveUpgradeHandshake({ token: 't2' });
    expect(host.handshakes).toHaveLength(1);
    const message = host.handshakes[0]!;
    expect([message.name, message.id, message.payload]).toEqual(['_h', '-h', { token: 't2' }]);
    expect(message.resolve({ id: 'c1' })).toBe(true);
    expect(host.written).toEqual(['{"n":"_r","i":"-h","p":{"id":"c1"}}']);
  });

  it('refuses a handshake carried in the upgrade where no host handles handshakes', () => {
    session.receiveUpgradeHandshake(undefined);
    expect(host.handshakes).toEqual([]);
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_FRAME]);
    expect(host.frames()).toEqual([{ n: '_r', i: '-h', e: expect.objectContaining({ code: ErrorCode.INVALID_FRAME }) }]);
  });

  it('answers an unknown reserved name with an error when it has an id', () => {
    session.receive('{"n":"_c","i":"9"}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_FRAME]);
    expect(host.frames()).toEqual([{ n: '_r', i: '9', e: expect.objectContaining({ code: ErrorCode.INVALID_FRAME }) }]);
  });

  it('only reports an unknown reserved name without an id', () => {
    session.receive('{"n":"_c","p":1}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_FRAME]);
    expect(host.written).toEqual([]);
  });

  it('dispatches an application message with its payload and id', () => {
    const seen: IncomingMessage[] = [];
    host.handlers.set('news', (message) => seen.push(message));
    session.receive('{"n":"news","p":"hello","x":1}');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.payload).toBe('hello');
    expect(seen[0]!.id).toBeUndefined();
    expect(seen[0]!.isRequest).toBe(false);
    expect(host.written).toEqual([]);
  });
});

describe('bad frames', () => {
  it('reports INVALID_JSON and answers nothing', () => {
    session.receive('{"n":"sum","i":"7"');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_JSON]);
    expect(host.written).toEqual([]);
  });

  it('reports INVALID_FRAME and answers the salvaged id', () => {
    session.receive('{"n":5,"i":"7"}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_FRAME]);
    expect(host.frames()).toEqual([{ n: '_r', i: '7', e: expect.objectContaining({ code: ErrorCode.INVALID_FRAME }) }]);
  });

  it('never answers a malformed `_r`, even with an id', () => {
    const answer = watch(session.request('sum'));
    session.receive('{"n":"_r","i":"1","e":[1]}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_FRAME]);
    expect(host.written).toHaveLength(1); // only the request itself
    expect(answer.settled).toBe('pending');
  });

  it('reports INVALID_FRAME without an answer when the id is unusable', () => {
    session.receive(`{"n":"x","i":"${'a'.repeat(65)}"}`);
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_FRAME]);
    expect(host.written).toEqual([]);
  });

  it('never throws for arbitrary strings (property)', () => {
    // Real timers: nothing here waits, and fake ones make each run much slower.
    vi.useRealTimers();
    const frameLike = fc
      .record(
        {
          n: fc.oneof(fc.constantFrom('_r', '_p', '_h', '_x', 'echo', 'silent', 'throws', 'none', ''), fc.jsonValue()),
          p: fc.jsonValue(),
          i: fc.oneof(fc.constantFrom('1', '2', 'a'), fc.string({ maxLength: 70 }), fc.jsonValue()),
          e: fc.oneof(fc.constant(null), fc.string(), fc.jsonValue()),
        },
        { requiredKeys: [] },
      )
      .map((value) => JSON.stringify(value));
    const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.jsonValue().map((value) => JSON.stringify(value)), frameLike);
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.array(text, { maxLength: 6 }), (withHandshake, connected, texts) => {
        create({ handshake: withHandshake, connected });
        host.handlers.set('echo', (message) => message.resolve(message.payload));
        host.handlers.set('silent', () => undefined);
        host.handlers.set('throws', () => {
          throw Object.create(null);
        });
        if (connected) void session.request('sum').catch(() => undefined);
        // A throw fails the property; every answer written must itself be valid JSON.
        for (const t of texts) session.receive(t);
        for (const frame of host.written) JSON.parse(frame);
        session.close();
      }),
      { numRuns: 300 },
    );
  });
});
