import type { RedisClient } from './redis-client.js';

/** Checks a deployment prefix (adapter and chat store): keys live under the hash tag `{prefix}`. */
export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || prefix.length === 0 || /[{}]/.test(prefix)) {
    throw new TypeError('Option "prefix" must be a non-empty string without braces');
  }
  return prefix;
}

/** Refuses a client whose offline queue is on (adapter and chat store). */
export function checkClient(client: RedisClient): RedisClient {
  if (client.options?.disableOfflineQueue !== true) {
    // Queued while Redis is down, a broadcast, a request or a chat command would run late, out of its moment.
    throw new TypeError('Option "client": create it with disableOfflineQueue: true (ioredis: enableOfflineQueue: false, through fromIoredis)');
  }
  return client;
}
