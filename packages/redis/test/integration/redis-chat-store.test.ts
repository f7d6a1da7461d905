/**
 * The chat's whole contract suite (every `packages/chat/test/contract/*.contract.ts`, unchanged)
 * against the Redis chat store on the real Redis: each store a prefix of its own, its keys deleted
 * in clean-up. The stores share one client, as the nodes of an application would share theirs
 * (and a connection per test would cost more than the test). Under CI=true the suite fails
 * rather than skips when no Redis answers.
 */
import { RedisChatStore } from '@volley/redis/chat';
import { cleanup, onCleanup, REDIS_URL, requireRedis, skipRedis, testPrefix } from '@volley/test-utils';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { loadContracts } from '../../../chat/test/contract/load-contracts.js';

const skip = await skipRedis();

afterEach(cleanup);

describe.skipIf(skip)('RedisChatStore: the chat contract suite', async () => {
  const redis = createClient({ url: REDIS_URL, disableOfflineQueue: true });
  beforeAll(async () => {
    await requireRedis();
    await redis.connect();
  });
  afterAll(() => redis.close());

  const store = (): RedisChatStore => {
    const prefix = testPrefix('chat-store');
    onCleanup(async () => {
      const keys = await redis.keys(`{${prefix}}*`);
      if (keys.length > 0) await redis.del(keys);
    });
    return new RedisChatStore({ client: redis, prefix });
  };
  for (const contract of await loadContracts()) contract(store);
});
