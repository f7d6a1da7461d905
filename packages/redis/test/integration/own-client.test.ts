import { createServer } from 'node:net';
import { RedisAdapter } from '@volley/redis';
import { RedisChatStore } from '@volley/redis/chat';
import { Server } from '@volley/server';
import { cleanup, onCleanup, rejectionOf } from '@volley/test-utils';
import { afterEach, describe, expect, it } from 'vitest';

/*
 * The client the adapter or the chat store makes for itself (no `client` option): when no Redis
 * answers, the first connection fails at once instead of node-redis retrying it for ever, so
 * `server.start()` and a store call reject with the connection's error rather than hang. Needs no
 * Redis: the URL points at a loopback port nothing listens on.
 */

afterEach(cleanup);

/** A loopback port that was free a moment ago and has nothing listening on it. */
async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `redis://127.0.0.1:${port}`;
}

describe('the own client of the adapter and the chat store, without a Redis', () => {
  it('a store call rejects at once with the connection error, and the next call tries again', async () => {
    const store = new RedisChatStore({ url: await deadUrl(), prefix: 'nowhere' });
    onCleanup(() => store.close());
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await rejectionOf(store.addUser('alice'));
      expect(String(error?.message)).toMatch(/ECONNREFUSED/);
    }
  });

  it('server.start() with a RedisAdapter rejects at once with the connection error', async () => {
    const server = new Server({ port: 0, host: '127.0.0.1', adapter: new RedisAdapter({ url: await deadUrl(), prefix: 'nowhere' }) });
    onCleanup(() => server.stop());
    const error = await rejectionOf(server.start());
    expect(String(error?.message)).toMatch(/ECONNREFUSED/);
  });
});
