import { Client, ErrorCode } from '@volley/client';
import { fromIoredis, RedisAdapter } from '@volley/redis';
import { Server } from '@volley/server';
import { adapterContract, cleanup, onCleanup, REDIS_URL, rejectionOf, requireRedis, skipRedis, waitFor } from '@volley/test-utils';
import Redis from 'ioredis';
import { cleanPrefix } from '../redis-helpers.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

/* The Redis adapter over an ioredis client (fromIoredis) instead of node-redis's. */

const skip = await skipRedis();

afterEach(cleanup);

/** An ioredis client as an application would make it (no offline queue, connected by the adapter); closed in clean-up. */
function ioredis(): Redis {
  const redis = new Redis(REDIS_URL, { enableOfflineQueue: false, lazyConnect: true });
  redis.on('error', () => undefined);
  onCleanup(() => redis.disconnect());
  return redis;
}

describe.skipIf(skip)('RedisAdapter over ioredis', () => {
  beforeAll(requireRedis);

  adapterContract('RedisAdapter over ioredis (one node)', () => new RedisAdapter({ client: fromIoredis(ioredis()), prefix: cleanPrefix('ioredis-contract') }));

  it.each([{ roomChannels: false }, { roomChannels: true }])('two nodes: a room broadcast and an awaited send cross between them (%o)', async (options) => {
    const prefix = cleanPrefix('ioredis');
    const servers: Server[] = [];
    for (const nodeId of ['a', 'b']) {
      const server = new Server({ port: 0, host: '127.0.0.1', adapter: new RedisAdapter({ client: fromIoredis(ioredis()), prefix, nodeId, ...options }) });
      server.on('connection', (connection) => {
        connection.on('join', async (message) => {
          await connection.joinRoom('lobby');
          message.resolve(true);
        });
      });
      await server.start();
      onCleanup(() => server.stop());
      servers.push(server);
    }
    const [a, b] = servers as [Server, Server];
    const client = new Client(`ws://127.0.0.1:${b.port}`, { WebSocket, reconnect: false });
    client.on('confirm', (message) => message.resolve(`yes ${String(message.payload)}`));
    await client.connect();
    onCleanup(() => client.disconnect());
    await client.send('join');
    const news = waitFor<{ payload: unknown }>(client, 'news');
    await a.getRoom('lobby').broadcast('news', 'from a');
    expect((await news).payload).toBe('from a');
    expect(await a.getRoom('lobby').getConnectionIds()).toEqual([client.id]);
    expect(await a.send(client.id!, 'confirm', 'ok?')).toBe('yes ok?');
    expect((await rejectionOf(a.send('nobody', 'confirm'))).code).toBe(ErrorCode.DISCONNECTED);
  });
});
