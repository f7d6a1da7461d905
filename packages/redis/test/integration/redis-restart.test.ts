import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, ErrorCode, type VolleyError } from '@volley/client';
import { RedisAdapter } from '@volley/redis';
import { Server } from '@volley/server';
import { cleanup, onCleanup, rejectionOf, requireRedis, skipRedis, waitFor } from '@volley/test-utils';
import { cleanPrefix, redisClient, startRedis } from '../redis-helpers.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

/*
 * A private redis-server (started here, as the current user, on a Unix socket of its own, so that
 * no other test can take its address while it is down; without persistence)
 * killed and restarted under two nodes: nothing crashes, calls in the gap fail with a clear error,
 * the restarted Redis (which lost everything) is detected and the nodes register again, and
 * broadcasts and requests across nodes resume.
 */

const skip = await skipRedis();
const HEARTBEAT_INTERVAL = 100;
const HEARTBEAT_TTL = 400;

afterEach(cleanup);

describe.skipIf(skip)('Redis restarted under the nodes (RedisAdapter)', () => {
  beforeAll(requireRedis);

  it('nothing crashes, calls in the gap fail clearly, and rooms, broadcasts and requests come back once Redis does', async () => {
    const escaped: unknown[] = [];
    const onEscape = (error: unknown): void => void escaped.push(error);
    process.on('unhandledRejection', onEscape);
    process.on('uncaughtException', onEscape);
    onCleanup(() => {
      process.off('unhandledRejection', onEscape);
      process.off('uncaughtException', onEscape);
    });
    const folder = mkdtempSync(join(tmpdir(), 'volley-redis-'));
    onCleanup(() => rmSync(folder, { recursive: true, force: true }));
    const path = join(folder, 'redis.sock');
    let redis = await startRedis(path);
    const prefix = cleanPrefix('restart', { path });
    const nodes: Server[] = [];
    for (const nodeId of ['a', 'b']) {
      const server = new Server({
        port: 0,
        host: '127.0.0.1',
        adapter: new RedisAdapter({ client: redisClient(path), prefix, nodeId, heartbeatInterval: HEARTBEAT_INTERVAL, heartbeatTtl: HEARTBEAT_TTL }),
      });
      server.on('connection', (connection) => void connection.joinRoom('lobby'));
      server.on('error', () => undefined); // adapter failures are reported here; the calls below check them
      await server.start();
      onCleanup(() => server.stop());
      nodes.push(server);
    }
    const [a] = nodes as [Server];
    const clients: Client[] = [];
    const news: unknown[][] = [[], []];
    for (const [index, server] of nodes.entries()) {
      const joined = waitFor(server, 'connection');
      const client = new Client(`ws://127.0.0.1:${server.port}`, { WebSocket, reconnect: false });
      client.on('news', (message) => void news[index]!.push(message.payload));
      client.on('confirm', (message) => message.resolve('yes'));
      await client.connect();
      onCleanup(() => client.disconnect());
      await joined;
      clients.push(client);
    }
    const [onA, onB] = clients as [Client, Client];
    await expect.poll(async () => (await a.getRoom('lobby').getConnectionIds()).sort()).toEqual([onA.id, onB.id].sort());

    redis.kill('SIGKILL');
    await once(redis, 'exit');
    // In the gap: a broadcast still reaches this node's members, and rejects for the others.
    const local = waitFor<{ payload: unknown }>(onA, 'news');
    const broadcast = (await rejectionOf(a.getRoom('lobby').broadcast('news', 'in the gap'))) as VolleyError;
    expect((await local).payload).toBe('in the gap');
    expect(broadcast.code).toBe(ErrorCode.INTERNAL_ERROR);
    expect(broadcast.message).toMatch(/^Adapter failed: /);
    const request = await rejectionOf(a.send(onB.id!, 'confirm'));
    expect(request.code).toBe(ErrorCode.DISCONNECTED);
    expect(request.message).toContain('Redis is unreachable');

    redis = await startRedis(path);
    // The new Redis is empty: the nodes find a new epoch and write their members again.
    await expect.poll(async () => (await a.getRoom('lobby').getConnectionIds().catch(() => [])).sort(), { interval: 20, timeout: 10_000 }).toEqual(
      [onA.id, onB.id].sort(),
    );
    // Subscriptions are back: a broadcast from a reaches b's member (tried until the clients have
    // reconnected to Redis), and a request reaches b's client.
    await expect
      .poll(
        async () => {
          await a.getRoom('lobby').broadcast('news', 'after').catch(() => undefined);
          return news[1]!.includes('after');
        },
        { interval: 50, timeout: 10_000 },
      )
      .toBe(true);
    expect(await a.send(onB.id!, 'confirm')).toBe('yes');
    expect(news[1]).not.toContain('in the gap');
    expect(escaped).toEqual([]);
  });

  it('a node stops cleanly while Redis is down (its entries are left for the other nodes to remove)', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'volley-redis-'));
    onCleanup(() => rmSync(folder, { recursive: true, force: true }));
    const path = join(folder, 'redis.sock');
    const redis = await startRedis(path);
    const prefix = cleanPrefix('stop-while-down', { path });
    const server = new Server({
      port: 0,
      host: '127.0.0.1',
      adapter: new RedisAdapter({ client: redisClient(path), prefix, nodeId: 'a', heartbeatInterval: HEARTBEAT_INTERVAL, heartbeatTtl: HEARTBEAT_TTL }),
    });
    server.on('error', () => undefined);
    await server.start();
    redis.kill('SIGKILL');
    await once(redis, 'exit');
    await expect(server.stop()).resolves.toBeUndefined();
    expect(server.state).toBe('stopped');
  });
});
