import { ErrorCode, VolleyError } from '@volley/protocol';
import { type IncomingMessage } from '@volley/session';
import { beforeEach, describe, expect, it } from 'vitest';
import { create, host, session, useFakeSession } from './session-harness.js';

/* The handshake gate: nothing but the handshake before it completes, both sides. */

useFakeSession();

describe('handshake gate', () => {
  beforeEach(() => {
    create({ connected: false });
    host.handlers.set('sum', (message) => message.resolve(3));
  });

  it('refuses a request before the handshake with HANDSHAKE_PENDING, without dispatching it', () => {
    session.receive('{"n":"sum","p":{"a":1,"b":2},"i":"2"}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.HANDSHAKE_PENDING]);
    expect(host.frames()).toEqual([{ n: '_r', i: '2', e: expect.objectContaining({ code: ErrorCode.HANDSHAKE_PENDING }) }]);
  });

  it('drops a fire-and-forget message before the handshake', () => {
    const seen: IncomingMessage[] = [];
    host.handlers.set('news', (message) => seen.push(message));
    session.receive('{"n":"news","p":"hello"}');
    expect(seen).toEqual([]);
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.HANDSHAKE_PENDING]);
    expect(host.written).toEqual([]);
  });

  it('lets requests through once the gate opens', () => {
    session.handshakeDone();
    session.receive('{"n":"sum","i":"2"}');
    expect(host.written).toEqual(['{"n":"_r","i":"2","p":3}']);
  });

  it('refuses to send requests and messages while not open', async () => {
    await expect(session.request('sum')).rejects.toMatchObject({ code: ErrorCode.DISCONNECTED });
    expect(() => session.notify('news')).toThrow(expect.objectContaining({ code: ErrorCode.DISCONNECTED }));
    await expect(session.ping()).rejects.toMatchObject({ code: ErrorCode.DISCONNECTED });
    expect(host.written).toEqual([]);
  });

  it('sends the handshake (client side) and runs handshakeAccepted before later frames of the same read', () => {
    const order: string[] = [];
    host.handlers.set('confirm', (message) => {
      order.push(`confirm while gated=${String(session.gated)}`);
      message.resolve(true);
    });
    host.onAccepted = (result) => {
      order.push('accept');
      expect(result).toEqual({ payload: null, id: 'ann' });
      session.handshakeDone();
    };
    session.handshake({ token: 't1' });
    expect(host.written).toEqual(['{"n":"_h","p":{"token":"t1"},"i":"1"}']);
    session.receive('{"n":"_r","i":"1","p":{"payload":null,"id":"ann"}}');
    session.receive('{"n":"confirm","p":{"q":"delete?"},"i":"a"}');
    expect(order).toEqual(['accept', 'confirm while gated=false']);
    expect(host.handshakeOutcomes).toEqual([['accepted', { payload: null, id: 'ann' }]]);
    // The handshake is no pending request.
    expect(session.pendingCount).toBe(0);
  });

  it('hands what handshakeAccepted throws to handshakeFailed', () => {
    const malformed = new VolleyError(ErrorCode.HANDSHAKE_ERROR, 'Malformed handshake answer');
    host.onAccepted = () => {
      throw malformed;
    };
    session.handshake(undefined);
    session.receive('{"n":"_r","i":"1","p":42}');
    expect(host.handshakeOutcomes).toEqual([
      ['accepted', 42],
      ['failed', malformed],
    ]);
  });

  it('reports a rejected handshake as MESSAGE_REJECTED with the reason in payload, once', () => {
    session.handshake(undefined);
    session.receive('{"n":"_r","i":"1","e":{"name":"Error","message":"bad token"}}');
    session.receive('{"n":"_r","i":"1","p":{"id":"late"}}');
    expect(host.handshakeOutcomes).toHaveLength(1);
    const [kind, error] = host.handshakeOutcomes[0]!;
    expect(kind).toBe('failed');
    expect(error).toMatchObject({ code: ErrorCode.MESSAGE_REJECTED, payload: { name: 'Error', message: 'bad token' } });
  });

  it('awaits the answer to UPGRADE_HANDSHAKE_ID without writing anything when the handshake went in the upgrade', () => {
    session.handshake({ token: 't1' }, true);
    expect(host.written).toEqual([]);
    session.receive('{"n":"_r","i":"1","p":{"id":"other"}}');
    expect(host.handshakeOutcomes).toEqual([]);
    session.receive('{"n":"_r","i":"-h","p":{"id":"ann"}}');
    expect(host.handshakeOutcomes).toEqual([['accepted', { id: 'ann' }]]);
  });

  it('fails an unanswered handshake with DISCONNECTED on close, and not again on a second close', () => {
    session.handshake(undefined);
    session.close('the connection closed (1006)');
    session.close();
    expect(host.handshakeOutcomes).toHaveLength(1);
    expect(host.handshakeOutcomes[0]![1]).toMatchObject({ code: ErrorCode.DISCONNECTED, message: '"_h" failed: the connection closed (1006)' });
    // An answer after the close reaches nobody.
    session.receive('{"n":"_r","i":"1","p":{"id":"ann"}}');
    expect(host.handshakeOutcomes).toHaveLength(1);
  });

  it('fails at once when the handshake payload cannot be serialised or the write fails', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    session.handshake(cyclic);
    expect(host.handshakeOutcomes.map(([kind, error]) => [kind, (error as VolleyError).code])).toEqual([['failed', ErrorCode.INVALID_JSON]]);
    host.failWrites = new Error('socket gone');
    session.handshake(undefined);
    expect(host.handshakeOutcomes.map(([kind, error]) => [kind, (error as VolleyError).code])).toEqual([
      ['failed', ErrorCode.INVALID_JSON],
      ['failed', ErrorCode.WEBSOCKET_ERROR],
    ]);
    // Nothing is left awaiting: a close reports nothing more.
    session.close();
    expect(host.handshakeOutcomes).toHaveLength(2);
  });
});
