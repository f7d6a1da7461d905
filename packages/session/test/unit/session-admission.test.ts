import { ErrorCode, VolleyError } from '@volley/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { create, host, microtasks, session, useFakeSession, watch } from './session-harness.js';

/* Every inbound frame, of every kind, takes a token of the rate limit and counts towards the refusals. */

useFakeSession();

describe('every inbound frame takes a token of the rate limit', () => {
  const rateLimit = { rate: 1, burst: 2 };
  const abusive: VolleyError[] = [];
  beforeEach(() => {
    abusive.length = 0;
  });

  function createLimited(connected: boolean): void {
    create({ rateLimit, maxRefusals: 2, connected });
    host.abusive = (error) => abusive.push(error);
  }

  it('before the handshake too: pings past the burst are refused and count as refusals', () => {
    createLimited(false);
    for (const id of ['a', 'b', 'c', 'd']) session.receive(`{"n":"_p","i":"${id}"}`);
    expect(host.frames()).toEqual([
      { n: '_r', i: 'a', p: 'pong' },
      { n: '_r', i: 'b', p: 'pong' },
      { n: '_r', i: 'c', e: expect.objectContaining({ code: ErrorCode.RATE_LIMITED }) },
      { n: '_r', i: 'd', e: expect.objectContaining({ code: ErrorCode.RATE_LIMITED }) },
    ]);
    expect(abusive).toHaveLength(1);
  });

  it('responses nothing awaits: ignored within the rate, refused past it (and never answered)', () => {
    createLimited(true);
    for (const id of ['a', 'b', 'c', 'd']) session.receive(`{"n":"_r","i":"${id}","p":1}`);
    expect(host.written).toEqual([]);
    expect(host.errors.map((error) => error.code)).toEqual([ErrorCode.RATE_LIMITED, ErrorCode.RATE_LIMITED]);
    expect(abusive).toHaveLength(1);
  });

  it('a response to a pending request settles it whatever the rate, and still takes a token', async () => {
    createLimited(true);
    const first = watch(session.request('ask'));
    const second = watch(session.request('ask'));
    const third = watch(session.request('ask'));
    for (const id of ['1', '2', '3']) session.receive(`{"n":"_r","i":"${id}","p":"ok"}`);
    await microtasks();
    expect([first.value, second.value, third.value]).toEqual(['ok', 'ok', 'ok']);
    // The bucket is empty now: the next request of the peer is refused.
    session.receive('{"n":"work","i":"w"}');
    expect(host.frames().at(-1)).toMatchObject({ n: '_r', i: 'w', e: { code: ErrorCode.RATE_LIMITED } });
  });

  it('binary frames are refused and counted, and take a token', () => {
    createLimited(true);
    session.receiveBinary();
    session.receiveBinary();
    expect(host.errors.map((error) => error.code)).toEqual([ErrorCode.INVALID_FRAME, ErrorCode.INVALID_FRAME]);
    expect(abusive).toHaveLength(1);
    session.receive('{"n":"work","i":"w"}');
    expect(host.frames()).toMatchObject([{ n: '_r', i: 'w', e: { code: ErrorCode.RATE_LIMITED } }]);
  });

  it('WebSocket control frames pass within the rate and are refused past it', () => {
    createLimited(true);
    session.receiveControl('pong');
    session.receiveControl('ping');
    expect(host.errors).toEqual([]);
    session.receiveControl('pong');
    session.receiveControl('ping');
    expect(host.errors.map((error) => error.message)).toEqual([
      '"WebSocket pong" refused: more than 1 messages per second',
      '"WebSocket ping" refused: more than 1 messages per second',
    ]);
    expect(abusive).toHaveLength(1);
  });

  it('without a rate limit control frames cost nothing and binary frames are still refused', () => {
    create({ maxRefusals: 0 });
    session.receiveControl('pong');
    session.receiveBinary();
    expect(host.errors.map((error) => error.code)).toEqual([ErrorCode.INVALID_FRAME]);
  });
});
