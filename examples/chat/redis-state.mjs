// The demo's state in Redis, loaded only when REDIS_URL is set: one node-redis client for the
// chat store and the adapter (connected first, as both expect), closed by `close()`.
import { RedisAdapter } from '@volley/redis';
import { RedisChatStore } from '@volley/redis/chat';
import { createClient } from 'redis';

export async function redisState(url, prefix) {
  const client = createClient({ url, disableOfflineQueue: true });
  client.on('error', () => undefined); // a command that fails says why; the client reconnects
  await client.connect();
  return {
    store: new RedisChatStore({ client, prefix }),
    adapter: new RedisAdapter({ client, prefix }),
    close: () => client.close(),
  };
}
