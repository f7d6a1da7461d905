import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Client, ErrorCode, type VolleyError } from '@volley/client';
import { RedisAdapter } from '@volley/redis';
import { Server } from '@volley/server';
import { cleanup, deferred, onCleanup, rejectionOf, requireRedis, skipRedis, waitFor } from '@volley/test-utils';
import { cleanPrefix } from '../redis-helpers.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

/*
 * A private redis-server (started here, as the current user, on a free port, without persistence)
 * killed and restarted under two nodes: nothing crashes, calls in the gap fail with a clear error,
 * the restarted Redis (which lost everything) is detected and the nodes register again, and
 * broadcasts and requests across nodes resume.
 */

const skip = await skipRedis();
const HEARTBEAT_INTERVAL = 100;
const HEARTBEAT_TTL = 400;

afterEach(cleanup);

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, 'close');
  return port;
}

/** Starts redis-server on `port`; resolves once it accepts connections. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  onCleanup(() => child.kill('SIGKILL'));
  const ready = deferred();
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes('Ready to accept connections')) ready.resolve();
  });
  await ready.promise;
  return child;
}

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
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    let redis = await startRedis(port);
    const prefix = cleanPrefix('restart', url);
    const nodes: Server[] = [];
    for (const nodeId of ['a', 'b']) {
      const server = new Server({
        port: 0,
        host: '127.0.0.1',
        adapter: new RedisAdapter({ url, prefix, nodeId, heartbeatInterval: HEARTBEAT_INTERVAL, heartbeatTtl: HEARTBEAT_TTL }),
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

    redis = await startRedis(port);
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
});
