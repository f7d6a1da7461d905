import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
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

/**
 * Starts fixtures/node.mjs (a node on the built packages) as node `nodeId` in a process of its
 * own, killed (SIGKILL) in clean-up; resolves with the process and its URL once it listens.
 */
export async function spawnNode(prefix: string, nodeId: string, heartbeat: { interval: number; ttl: number }): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/node.mjs', import.meta.url))], {
    env: { ...process.env, REDIS_URL, PREFIX: prefix, NODE_ID: nodeId, HEARTBEAT_INTERVAL: String(heartbeat.interval), HEARTBEAT_TTL: String(heartbeat.ttl) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  onCleanup(() => child.kill('SIGKILL'));
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const { port } = JSON.parse(line.toString()) as { port: number };
  return { child, url: `ws://127.0.0.1:${port}` };
}
