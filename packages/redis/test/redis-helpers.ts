import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RedisAdapter, type RedisAdapterOptions } from '@volley/redis';
import { Server } from '@volley/server';
import { deferred, onCleanup, REDIS_URL, testPrefix } from '@volley/test-utils';
import { createClient } from 'redis';

/** A server node in this process on 127.0.0.1 port 0, with a RedisAdapter on `prefix` (and `options`); stopped in clean-up. */
export async function startNode(prefix: string, nodeId: string, options: RedisAdapterOptions = {}): Promise<{ server: Server; adapter: RedisAdapter; url: string }> {
  const adapter = new RedisAdapter({ url: REDIS_URL, prefix, nodeId, ...options });
  const server = new Server({ port: 0, host: '127.0.0.1', adapter });
  await server.start();
  onCleanup(() => server.stop());
  return { server, adapter, url: `ws://127.0.0.1:${server.port}` };
}

/** A node-redis client for a test's own checks of what is in Redis, closed in clean-up. */
// eslint-disable-next-line @typescript-eslint/explicit-function-return-type -- node-redis's client type, inferred
export async function inspector() {
  const redis = createClient({ url: REDIS_URL, disableOfflineQueue: true });
  await redis.connect();
  onCleanup(() => redis.close());
  return redis;
}

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
 * Starts fixtures/node.mjs (a node on the built packages), or fixtures/chat-node.mjs (a chat
 * node), as node `nodeId` in a process of its own, with `env` added to its environment, killed
 * (SIGKILL) in clean-up; resolves with the process and its URL once it listens. `printed` holds
 * every JSON line it printed since, in order.
 */
export async function spawnNode(
  prefix: string,
  nodeId: string,
  heartbeat: { interval: number; ttl: number },
  fixture: 'node.mjs' | 'chat-node.mjs' = 'node.mjs',
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string; printed: unknown[] }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url))], {
    env: { ...process.env, ...env, REDIS_URL, PREFIX: prefix, NODE_ID: nodeId, HEARTBEAT_INTERVAL: String(heartbeat.interval), HEARTBEAT_TTL: String(heartbeat.ttl) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  onCleanup(() => child.kill('SIGKILL'));
  const printed: unknown[] = [];
  const listening = deferred<number>();
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      let value: { port?: unknown };
      try {
        value = JSON.parse(line) as { port?: unknown };
      } catch {
        printed.push(line);
        continue;
      }
      if (typeof value.port === 'number') listening.resolve(value.port);
      else printed.push(value);
    }
  });
  child.once('exit', (code) => listening.reject(new Error(`${fixture} exited (${code}) before it listened`)));
  const port = await listening.promise;
  return { child, url: `ws://127.0.0.1:${port}`, printed };
}

/**
 * Starts a private redis-server as the current user on the Unix socket `path` (no TCP port, so
 * that no other test can take its address while it is down), killed in clean-up; resolves once it
 * accepts connections. Without persistence unless `args` turn it on (`--dir`, `--appendonly yes`).
 */
export async function startRedis(path: string, args: string[] = ['--save', '', '--appendonly', 'no']): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', '0', '--unixsocket', path, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  onCleanup(() => child.kill('SIGKILL'));
  const ready = deferred();
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (/ready to accept connections/i.test(output)) ready.resolve();
  });
  child.once('exit', (code) => ready.reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`)));
  await ready.promise;
  return child;
}

/** A client of a private Redis, as an application would make it (no offline queue); closed in clean-up. */
// eslint-disable-next-line @typescript-eslint/explicit-function-return-type -- node-redis's client type, inferred
export function redisClient(path: string) {
  const client = createClient({ disableOfflineQueue: true, socket: { path, tls: false } });
  client.on('error', () => undefined);
  onCleanup(() => (client.isReady ? client.close() : client.isOpen ? client.destroy() : undefined));
  return client;
}
