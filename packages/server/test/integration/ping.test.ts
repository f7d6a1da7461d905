import { ErrorCode, type ServerConnection, type VolleyError } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanup,
  connectClient,
  connectionOf,
  delay,
  RawPeer,
  record,
  startServer,
  waitFor,
} from '@volley/test-utils';

afterEach(cleanup);

/** The server connection a raw peer got, found by the id its handshake answer carried. */
async function rawConnected(url: string, server: Parameters<typeof connectionOf>[0], autoPong: boolean): Promise<{ peer: RawPeer; connection: ServerConnection }> {
  const peer = await RawPeer.open(url, { autoPong });
  const answer = await peer.handshake();
  const id = (answer.p as { id: string }).id;
  const connection = server.getConnectionById(id);
  if (connection === undefined) throw new Error('no connection for the raw peer');
  return { peer, connection };
}

describe('server pings', () => {
  it('pings a quiet peer every interval it stays quiet, and keeps it while it answers', async () => {
    const { server, url } = await startServer({ pingInterval: 50, responseTimeout: 1000 });
    const { peer, connection } = await rawConnected(url, server, true);
    const errors = record(connection, '_error');
    const pings = [];
    for (let count = 0; count < 3; count++) pings.push(await peer.nextFrame((frame) => frame.n === '_p'));
    for (const ping of pings) {
      expect(Object.keys(ping).sort()).toEqual(['i', 'n']);
      expect(typeof ping.i).toBe('string');
    }
    expect(new Set(pings.map((ping) => ping.i)).size).toBe(3);
    expect(errors).toEqual([]);
    expect(connection.state).toBe('connected');
    expect(await peer.barrier()).toEqual([]);
  });

  it('closes a peer that never answers pings with 4201 and reports PING_ERROR', async () => {
    const { server, url } = await startServer({ pingInterval: 50, responseTimeout: 100 });
    const { peer, connection } = await rawConnected(url, server, false);
    const errors = record<VolleyError>(connection, '_error');
    const serverSaw = waitFor<{ code: number }>(connection, '_disconnected');
    const serverEvent = waitFor<ServerConnection>(server, 'disconnected');

    expect((await serverSaw).code).toBe(4201);
    expect(await serverEvent).toBe(connection);
    expect((await peer.closed).code).toBe(4201);
    expect(peer.received.some((frame) => frame.n === '_p')).toBe(true);
    expect(errors.map((e) => e.code)).toContain(ErrorCode.PING_ERROR);
    expect(server.getConnections()).toEqual([]);
  });

  it('does not ping a peer whose traffic arrives more often than the interval', async () => {
    const { server, url } = await startServer({ pingInterval: 300, responseTimeout: 2000 });
    const ticks: unknown[] = [];
    server.on('connection', (connection) => connection.on('tick', (message) => void ticks.push(message.payload)));
    const busy = await rawConnected(url, server, true);
    const quiet = await rawConnected(url, server, true);

    // About three ping intervals of traffic, a frame every 25 ms.
    for (let n = 0; n < 36; n++) {
      busy.peer.send({ n: 'tick', p: n });
      await delay(25);
    }
    await busy.peer.barrier();

    expect(ticks).toHaveLength(36);
    expect(busy.peer.received.filter((frame) => frame.n === '_p')).toEqual([]);
    // The same server did ping the quiet peer meanwhile: pings were due, traffic postponed them.
    expect(quiet.peer.received.filter((frame) => frame.n === '_p').length).toBeGreaterThanOrEqual(1);
  });

  it('connection.ping() resolves when the client answers', async () => {
    const { server, url } = await startServer();
    const client = await connectClient(url);
    await expect(connectionOf(server, client).ping()).resolves.toBeUndefined();
  });
});

