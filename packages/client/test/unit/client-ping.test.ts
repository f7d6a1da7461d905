import { ClientEvent, CloseCode, ErrorCode } from '@volley/client';
import { describe, expect, it, vi } from 'vitest';
import { connectedClient, errorCodes, named, rejection, useFakeClient } from './client-harness.js';
import { FakeWebSocket } from './fake-web-socket.js';

/* Pings: on demand and on the interval, and a dead peer cut at once. */

useFakeClient();

describe('ping', () => {
  it('pings after a quiet period and closes 4201 when the ping is not answered', async () => {
    const { socket, log } = await connectedClient({ pingInterval: 1000, responseTimeout: 500 });
    await vi.advanceTimersByTimeAsync(999);
    expect(socket.sentNamed('_p')).toEqual([]); // never before a full interval of quiet
    // The handshake answer counts as traffic, so the first ping comes within two intervals.
    await vi.advanceTimersByTimeAsync(1001);
    const pings = socket.sentNamed('_p');
    expect(pings).toHaveLength(1);
    expect(Object.keys(pings[0]!)).toEqual(['n', 'i']);
    expect(socket.closeCalls).toEqual([]);
    await vi.advanceTimersByTimeAsync(500);
    expect(socket.closeCalls).toEqual([{ code: CloseCode.PING_FAILED, reason: 'Ping failed' }]);
    expect(errorCodes(log)).toEqual([ErrorCode.PING_ERROR]);
    socket.finishClientClose();
    expect(named(log, ClientEvent.DISCONNECTED)).toEqual([{ code: 4201, reason: 'Ping failed', willReconnect: true }]);
  });

  it('terminates a ws-like socket whose ping failed, so no close timer lingers', async () => {
    const { socket } = await connectedClient({ pingInterval: 1000, responseTimeout: 500 });
    let terminated = 0;
    (socket as unknown as { terminate: () => void }).terminate = () => {
      terminated += 1;
    };
    await vi.advanceTimersByTimeAsync(2499);
    expect(terminated).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(terminated).toBe(1);
  });

  it('ends the connection when a ping fails, without waiting for the dead peer to echo the close', async () => {
    const { client, socket, log } = await connectedClient({ pingInterval: 1000, responseTimeout: 500, reconnectOptions: { jitter: 0 } });
    const pending = rejection(client.send('slow', undefined, 0));
    await vi.advanceTimersByTimeAsync(2500);
    expect(socket.closeCalls).toEqual([{ code: CloseCode.PING_FAILED, reason: 'Ping failed' }]);
    expect((await pending).code).toBe(ErrorCode.DISCONNECTED);
    expect(named(log, ClientEvent.DISCONNECTED)).toEqual([{ code: 4201, reason: 'Ping failed', willReconnect: true }]);
    expect(client.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeWebSocket.instances).toHaveLength(2);
    // The old socket's close, whenever it comes, changes nothing.
    socket.finishClientClose();
    expect(named(log, ClientEvent.DISCONNECTED)).toHaveLength(1);
  });

  it('keeps the connection when the ping is answered, and pings again after the next quiet period', async () => {
    const { socket, log } = await connectedClient({ pingInterval: 1000, responseTimeout: 500 });
    await vi.advanceTimersByTimeAsync(2000);
    const first = socket.sentNamed('_p');
    expect(first).toHaveLength(1);
    socket.receive({ n: '_r', i: first[0]!.i, p: 'pong' });
    // The pong counts as traffic: the next tick skips, the one after pings.
    await vi.advanceTimersByTimeAsync(1000);
    expect(socket.sentNamed('_p')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    const pings = socket.sentNamed('_p');
    expect(pings).toHaveLength(2);
    expect(pings[1]!.i).not.toBe(pings[0]!.i);
    socket.receive({ n: '_r', i: pings[1]!.i, p: 'pong' });
    await vi.advanceTimersByTimeAsync(1500);
    expect(socket.closeCalls).toEqual([]);
    expect(errorCodes(log)).toEqual([]);
  });

  it('does not ping while frames keep arriving', async () => {
    const { socket } = await connectedClient({ pingInterval: 1000 });
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(900);
      socket.receive({ n: 'news', p: i });
    }
    expect(socket.sentNamed('_p')).toEqual([]);
  });

  it('does not ping with pingInterval 0', async () => {
    const { socket } = await connectedClient({ pingInterval: 0 });
    await vi.advanceTimersByTimeAsync(600_000);
    expect(socket.sentNamed('_p')).toEqual([]);
  });

  it('pings every 20 s of quiet by default', async () => {
    const { socket } = await connectedClient();
    await vi.advanceTimersByTimeAsync(19_999);
    expect(socket.sentNamed('_p')).toEqual([]);
    await vi.advanceTimersByTimeAsync(20_001);
    expect(socket.sentNamed('_p')).toHaveLength(1);
  });

  it('ping() resolves on pong', async () => {
    const { client, socket } = await connectedClient();
    const pinged = client.ping();
    socket.receive({ n: '_r', i: socket.lastSent().i, p: 'pong' });
    await expect(pinged).resolves.toBeUndefined();
  });

  it("answers the server's ping with pong", async () => {
    const { socket } = await connectedClient();
    socket.receive({ n: '_p', i: 'p1' });
    expect(socket.lastSent()).toEqual({ n: '_r', i: 'p1', p: 'pong' });
  });

  it('stops pinging once disconnected', async () => {
    const { client, socket } = await connectedClient({ pingInterval: 1000, reconnect: false });
    const done = client.disconnect();
    socket.finishClientClose();
    await done;
    expect(vi.getTimerCount()).toBe(0);
  });
});
