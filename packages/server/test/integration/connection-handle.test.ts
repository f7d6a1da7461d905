import { ErrorCode } from '@volley/server';
import { cleanup, connectClient, connectionOf, rejectionOf, serveEcho, startServer, waitFor, waitForArgs } from '@volley/test-utils';
import { afterEach, describe, expect, it } from 'vitest';

/*
 * server.connection(id) on one node (the in-memory adapter): each operation acts on the local
 * connection and resolves true, or resolves false when no connection has the id. Across nodes:
 * packages/redis/test/integration/remote-operations.test.ts.
 */

afterEach(cleanup);

describe('server.connection(id)', () => {
  it('sends a fire-and-forget message, joins and leaves rooms, and closes, each resolving true', async () => {
    const { server, url } = await startServer();
    serveEcho(server);
    const client = await connectClient(url);
    const handle = server.connection(client.id!);
    expect(handle.id).toBe(client.id);

    const news = waitFor(client, 'news');
    expect(await handle.sendWithoutResponse('news', { n: 1 })).toBe(true);
    expect(await news).toMatchObject({ payload: { n: 1 } });

    expect(await handle.joinRoom('lobby')).toBe(true);
    expect(connectionOf(server, client).getRooms()).toEqual(['lobby']);
    expect(await server.getRoom('lobby').getConnectionIds()).toEqual([client.id]);
    expect(await handle.leaveRoom('lobby')).toBe(true);
    expect(connectionOf(server, client).getRooms()).toEqual([]);

    const closed = waitForArgs<[{ code: number; reason: string }]>(client, '_disconnected');
    expect(await handle.close(4001, 'kicked')).toBe(true);
    expect((await closed)[0]).toMatchObject({ code: 4001, reason: 'kicked' });
  });

  it('resolves false for an id no connection has, and rejects an invalid message name', async () => {
    const { server, url } = await startServer();
    const client = await connectClient(url);
    const nobody = server.connection('nobody');
    expect(await nobody.sendWithoutResponse('news')).toBe(false);
    expect(await nobody.joinRoom('lobby')).toBe(false);
    expect(await nobody.leaveRoom('lobby')).toBe(false);
    expect(await nobody.close()).toBe(false);
    expect(await server.getRooms()).toEqual([]);
    expect((await rejectionOf(nobody.sendWithoutResponse('_reserved'))).code).toBe(ErrorCode.INVALID_NAME);
    expect((await rejectionOf(server.connection(client.id!).sendWithoutResponse('_reserved'))).code).toBe(ErrorCode.INVALID_NAME);
  });
});
