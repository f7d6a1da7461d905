import {
  Client,
  ClientEvent,
  CloseCode,
  ErrorCode,
  type IncomingMessage,
  VolleyError,
} from '@volley/client';
import { describe, expect, it, vi } from 'vitest';
import { errorCodes, flush, named, newClient, rejection, URL, useFakeClient, watch } from './client-harness.js';
import { FakeWebSocket } from './fake-web-socket.js';

/* connect(): the socket, the handshake (in a frame or in the upgrade), its timeout and its failures. */

useFakeClient();

describe('connect()', () => {
  it('sends _h with the handshake payload, resolves with the server data and takes the connection id', async () => {
    const { client, log } = newClient({ handshake: { payload: { token: 't1' } } });
    expect(client.state).toBe('disconnected');
    const connecting = client.connect();
    expect(client.state).toBe('connecting');
    const socket = FakeWebSocket.last();
    expect(socket.url).toBe(URL);
    expect(socket.rawSent).toEqual([]); // nothing before the socket opens
    socket.open();
    const handshake = socket.handshakeRequest();
    expect(socket.sent).toEqual([{ n: '_h', p: { token: 't1' }, i: handshake.i }]);
    expect(typeof handshake.i).toBe('string');
    socket.receive({ n: '_r', i: handshake.i, p: { payload: { user: 'ann' }, id: 'ann' } });
    await expect(connecting).resolves.toEqual({ user: 'ann' });
    expect(client.id).toBe('ann');
    expect(client.state).toBe('connected');
    expect(named(log, ClientEvent.CONNECTING)).toHaveLength(1);
    expect(named(log, ClientEvent.CONNECTED)).toEqual([{ user: 'ann' }]);
  });

  it('omits p from _h when there is no handshake payload', () => {
    const { client } = newClient();
    const connecting = rejection(client.connect());
    const socket = FakeWebSocket.last();
    socket.open();
    expect(Object.keys(socket.handshakeRequest())).toEqual(['n', 'i']);
    socket.finishClose(1006);
    return connecting;
  });

  it('returns the same promise while connecting and the cached data once connected', async () => {
    const { client } = newClient();
    const first = client.connect();
    expect(client.connect()).toBe(first);
    const socket = FakeWebSocket.last();
    socket.open();
    socket.acceptHandshake('hi');
    expect(await first).toBe('hi');
    expect(await client.connect()).toBe('hi');
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(socket.sentNamed('_h')).toHaveLength(1);
  });

  it('rejects HANDSHAKE_REJECTED with the server reason and never reconnects', async () => {
    const { client, log } = newClient();
    const failure = rejection(client.connect());
    const socket = FakeWebSocket.last();
    socket.open();
    const reason = { name: 'Error', message: 'invalid token', code: 'AUTH' };
    socket.receive({ n: '_r', i: socket.handshakeRequest().i, e: reason });
    const error = await failure;
    expect(error).toBeInstanceOf(VolleyError);
    expect(error.code).toBe(ErrorCode.HANDSHAKE_REJECTED);
    expect(error.payload).toEqual(reason);
    expect(error.message).toContain('invalid token');
    // The server closes a rejected socket itself; the client must not close it first.
    expect(socket.closeCalls).toEqual([]);
    socket.finishClose(CloseCode.HANDSHAKE_REJECTED, 'Handshake rejected');
    expect(named(log, ClientEvent.DISCONNECTED)).toEqual([{ code: 4203, reason: 'Handshake rejected', willReconnect: false }]);
    expect(client.state).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(named(log, ClientEvent.RECONNECTING)).toEqual([]);
  });

  it('takes a plain-string rejection reason too (line-socket servers may send one)', async () => {
    const { client } = newClient();
    const failure = rejection(client.connect());
    const socket = FakeWebSocket.last();
    socket.open();
    socket.receive({ n: '_r', i: socket.handshakeRequest().i, e: 'banned' });
    const error = await failure;
    expect(error.code).toBe(ErrorCode.HANDSHAKE_REJECTED);
    expect(error.payload).toBe('banned');
  });

  it('fails with HANDSHAKE_ERROR and closes 4202 when the answer does not come in time', async () => {
    const { client } = newClient({ handshake: { timeout: 5000 } });
    const failure = rejection(client.connect());
    const socket = FakeWebSocket.last();
    socket.open();
    await vi.advanceTimersByTimeAsync(4999);
    expect(socket.closeCalls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    const error = await failure;
    expect(error.code).toBe(ErrorCode.HANDSHAKE_ERROR);
    expect(socket.closeCalls).toEqual([{ code: CloseCode.HANDSHAKE_FAILED, reason: 'Handshake failed' }]);
    expect(client.state).toBe('connecting');
    socket.finishClientClose();
    expect(client.state).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('waits 30 s for the handshake answer by default', async () => {
    const { client } = newClient();
    const connecting = client.connect();
    const state = watch(connecting);
    const failure = rejection(connecting);
    FakeWebSocket.last().open();
    await vi.advanceTimersByTimeAsync(29_999);
    expect(state.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await failure).code).toBe(ErrorCode.HANDSHAKE_ERROR);
  });

  it('fails with HANDSHAKE_ERROR and aborts the socket when it does not open within the timeout', async () => {
    const { client } = newClient({ handshake: { timeout: 5000 } });
    const failure = rejection(client.connect());
    const socket = FakeWebSocket.last();
    await vi.advanceTimersByTimeAsync(4999);
    expect(socket.closeCalls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect((await failure).code).toBe(ErrorCode.HANDSHAKE_ERROR);
    expect(socket.closeCalls).toEqual([{ code: undefined, reason: undefined }]);
    socket.finishClose(1006);
    expect(client.state).toBe('disconnected');
  });

  it('bounds opening and handshake together by the timeout', async () => {
    const { client } = newClient({ handshake: { timeout: 5000 } });
    const connecting = client.connect();
    const state = watch(connecting);
    const failure = rejection(connecting);
    await vi.advanceTimersByTimeAsync(3000);
    FakeWebSocket.last().open();
    await vi.advanceTimersByTimeAsync(1999);
    expect(state.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await failure).code).toBe(ErrorCode.HANDSHAKE_ERROR);
  });

  it.each([
    ['a string', 'hello'],
    ['null', null],
    ['no id', { payload: 1 }],
    ['a numeric id', { payload: 1, id: 5 }],
    ['no payload at all', undefined],
  ])('fails with HANDSHAKE_ERROR and closes 4202 on a malformed answer (%s)', async (_, answer) => {
    const { client, log } = newClient();
    const failure = rejection(client.connect());
    const socket = FakeWebSocket.last();
    socket.open();
    socket.receive({ n: '_r', i: socket.handshakeRequest().i, ...(answer === undefined ? {} : { p: answer }) });
    const error = await failure;
    expect(error.code).toBe(ErrorCode.HANDSHAKE_ERROR);
    expect(socket.closeCalls).toEqual([{ code: CloseCode.HANDSHAKE_FAILED, reason: 'Handshake failed' }]);
    expect(client.state).toBe('connecting');
    expect(client.id).toBeUndefined();
    expect(named(log, ClientEvent.CONNECTED)).toEqual([]);
    socket.finishClientClose();
    expect(client.state).toBe('disconnected');
  });

  it('fails with HANDSHAKE_ERROR when the socket closes before the answer, without reconnecting', async () => {
    const { client, log } = newClient();
    const failure = rejection(client.connect());
    FakeWebSocket.last().finishClose(1006); // e.g. nothing listens on the port
    const error = await failure;
    expect(error.code).toBe(ErrorCode.HANDSHAKE_ERROR);
    expect(error.message).toContain('1006');
    expect(client.state).toBe('disconnected');
    expect(named(log, ClientEvent.DISCONNECTED)).toEqual([{ code: 1006, reason: '', willReconnect: false }]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('fails with HANDSHAKE_ERROR and returns to disconnected when the WebSocket constructor throws', async () => {
    class Throwing extends FakeWebSocket {
      constructor(url: string) {
        super(url);
        throw new SyntaxError('bad URL');
      }
    }
    const client = new Client(URL, { WebSocket: Throwing });
    const error = await rejection(client.connect());
    expect(error.code).toBe(ErrorCode.HANDSHAKE_ERROR);
    expect(error.message).toContain('bad URL');
    expect(client.state).toBe('disconnected');
  });

  it('schedules the next attempt when the WebSocket constructor throws during a reconnection', async () => {
    let failNext = false;
    class Flaky extends FakeWebSocket {
      constructor(url: string) {
        super(url);
        if (failNext) {
          failNext = false;
          throw new Error('offline');
        }
      }
    }
    const { client, log } = newClient({ WebSocket: Flaky, reconnectOptions: { jitter: 0 } });
    const connecting = client.connect();
    FakeWebSocket.last().open();
    FakeWebSocket.last().acceptHandshake(null);
    await connecting;
    failNext = true;
    FakeWebSocket.last().finishClose(1006);
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(client.state).toBe('reconnecting');
    expect(named(log, ClientEvent.RECONNECTING)).toEqual([
      { attempt: 1, delay: 1000 },
      { attempt: 2, delay: 1500 },
    ]);
    await vi.advanceTimersByTimeAsync(1500);
    FakeWebSocket.last().open();
    FakeWebSocket.last().acceptHandshake('back');
    await flush();
    expect(client.state).toBe('connected');
  });

  it('dispatches a request that arrives in the same read right after the handshake answer', async () => {
    const { client, log } = newClient();
    const confirms: IncomingMessage[] = [];
    client.on('confirm', (message) => {
      confirms.push(message);
      message.resolve(true);
    });
    const connecting = client.connect();
    const socket = FakeWebSocket.last();
    socket.open();
    // Two frames delivered back to back, with no chance for promise callbacks in between.
    socket.acceptHandshake({ ok: 1 }, 'ann');
    socket.receive({ n: 'confirm', p: { q: 'sure?' }, i: 's1' });
    expect(confirms.map((m) => m.payload)).toEqual([{ q: 'sure?' }]);
    expect(socket.lastSent()).toEqual({ n: '_r', i: 's1', p: true });
    expect(errorCodes(log)).toEqual([]);
    await expect(connecting).resolves.toEqual({ ok: 1 });
  });

  it('keeps a successful handshake when a _connected listener throws, reporting the error', async () => {
    const { client, log } = newClient({ reconnectOptions: { jitter: 0, maxAttempts: 2 } });
    client.on(ClientEvent.CONNECTED, () => {
      throw new Error('listener bug');
    });
    const connecting = client.connect();
    const socket = FakeWebSocket.last();
    socket.open();
    socket.acceptHandshake('welcome');
    expect(await connecting).toBe('welcome');
    expect(client.state).toBe('connected');
    expect(socket.closeCalls).toEqual([]);
    const errors = named(log, ClientEvent.ERROR) as VolleyError[];
    expect(errors.map((error) => error.message)).toEqual(['A "_connected" listener threw: listener bug']);
  });

  it('refuses an application request that arrives before the handshake answer', async () => {
    const { client, log } = newClient();
    const handler = vi.fn();
    client.on('confirm', handler);
    const connecting = client.connect();
    const socket = FakeWebSocket.last();
    socket.open();
    socket.receive({ n: 'confirm', p: { q: 'too early' }, i: 's1' });
    expect(handler).not.toHaveBeenCalled();
    const answer = socket.lastSent();
    expect(answer).toMatchObject({ n: '_r', i: 's1', e: { name: 'VolleyError', code: ErrorCode.HANDSHAKE_PENDING } });
    expect(errorCodes(log)).toEqual([ErrorCode.HANDSHAKE_PENDING]);
    socket.acceptHandshake(null);
    await connecting;
  });
});
