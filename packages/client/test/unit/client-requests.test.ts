import { CloseCode, ErrorCode } from '@volley/client';
import { describe, expect, it, vi } from 'vitest';
import { connectedClient, errorCodes, newClient, rejection, useFakeClient } from './client-harness.js';
import { FakeWebSocket } from './fake-web-socket.js';

/* Requests both ways, handlers, and the inbound frame size limit. */

useFakeClient();

describe('requests', () => {
  it('sends a request and resolves with the answer', async () => {
    const { client, socket } = await connectedClient();
    const three = client.send('sum', { a: 1, b: 2 });
    const frame = socket.lastSent();
    expect(frame).toEqual({ n: 'sum', p: { a: 1, b: 2 }, i: frame.i });
    expect(client.pendingRequests).toBe(1);
    socket.receive({ n: '_r', i: frame.i, p: 3 });
    expect(await three).toBe(3);
    expect(client.pendingRequests).toBe(0);
  });

  it('rejects MESSAGE_REJECTED with the server error, and MESSAGE_TIMEOUT after responseTimeout', async () => {
    const { client, socket } = await connectedClient({ responseTimeout: 500 });
    const rejected = rejection(client.send('sum', { a: 1, b: 2 }));
    socket.receive({ n: '_r', i: socket.lastSent().i, e: { name: 'Error', message: 'no' } });
    expect(await rejected).toMatchObject({ code: ErrorCode.MESSAGE_REJECTED, payload: { name: 'Error', message: 'no' } });
    const timedOut = rejection(client.send('sum', { a: 1, b: 2 }));
    await vi.advanceTimersByTimeAsync(500);
    expect((await timedOut).code).toBe(ErrorCode.MESSAGE_TIMEOUT);
  });

  it('sends fire-and-forget messages without an id', async () => {
    const { client, socket } = await connectedClient();
    await client.sendWithoutResponse('hello', 'world');
    expect(socket.lastSent()).toEqual({ n: 'hello', p: 'world' });
  });

  it('rejects every pending request with DISCONNECTED when the socket drops', async () => {
    const { client, socket } = await connectedClient();
    const first = rejection(client.send('slow', 1));
    const second = rejection(client.send('slow', 2, 0)); // 0: no timeout, only the drop ends it
    expect(client.pendingRequests).toBe(2);
    socket.finishClose(1006);
    expect((await first).code).toBe(ErrorCode.DISCONNECTED);
    expect((await second).code).toBe(ErrorCode.DISCONNECTED);
    expect(client.pendingRequests).toBe(0);
  });

  it('rejects DISCONNECTED when not connected: before connect(), during the backoff wait, after disconnect()', async () => {
    const { client } = newClient({ reconnectOptions: { jitter: 0 } });
    expect((await rejection(client.send('sum', 1))).code).toBe(ErrorCode.DISCONNECTED);
    expect((await rejection(client.sendWithoutResponse('sum', 1))).code).toBe(ErrorCode.DISCONNECTED);
    expect((await rejection(client.ping())).code).toBe(ErrorCode.DISCONNECTED);

    const connecting = client.connect();
    const socket = FakeWebSocket.last();
    socket.open();
    // Connecting but not yet handshaken.
    expect((await rejection(client.send('sum', 1))).code).toBe(ErrorCode.DISCONNECTED);
    socket.acceptHandshake(null);
    await connecting;

    socket.finishClose(1006);
    expect(client.state).toBe('reconnecting');
    expect((await rejection(client.send('sum', 1))).code).toBe(ErrorCode.DISCONNECTED);

    await client.disconnect();
    expect((await rejection(client.send('sum', 1))).code).toBe(ErrorCode.DISCONNECTED);
    expect(socket.sentNamed('sum')).toEqual([]);
  });

  it('rejects reserved and empty names with INVALID_NAME', async () => {
    const { client } = await connectedClient();
    expect((await rejection(client.send('_h', 1))).code).toBe(ErrorCode.INVALID_NAME);
    expect((await rejection(client.send('', 1))).code).toBe(ErrorCode.INVALID_NAME);
  });

  it('answers NO_HANDLER for a server request nobody handles, and rejects one whose handler throws', async () => {
    const { client, socket, log } = await connectedClient();
    socket.receive({ n: 'unknown', i: 'x1' });
    expect(socket.lastSent()).toMatchObject({ n: '_r', i: 'x1', e: { code: ErrorCode.NO_HANDLER } });
    client.on('explode', () => {
      throw new Error('boom');
    });
    socket.receive({ n: 'explode', i: 'x2' });
    expect(socket.lastSent()).toMatchObject({ n: '_r', i: 'x2', e: { name: 'Error', message: 'boom' } });
    expect(errorCodes(log)).toEqual([ErrorCode.INTERNAL_ERROR]);
  });

  it('reports an invalid inbound frame and keeps working', async () => {
    const { client, socket, log } = await connectedClient();
    socket.receive('{not json');
    socket.receive({ n: 5 });
    socket.receiveBinary(new Uint8Array([1, 2]));
    expect(errorCodes(log)).toEqual([ErrorCode.INVALID_JSON, ErrorCode.INVALID_FRAME, ErrorCode.INVALID_FRAME]);
    const three = client.send('sum', { a: 1, b: 2 });
    socket.receive({ n: '_r', i: socket.lastSent().i, p: 3 });
    expect(await three).toBe(3);
  });
});

describe('maxPayload', () => {
  it('reports PAYLOAD_TOO_LARGE and closes 1009 for a longer frame; a frame of exactly maxPayload passes', async () => {
    const { client, socket, log } = await connectedClient({ maxPayload: 100 });
    const news: unknown[] = [];
    client.on('news', (message) => news.push(message.payload));
    const fits = JSON.stringify({ n: 'news', p: 'x'.repeat(100 - '{"n":"news","p":""}'.length) });
    expect(fits).toHaveLength(100);
    socket.receive(fits);
    expect(news).toHaveLength(1);
    expect(socket.closeCalls).toEqual([]);
    const tooLong = JSON.stringify({ n: 'news', p: 'x'.repeat(101 - '{"n":"news","p":""}'.length) });
    socket.receive(tooLong);
    expect(news).toHaveLength(1);
    expect(errorCodes(log)).toEqual([ErrorCode.PAYLOAD_TOO_LARGE]);
    expect(socket.closeCalls).toEqual([{ code: CloseCode.MESSAGE_TOO_BIG, reason: 'Frame too large' }]);
  });

  it('defaults to 1 MiB', async () => {
    const { socket, log } = await connectedClient();
    socket.receive(JSON.stringify({ n: 'news', p: 'x'.repeat(1024 * 1024) }));
    expect(errorCodes(log)).toEqual([ErrorCode.PAYLOAD_TOO_LARGE]);
    expect(socket.closeCalls).toEqual([{ code: 1009, reason: 'Frame too large' }]);
  });
});
