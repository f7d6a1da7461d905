import type { Client } from '@volley/client';
import { ErrorCode, type ServerConnection } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanup,
  connectClient,
  connectionOf,
  deferred,
  RawPeer,
  record,
  rejectionOf,
  startRawServer,
  startServer,
  waitFor,
} from '@volley/test-utils';

afterEach(cleanup);

/** Registers a handler that never answers and resolves `arrived` when a request comes in. */
function hang(side: { on(name: string, handler: () => void): unknown }): Promise<void> {
  const arrived = deferred();
  side.on('hang', () => arrived.resolve());
  return arrived.promise;
}

describe('pending requests reject DISCONNECTED when the peer goes away', () => {
  it('client → server: the server closes the connection', async () => {
    const { server, url } = await startServer();
    const client = await connectClient(url);
    const connection = connectionOf(server, client);
    const arrived = hang(connection);
    const failure = rejectionOf(client.send('hang', undefined, 0));
    await arrived;
    expect(client.pendingRequests).toBe(1);
    await connection.close();
    expect((await failure).code).toBe(ErrorCode.DISCONNECTED);
    expect(client.pendingRequests).toBe(0);
  });

  it('client → server: the socket is cut without a close frame', async () => {
    const { url, sockets } = await startRawServer();
    const client = await connectClient(url);
    const [entry] = sockets;
    const failure = rejectionOf(client.send('hang', undefined, 0));
    while (!entry!.frames.some((frame) => frame.n === 'hang')) await waitFor(entry!.socket, 'message');
    const closed = waitFor<{ code: number }>(client, '_disconnected');
    entry!.socket.terminate();
    expect((await failure).code).toBe(ErrorCode.DISCONNECTED);
    expect((await closed).code).toBe(1006);
  });

  it('server → client: the client disconnects', async () => {
    const { server, url } = await startServer();
    const client = await connectClient(url);
    const connection = connectionOf(server, client);
    const arrived = hang(client);
    const failure = rejectionOf(connection.send('hang', undefined, 0));
    await arrived;
    expect(connection.pendingRequests).toBe(1);
    await client.disconnect();
    expect((await failure).code).toBe(ErrorCode.DISCONNECTED);
    expect(connection.pendingRequests).toBe(0);
  });

  it('server → client: the socket is cut without a close frame', async () => {
    const { server, url } = await startServer();
    const peer = await RawPeer.connect(url);
    const [connection] = server.getConnections();
    const failure = rejectionOf(connection!.send('hang', { x: 1 }, 0));
    const request = await peer.nextFrame((frame) => frame.n === 'hang');
    expect(request).toMatchObject({ p: { x: 1 }, i: expect.any(String) });
    const serverSaw = waitFor<{ code: number }>(connection!, '_disconnected');
    peer.terminate();
    expect((await failure).code).toBe(ErrorCode.DISCONNECTED);
    expect((await serverSaw).code).toBe(1006);
    expect(server.getConnections()).toEqual([]);
  });
});

describe('closing', () => {
  it('connection.close() resolves once closed and the client sees the code and reason', async () => {
    const { server, url } = await startServer();
    const client = await connectClient(url);
    const connection = connectionOf(server, client);
    const clientSaw = waitFor<{ code: number; reason: string; willReconnect: boolean }>(client, '_disconnected');
    const serverEvent = waitFor<ServerConnection>(server, 'disconnected');

    await connection.close(4000, 'bye');
    expect(connection.state).toBe('disconnected');
    expect(await clientSaw).toEqual({ code: 4000, reason: 'bye', willReconnect: false });
    expect(await serverEvent).toBe(connection);
    expect(client.state).toBe('disconnected');
    expect((await rejectionOf(connection.send('late'))).code).toBe(ErrorCode.DISCONNECTED);
    expect((await rejectionOf(client.send('late'))).code).toBe(ErrorCode.DISCONNECTED);
    // Closing again is harmless.
    await connection.close();
  });

  it('client.disconnect() resolves once closed; the server sees 1000; no reconnection follows', async () => {
    const { server, url } = await startServer();
    const client = await connectClient(url, { reconnect: true, reconnectOptions: { initialDelay: 1, maxDelay: 5 } });
    const connection = connectionOf(server, client);
    const serverSaw = waitFor<{ code: number }>(connection, '_disconnected');
    const reconnecting = record(client, '_reconnecting');
    const clientSaw = waitFor<{ willReconnect: boolean }>(client, '_disconnected');

    await client.disconnect();
    expect(client.state).toBe('disconnected');
    expect((await clientSaw).willReconnect).toBe(false);
    expect(reconnecting).toEqual([]);
    expect((await serverSaw).code).toBe(1000);
    expect(server.getConnections()).toEqual([]);
    expect((await rejectionOf(client.send('late'))).code).toBe(ErrorCode.DISCONNECTED);
  });

  it('server.stop() resolves with connections open; their pending requests reject DISCONNECTED', async () => {
    const { server, url } = await startServer();
    const clients: Client[] = [await connectClient(url), await connectClient(url)];
    const waiting = await RawPeer.open(url); // still in its handshake
    const sends: Promise<unknown>[] = [];
    const arrivals: Promise<void>[] = [];
    const closes = clients.map((client) => waitFor<{ code: number }>(client, '_disconnected'));
    for (const client of clients) {
      const connection = connectionOf(server, client);
      arrivals.push(hang(connection), hang(client));
      sends.push(client.send('hang', undefined, 0), connection.send('hang', undefined, 0));
    }
    // Settled handlers go on at once: the rejections come during stop().
    const settled = Promise.allSettled(sends);
    await Promise.all(arrivals);

    await server.stop();
    expect(server.state).toBe('stopped');
    expect(server.getConnections()).toEqual([]);
    const outcomes = await settled;
    expect(outcomes.map((outcome) => outcome.status === 'rejected' && outcome.reason.code)).toEqual([
      ErrorCode.DISCONNECTED,
      ErrorCode.DISCONNECTED,
      ErrorCode.DISCONNECTED,
      ErrorCode.DISCONNECTED,
    ]);
    expect((await Promise.all(closes)).map((info) => info.code)).toEqual([1001, 1001]);
    expect((await waiting.closed).code).toBe(1001);
  });
});

