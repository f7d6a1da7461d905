import { Client, ErrorCode } from '@volley/client';
import { Server } from '@volley/server';
import { cleanup, onCleanup, rejectionOf, requireRedis, skipRedis, waitFor, waitForArgs } from '@volley/test-utils';
import { cleanPrefix, startNode } from '../redis-helpers.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

/*
 * server.connection(id) for a connection on another node, through Redis: the operation is
 * applied by the connection's own node, and resolves false when no node has it.
 */

const skip = await skipRedis();

afterEach(cleanup);

async function clientOf(server: Server): Promise<Client> {
  const connected = waitFor(server, 'connection');
  const client = new Client(`ws://127.0.0.1:${server.port}`, { WebSocket, reconnect: false });
  await client.connect();
  onCleanup(() => client.disconnect());
  await connected;
  return client;
}

describe.skipIf(skip)('server.connection(id) of a connection on another node (RedisAdapter)', () => {
  beforeAll(requireRedis);

  it('sends, joins, leaves and closes on the connection\'s own node', async () => {
    const prefix = cleanPrefix('operations');
    const a = (await startNode(prefix, 'a')).server;
    const b = (await startNode(prefix, 'b')).server;
    const client = await clientOf(b);
    const handle = a.connection(client.id!);

    const news = waitFor(client, 'news');
    expect(await handle.sendWithoutResponse('news', { from: 'a' })).toBe(true);
    expect(await news).toMatchObject({ payload: { from: 'a' } });

    // Joined on b by a's call: a broadcast from a to the room reaches it.
    expect(await handle.joinRoom('lobby')).toBe(true);
    expect(b.getConnectionById(client.id!)!.getRooms()).toEqual(['lobby']);
    expect(await a.getRoom('lobby').getConnectionIds()).toEqual([client.id]);
    const roomNews = waitFor(client, 'room-news');
    await a.getRoom('lobby').broadcast('room-news', 1);
    expect(await roomNews).toMatchObject({ payload: 1 });
    expect(await handle.leaveRoom('lobby')).toBe(true);
    expect(b.getConnectionById(client.id!)!.getRooms()).toEqual([]);
    expect(await a.getRoom('lobby').getConnectionIds()).toEqual([]);

    const closed = waitForArgs<[{ code: number; reason: string }]>(client, '_disconnected');
    expect(await handle.close(4001, 'kicked')).toBe(true);
    expect((await closed)[0]).toMatchObject({ code: 4001, reason: 'kicked' });
  });

  it('resolves false for an id no node has, or whose node stopped; rejects an invalid name before leaving the node', async () => {
    const prefix = cleanPrefix('operations-gone');
    const a = (await startNode(prefix, 'a')).server;
    const b = (await startNode(prefix, 'b')).server;
    const client = await clientOf(b);
    expect(await a.connection('nobody').joinRoom('lobby')).toBe(false);
    expect(await a.connection('nobody').close()).toBe(false);
    expect((await rejectionOf(a.connection(client.id!).sendWithoutResponse('_reserved'))).code).toBe(ErrorCode.INVALID_NAME);
    const id = client.id!;
    await b.stop();
    expect(await a.connection(id).sendWithoutResponse('news')).toBe(false);
  });
});
