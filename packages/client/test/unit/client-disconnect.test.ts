import { ClientEvent, type ClientState, CloseCode, ErrorCode } from '@volley/client';
import { describe, expect, it, vi } from 'vitest';
import { connectedClient, flush, named, newClient, rejection, useFakeClient, watch } from './client-harness.js';
import { FakeWebSocket } from './fake-web-socket.js';

/* disconnect(), the closing state, and the order of state changes. */

useFakeClient();

describe('disconnect()', () => {
  it('closes with 1000, resolves only once the socket has closed, and does not reconnect', async () => {
    const { client, socket, log } = await connectedClient();
    const done = client.disconnect();
    const state = watch(done);
    expect(socket.closeCalls).toEqual([{ code: 1000, reason: '' }]);
    await flush();
    expect(state.settled).toBe(false);
    socket.finishClientClose();
    await done;
    expect(named(log, ClientEvent.DISCONNECTED)).toEqual([{ code: 1000, reason: '', willReconnect: false }]);
    expect(client.state).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('ends the connection after closeTimeout when the server never echoes the close, cutting a ws socket', async () => {
    const { client, socket, log } = await connectedClient({ closeTimeout: 1000 });
    let terminated = 0;
    (socket as unknown as { terminate: () => void }).terminate = () => {
      terminated += 1;
    };
    const pending = rejection(client.send('slow', undefined, 0));
    const done = client.disconnect();
    const state = watch(done);
    await vi.advanceTimersByTimeAsync(999);
    expect(state.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(terminated).toBe(1);
    expect((await pending).code).toBe(ErrorCode.DISCONNECTED);
    expect(named(log, ClientEvent.DISCONNECTED)).toEqual([{ code: 1000, reason: '', willReconnect: false }]);
    expect(client.state).toBe('disconnected');
    // The socket's own close, if it ever comes, changes nothing.
    socket.finishClientClose();
    expect(named(log, ClientEvent.DISCONNECTED)).toHaveLength(1);
  });

  it('leaves no timer behind when the close is echoed in time', async () => {
    const { client, socket } = await connectedClient({ closeTimeout: 1000, pingInterval: 0 });
    const done = client.disconnect();
    socket.finishClientClose();
    await done;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes its code and reason on', async () => {
    const { client, socket } = await connectedClient();
    const done = client.disconnect(CloseCode.CLIENT_DISPOSED, 'bye');
    expect(socket.closeCalls).toEqual([{ code: 4205, reason: 'bye' }]);
    socket.finishClientClose();
    await done;
  });

  it('does not reconnect even when the close event reports an abnormal code', async () => {
    const { client, socket, log } = await connectedClient();
    const done = client.disconnect();
    socket.finishClose(1006);
    await done;
    expect(named(log, ClientEvent.DISCONNECTED)).toEqual([{ code: 1006, reason: '', willReconnect: false }]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(client.state).toBe('disconnected');
  });

  it('cancels a scheduled reconnection and resolves at once', async () => {
    const { client, socket } = await connectedClient();
    socket.finishClose(1006);
    expect(client.state).toBe('reconnecting');
    await client.disconnect();
    expect(client.state).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('resolves at once when never connected, and a later connect() works', async () => {
    const { client } = newClient();
    await client.disconnect();
    expect(client.state).toBe('disconnected');
    const connecting = client.connect();
    FakeWebSocket.last().open();
    FakeWebSocket.last().acceptHandshake('ok');
    expect(await connecting).toBe('ok');
  });

  it('connect() right after disconnect() waits for the close, then connects anew', async () => {
    const { client, socket } = await connectedClient({}, 'first');
    const done = client.disconnect();
    const again = client.connect();
    const state = watch(again);
    await flush();
    expect(state.settled).toBe(false); // not the old connection's data
    expect(FakeWebSocket.instances).toHaveLength(1);
    socket.finishClientClose();
    await done;
    await flush();
    expect(FakeWebSocket.instances).toHaveLength(2);
    const second = FakeWebSocket.last();
    second.open();
    second.acceptHandshake('second');
    expect(await again).toBe('second');
    expect(client.state).toBe('connected');
  });

  it('makes a pending connect() reject with HANDSHAKE_ERROR', async () => {
    const { client } = newClient();
    const failure = rejection(client.connect());
    const socket = FakeWebSocket.last();
    socket.open();
    const done = client.disconnect();
    socket.finishClientClose();
    await done;
    expect((await failure).code).toBe(ErrorCode.HANDSHAKE_ERROR);
    expect(client.state).toBe('disconnected');
  });
});

describe('_stateChange', () => {
  it('reports every transition in order through connect, drop, failed retry, reconnect and disconnect', async () => {
    const { client, log } = newClient({ reconnectOptions: { jitter: 0 } });
    const connecting = client.connect();
    const first = FakeWebSocket.last();
    first.open();
    first.acceptHandshake(null);
    await connecting;
    first.finishClose(1006);
    await vi.advanceTimersByTimeAsync(1000);
    FakeWebSocket.last().finishClose(1006); // first retry fails
    await vi.advanceTimersByTimeAsync(1500);
    const third = FakeWebSocket.last();
    third.open();
    third.acceptHandshake(null);
    await flush();
    const done = client.disconnect();
    third.finishClientClose();
    await done;

    const transitions = (named(log, ClientEvent.STATE_CHANGE) as { oldState: ClientState; newState: ClientState }[]).map(
      ({ oldState, newState }) => `${oldState}>${newState}`,
    );
    expect(transitions).toEqual([
      'disconnected>connecting',
      'connecting>connected',
      'connected>reconnecting',
      'reconnecting>connecting',
      'connecting>reconnecting',
      'reconnecting>connecting',
      'connecting>connected',
      'connected>closing',
      'closing>disconnected',
    ]);
    // The lifecycle events interleave with the state changes in this order.
    expect(log.filter(([name]) => name !== ClientEvent.STATE_CHANGE).map(([name]) => name)).toEqual([
      '_connecting',
      '_connected',
      '_disconnected',
      '_reconnecting',
      '_connecting',
      '_disconnected',
      '_reconnecting',
      '_connecting',
      '_connected',
      '_disconnected',
    ]);
  });
});

describe('closing', () => {
  it('is the state from disconnect() until the socket closes; a second disconnect() awaits the same close', async () => {
    const { client, socket } = await connectedClient();
    const first = watch(client.disconnect());
    expect(client.state).toBe('closing');
    const second = watch(client.disconnect());
    expect(socket.closeCalls).toEqual([{ code: 1000, reason: '' }]);
    await flush();
    expect([first.settled, second.settled]).toEqual([false, false]);
    socket.finishClientClose();
    await flush();
    expect([first.settled, second.settled, client.state]).toEqual([true, true, 'disconnected']);
  });

  it('connect() while closing waits for the close, then opens a new socket', async () => {
    const { client, socket } = await connectedClient();
    const closed = client.disconnect();
    const reconnecting = client.connect();
    expect(FakeWebSocket.instances).toHaveLength(1);
    socket.finishClientClose();
    await closed;
    await flush();
    expect(FakeWebSocket.instances).toHaveLength(2);
    const next = FakeWebSocket.last();
    next.open();
    next.acceptHandshake({ again: true });
    await expect(reconnecting).resolves.toEqual({ again: true });
    expect(client.state).toBe('connected');
  });
});
