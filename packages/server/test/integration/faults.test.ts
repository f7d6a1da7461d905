/*
 * Fault injection: a server process killed mid-request, a client that vanishes without a FIN, a
 * TCP proxy that stalls or cuts traffic, and stop() with requests in flight both ways and a dead
 * peer among them. Each asserts that every promise settles (DISCONNECTED, never a hang), that the
 * dead side is freed, and that the client comes back when it can.
 */
import type { ClientDisconnectInfo } from '@volley/client';
import { type DisconnectInfo, ErrorCode, type Server, type ServerConnection, type VolleyError } from '@volley/server';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChildServer, ensureServerBuilt, TcpProxy, within } from './fault-helpers.js';
import {
  cleanup,
  connectClient,
  connectionOf,
  deferred,
  makeClient,
  onCleanup,
  record,
  rejectionOf,
  serveEcho,
  startServer,
  waitFor,
  waitForArgs,
} from '@volley/test-utils';

afterEach(cleanup);

/** Short enough for tests, long enough for a loaded machine to answer a live peer in time. */
const PING = { pingInterval: 50, responseTimeout: 500 } as const;
/** Backoff without jitter, so that the delays are predictable: 50, 75, 113, 169, 200, 200… */
const RECONNECT = { reconnect: true, reconnectOptions: { initialDelay: 50, maxDelay: 200, jitter: 0 } } as const;
/** How long anything that should happen soon may take before the test fails (not a speed bar). */
const SOON = 3000;

/** Registers a request handler that never answers; resolves when the first request arrives. */
function hang(side: { on(name: string, handler: () => void): unknown }): Promise<void> {
  const arrived = deferred();
  side.on('hang', () => arrived.resolve());
  return arrived.promise;
}

/** A server where `join` puts the connection in the room named by the payload, and `echo` echoes. */
function startRoomServer(options: Parameters<typeof startServer>[0] = {}): ReturnType<typeof startServer> {
  return startServer(options, (server: Server) => {
    serveEcho(server);
    server.on('connection', (connection) => {
      connection.on('join', async (message) => {
        await connection.joinRoom(message.payload as string);
        message.resolve(true);
      });
    });
  });
}

function codes(outcomes: PromiseSettledResult<unknown>[]): unknown[] {
  return outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as VolleyError).code : 'resolved'));
}

describe('a server process killed mid-request', () => {
  beforeAll(ensureServerBuilt, 180_000);

  it('rejects every pending request DISCONNECTED, retries with growing delays, and works again once a new server listens', async () => {
    const first = await ChildServer.start();
    const client = makeClient(first.url, { ...RECONNECT, handshake: { payload: { token: 't' } }, responseTimeout: 10_000 });
    expect(await client.connect()).toEqual({ pid: first.pid });
    expect(await client.send('echo', 'before')).toBe('before');

    const pending = [1, 2, 3].map((n) => rejectionOf(client.send('slow', n)));
    await first.waitForMessages('slow', 3);
    expect(client.pendingRequests).toBe(3);
    const dropped = waitFor<ClientDisconnectInfo>(client, '_disconnected');
    const attempts = record<{ attempt: number; delay: number }>(client, '_reconnecting');
    await first.kill();

    // DISCONNECTED, not MESSAGE_TIMEOUT: they fail when the socket drops, long before 10 s.
    const failures = await within(Promise.all(pending), SOON, 'the pending requests to reject');
    expect(failures.map((failure) => failure.code)).toEqual([ErrorCode.DISCONNECTED, ErrorCode.DISCONNECTED, ErrorCode.DISCONNECTED]);
    expect(client.pendingRequests).toBe(0);
    expect(await dropped).toMatchObject({ code: 1006, willReconnect: true });

    // Nothing listens: each attempt is refused and the next one waits longer.
    while (attempts.length < 4) await waitFor(client, '_reconnecting');
    expect(client.state).not.toBe('connected');
    expect(attempts.slice(0, 4).map(({ attempt }) => attempt)).toEqual([1, 2, 3, 4]);
    const delays = attempts.map(({ delay }) => delay);
    expect(delays.slice(0, 4)).toEqual([50, 75, 113, 169]);
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(200);

    // Allows for a slow process start on a loaded machine.
    const reconnected = waitFor(client, '_connected', 15_000);
    const second = await ChildServer.start(first.port);
    expect(second.pid).not.toBe(first.pid);
    expect(await reconnected).toEqual({ pid: second.pid });
    expect(client.state).toBe('connected');
    // The handshake ran again, with the same payload.
    expect(await second.waitForMessages('handshake', 1)).toEqual([{ type: 'handshake', payload: { token: 't' } }]);
    expect(await client.send('echo', 'after')).toBe('after');

    // A later drop starts the backoff over.
    const again = waitFor<{ attempt: number; delay: number }>(client, '_reconnecting');
    await second.kill();
    expect(await again).toEqual({ attempt: 1, delay: 50 });
  });
});

describe('a client that vanishes without a close frame or a FIN', () => {
  it('is found dead by the server ping; its connection and its rooms are freed', async () => {
    const { server, url } = await startRoomServer({ ...PING, closeTimeout: 200 });
    const proxy = await TcpProxy.start(server.port!);
    // The vanishing client does not ping: only the server can notice.
    const vanishing = await connectClient(proxy.url, { pingInterval: 0 });
    const staying = await connectClient(url, { pingInterval: 0 });
    onCleanup(() => proxy.cut());
    await vanishing.send('join', 'alone');
    await vanishing.send('join', 'shared');
    await staying.send('join', 'shared');
    expect((await server.getRooms()).sort()).toEqual(['alone', 'shared']);
    const connection = connectionOf(server, vanishing);
    const errors = record<VolleyError>(connection, '_error');
    const gone = waitForArgs<[ServerConnection, DisconnectInfo]>(server, 'disconnected', SOON);

    proxy.stall();
    const [which, info] = await gone;
    expect(which).toBe(connection);
    // The code the server sent: the dead peer never echoed it.
    expect(info.code).toBe(4201);
    expect(errors.map((error) => error.code)).toContain(ErrorCode.PING_ERROR);
    expect(connection.state).toBe('disconnected');
    expect(server.getConnections()).toEqual([connectionOf(server, staying)]);
    expect(await server.getRooms()).toEqual(['shared']);
    expect(await server.getRoom('shared').getConnectionIds()).toEqual([staying.id]);
    // The client saw nothing at all; the other connection still works.
    expect(vanishing.state).toBe('connected');
    expect(await staying.send('echo', 'still here')).toBe('still here');
  });
});

describe('a TCP proxy between client and server', () => {
  it('stall: the client ping fails, it closes with 4201, fails its requests and reconnects once the proxy forwards again', async () => {
    const { server } = await startRoomServer();
    const proxy = await TcpProxy.start(server.port!);
    const client = makeClient(proxy.url, { ...PING, ...RECONNECT });
    onCleanup(() => proxy.cut());
    await client.connect();
    const before = connectionOf(server, client);
    expect(await client.send('echo', 1)).toBe(1);
    const errors = record<VolleyError>(client, '_error');
    const dropped = waitFor<ClientDisconnectInfo>(client, '_disconnected', SOON);
    const reconnected = waitFor(client, '_connected', SOON);

    proxy.stall();
    const lost = rejectionOf(client.send('echo', 'lost', 0));
    const info = await dropped;
    // Forward new connections again before the first retry (its timer cannot fire before this).
    proxy.resume();
    expect(info).toEqual({ code: 4201, reason: 'Ping failed', willReconnect: true });
    expect(errors.map((error) => error.code)).toContain(ErrorCode.PING_ERROR);
    expect((await within(lost, SOON, 'the lost request to reject')).code).toBe(ErrorCode.DISCONNECTED);

    await reconnected;
    expect(proxy.accepted).toBe(2);
    expect(await client.send('echo', 2)).toBe(2);
    const after = connectionOf(server, client);
    expect(after).not.toBe(before);
    expect(after.state).toBe('connected');
  });

  it('stall before the upgrade: connect() fails by the handshake timeout instead of hanging', async () => {
    const { server } = await startRoomServer();
    const proxy = await TcpProxy.start(server.port!);
    proxy.stall();
    const client = makeClient(proxy.url, { handshake: { timeout: 200 } });
    onCleanup(() => proxy.cut());

    const failure = await within(rejectionOf(client.connect()), SOON, 'a connect through a stalled proxy to fail');
    expect(failure.code).toBe(ErrorCode.HANDSHAKE_ERROR);
    expect(client.state).toBe('disconnected');
    expect(proxy.accepted).toBe(1);
    expect(server.getConnections()).toEqual([]);
  });

  it('cut: requests in flight both ways reject DISCONNECTED on each side, and the client reconnects', async () => {
    const { server } = await startRoomServer();
    const proxy = await TcpProxy.start(server.port!);
    const client = makeClient(proxy.url, RECONNECT);
    await client.connect();
    const connection = connectionOf(server, client);
    const arrivals = [hang(connection), hang(client)];
    const toServer = rejectionOf(client.send('hang', 'up', 0));
    const toClient = rejectionOf(connection.send('hang', 'down', 0));
    await Promise.all(arrivals);
    const serverSaw = waitFor<DisconnectInfo>(connection, '_disconnected', SOON);
    const clientSaw = waitFor<ClientDisconnectInfo>(client, '_disconnected', SOON);
    const reconnected = waitFor(client, '_connected', SOON);

    proxy.cut();
    expect((await toServer).code).toBe(ErrorCode.DISCONNECTED);
    expect((await toClient).code).toBe(ErrorCode.DISCONNECTED);
    expect(await clientSaw).toMatchObject({ code: 1006, willReconnect: true });
    expect((await serverSaw).code).toBe(1006);

    await reconnected;
    expect(proxy.accepted).toBe(2);
    expect(await client.send('echo', 'back')).toBe('back');
    expect(server.getConnections()).toEqual([connectionOf(server, client)]);
    expect(connectionOf(server, client)).not.toBe(connection);
  });
});

describe('server.stop() with requests in flight', () => {
  it('settles every request both ways, on a live and on a dead peer, and on requests sent while stopping', async () => {
    const { server, url } = await startServer({ closeTimeout: 200 });
    const proxy = await TcpProxy.start(server.port!);
    const live = await connectClient(url);
    // Behind the proxy, about to become unreachable; it pings, so it can find out on its own.
    const dead = await connectClient(proxy.url, PING);
    onCleanup(() => proxy.cut());
    const clients = [live, dead];
    const connections = clients.map((client) => connectionOf(server, client));
    const arrivals: Promise<void>[] = [];
    const sends: Promise<unknown>[] = [];
    for (const [index, client] of clients.entries()) {
      const connection = connections[index]!;
      arrivals.push(hang(connection), hang(client));
      for (let n = 0; n < 3; n++) sends.push(client.send('hang', n, 0), connection.send('hang', n, 0));
    }
    const early = Promise.allSettled(sends);
    await Promise.all(arrivals);
    const closes = connections.map((connection) => waitFor<DisconnectInfo>(connection, '_disconnected', SOON));

    proxy.stall();
    const stopped = server.stop();
    // Sent after stop() began: the server ignores them, so only the end of the connection can
    // settle them.
    const late = Promise.allSettled([live.send('hang', 'late', 0), dead.send('hang', 'late', 0)]);
    await within(stopped, SOON, 'server.stop()');
    expect(server.state).toBe('stopped');
    expect(server.getConnections()).toEqual([]);
    // The dead peer never echoed the close: cut after closeTimeout, reported with the code sent.
    expect((await Promise.all(closes)).map((info) => info.code)).toEqual([1001, 1001]);

    const outcomes = await within(Promise.all([early, late]), SOON, 'every request to settle');
    expect(codes(outcomes.flat())).toEqual(Array.from({ length: sends.length + 2 }, () => ErrorCode.DISCONNECTED));
    for (const side of [...clients, ...connections]) expect(side.pendingRequests).toBe(0);
    expect(dead.state).toBe('disconnected');
  });
});
