import { onCleanup, REDIS_URL, testPrefix } from '@volley/test-utils';
import { createClient } from 'redis';

/**
 * A prefix of its own for one test (see testPrefix), whose keys are deleted in clean-up: what the
 * nodes leave on purpose (the deployment's epoch) or by being killed does not outlive the test.
 */
export function cleanPrefix(suite: string, where: { url: string } | { path: string } = { url: REDIS_URL }): string {
  const prefix = testPrefix(suite);
  onCleanup(async () => {
    const redis =
      'path' in where
        ? createClient({ disableOfflineQueue: true, socket: { path: where.path, tls: false, reconnectStrategy: false } })
        : createClient({ url: where.url, disableOfflineQueue: true, socket: { reconnectStrategy: false } });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
    } catch {
      return; // That Redis is gone (a test that stopped it); nothing left to delete.
    }
    const keys = await redis.keys(`{${prefix}}*`);
    if (keys.length > 0) await redis.del(keys);
    await redis.close();
  });
  return prefix;
}
