import { ClientEvent, CloseCode, ErrorCode, VolleyError } from '@volley/client';
import { describe, expect, it, vi } from 'vitest';
import { connectedClient, flush, named, URL, useFakeClient } from './client-harness.js';
import { FakeWebSocket } from './fake-web-socket.js';

/* Reconnection after a drop: backoff, attempts, and when the client never reconnects. */

useFakeClient();

describe('reconnection', () => {
  it('after a drop: _disconnected, _reconnecting with the backoff delay, a new socket, the same handshake', async () => {
    const { client, socket, log } = await connectedClient({ handshake: { payload: { token: 't1' } }, reconnectOptions: { jitter: 0 } });
    log.length = 0;
    socket.finishClose(1006, '');
    expect(log.slice(0, 3)).toEqual([
      [ClientEvent.DISCONNECTED, { code: 1006, reason: '', willReconnect: true }],
      [ClientEvent.STATE_CHANGE, { oldState: 'connected', newState: 'reconnecting' }],
      [ClientEvent.RECONNECTING, { attempt: 1, delay: 1000 }],
    ]);
    expect(client.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeWebSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(client.state).toBe('connecting');
    const second = FakeWebSocket.last();
    expect(second).not.toBe(socket);
    expect(second.url).toBe(URL);
    second.open();
    expect(second.sent).toEqual([{ n: '_h', p: { token: 't1' }, i: second.handshakeRequest().i }]);
    second.acceptHandshake({ hello: 'again' }, 'ann-2');
    await flush();
    expect(client.state).toBe('connected');
    expect(client.id).toBe('ann-2');
    expect(named(log, ClientEvent.CONNECTED)).toEqual([{ hello: 'again' }]);
  });

  it('grows the delay ×1.5 per failed attempt and starts over after a success', async () => {
    const { socket, log } = await connectedClient({ reconnectOptions: { jitter: 0 } });
    socket.finishClose(1006);
    for (const delay of [1000, 1500, 2250]) {
      await vi.advanceTimersByTimeAsync(delay);
      FakeWebSocket.last().finishClose(1006); // the server is still down
    }
    expect(named(log, ClientEvent.RECONNECTING)).toEqual([
      { attempt: 1, delay: 1000 },
      { attempt: 2, delay: 1500 },
      { attempt: 3, delay: 2250 },
      { attempt: 4, delay: 3375 },
    ]);
    await vi.advanceTimersByTimeAsync(3375);
    const back = FakeWebSocket.last();
    back.open();
    back.acceptHandshake('back');
    await flush();
    back.finishClose(1006);
    expect(named(log, ClientEvent.RECONNECTING).at(-1)).toEqual({ attempt: 1, delay: 1000 });
    expect(FakeWebSocket.instances).toHaveLength(5);
  });

  it('applies jitter with the default options', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const { socket, log } = await connectedClient();
    socket.finishClose(1006);
    // 1000 × (1 − 0.5 × 0.5)
    expect(named(log, ClientEvent.RECONNECTING)).toEqual([{ attempt: 1, delay: 750 }]);
    await vi.advanceTimersByTimeAsync(749);
    expect(FakeWebSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('retries after a handshake timeout during a reconnection attempt', async () => {
    const { socket, log } = await connectedClient({ handshake: { timeout: 2000 }, reconnectOptions: { jitter: 0 } });
    socket.finishClose(1006);
    await vi.advanceTimersByTimeAsync(1000);
    const second = FakeWebSocket.last();
    second.open();
    await vi.advanceTimersByTimeAsync(2000);
    expect(second.closeCalls).toEqual([{ code: CloseCode.HANDSHAKE_FAILED, reason: 'Handshake failed' }]);
    second.finishClientClose();
    expect(named(log, ClientEvent.RECONNECTING)).toEqual([
      { attempt: 1, delay: 1000 },
      { attempt: 2, delay: 1500 },
    ]);
  });

  it('stops for good when the server rejects the handshake of a reconnection attempt', async () => {
    const { client, socket, log } = await connectedClient({ reconnectOptions: { jitter: 0 } });
    socket.finishClose(1006);
    await vi.advanceTimersByTimeAsync(1000);
    const second = FakeWebSocket.last();
    second.open();
    second.receive({ n: '_r', i: second.handshakeRequest().i, e: { name: 'Error', message: 'token expired' } });
    await flush();
    const rejected = named(log, ClientEvent.ERROR) as VolleyError[];
    expect(rejected.map((e) => e.code)).toEqual([ErrorCode.HANDSHAKE_REJECTED]);
    expect(rejected[0]!.payload).toEqual({ name: 'Error', message: 'token expired' });
    second.finishClose(CloseCode.HANDSHAKE_REJECTED, 'Handshake rejected');
    expect(named(log, ClientEvent.DISCONNECTED).at(-1)).toEqual({ code: 4203, reason: 'Handshake rejected', willReconnect: false });
    expect(client.state).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('gives up after maxAttempts failed attempts', async () => {
    const { client, socket, log } = await connectedClient({ reconnectOptions: { jitter: 0, maxAttempts: 2 } });
    socket.finishClose(1006);
    await vi.advanceTimersByTimeAsync(1000);
    FakeWebSocket.last().finishClose(1006);
    await vi.advanceTimersByTimeAsync(1500);
    FakeWebSocket.last().finishClose(1006);
    expect(named(log, ClientEvent.RECONNECTING)).toEqual([
      { attempt: 1, delay: 1000 },
      { attempt: 2, delay: 1500 },
    ]);
    expect(named(log, ClientEvent.DISCONNECTED).map((info) => (info as { willReconnect: boolean }).willReconnect)).toEqual([true, true, false]);
    expect(client.state).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(3);
  });

  it('does not reconnect when reconnect is false', async () => {
    const { client, socket, log } = await connectedClient({ reconnect: false });
    socket.finishClose(1006);
    expect(named(log, ClientEvent.DISCONNECTED)).toEqual([{ code: 1006, reason: '', willReconnect: false }]);
    expect(client.state).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('connect() during the backoff wait connects at once and cancels the scheduled attempt', async () => {
    // No pings: the fake server never answers them, and a failed ping would end the connection.
    const { client, socket } = await connectedClient({ pingInterval: 0, reconnectOptions: { jitter: 0 } });
    socket.finishClose(1006);
    const connecting = client.connect();
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last().open();
    FakeWebSocket.last().acceptHandshake('now');
    expect(await connecting).toBe('now');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('keeps message handlers across reconnections', async () => {
    const { client, socket } = await connectedClient({ reconnectOptions: { jitter: 0 } });
    const seen: unknown[] = [];
    client.on('news', (message) => seen.push(message.payload));
    socket.receive({ n: 'news', p: 'one' });
    socket.finishClose(1006);
    await vi.advanceTimersByTimeAsync(1000);
    const second = FakeWebSocket.last();
    second.open();
    second.acceptHandshake(null);
    second.receive({ n: 'news', p: 'two' });
    expect(seen).toEqual(['one', 'two']);
  });
});
