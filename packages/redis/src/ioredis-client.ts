import type { RedisClient } from './redis-client.js';

/** The part of an ioredis (version 5) client that {@link fromIoredis} uses. */
export interface IoredisLike {
  readonly status: string;
  readonly options: { readonly enableOfflineQueue?: boolean };
  connect(): Promise<void>;
  duplicate(): IoredisLike;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
  publish(channel: string, message: Buffer): Promise<number>;
  spublish(channel: string, message: Buffer): Promise<unknown>;
  subscribe(channel: string): Promise<unknown>;
  ssubscribe(channel: string): Promise<unknown>;
  sunsubscribe(channel: string): Promise<unknown>;
  sadd(key: string, ...members: string[]): Promise<number>;
  srem(key: string, ...members: string[]): Promise<number>;
  smembers(key: string): Promise<string[]>;
  sunion(...keys: string[]): Promise<string[]>;
  del(...keys: string[]): Promise<number>;
  hset(key: string, field: string, value: string): Promise<number>;
  hdel(key: string, ...fields: string[]): Promise<number>;
  hgetall(key: string): Promise<Record<string, string>>;
  eval(script: string, keyCount: number, ...keysAndArguments: string[]): Promise<unknown>;
  evalsha(sha: string, keyCount: number, ...keysAndArguments: string[]): Promise<unknown>;
  set(key: string, value: string): Promise<string | null>;
  set(key: string, value: string, nx: 'NX'): Promise<string | null>;
  set(key: string, value: string, px: 'PX', milliseconds: number): Promise<string | null>;
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<string | null>;
  exists(...keys: string[]): Promise<number>;
  get(key: string): Promise<string | null>;
}

type Listener = (message: Buffer, channel: Buffer) => unknown;

const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

/**
 * An ioredis client as the Redis adapter's client: `new RedisAdapter({ client: fromIoredis(redis) })`.
 * Create it with `enableOfflineQueue: false`, for the same reason as node-redis's offline queue
 * (docs/scaling.md). Its subscriptions are delivered as buffers, as the adapter reads them.
 *
 * @example
 * import Redis from 'ioredis';
 * const redis = new Redis('redis://127.0.0.1:6379', { enableOfflineQueue: false });
 * const server = new Server({ port: 8080, adapter: new RedisAdapter({ client: fromIoredis(redis), prefix: 'chat-prod' }) });
 */
export function fromIoredis(client: IoredisLike): RedisClient {
  const channels = new Map<string, Listener>();
  const shardChannels = new Map<string, Listener>();
  let listening = false;
  const listen = (): void => {
    if (listening) return;
    listening = true;
    client.on('messageBuffer', (channel: Buffer, message: Buffer) => channels.get(channel.toString())?.(message, channel));
    client.on('smessageBuffer', (channel: Buffer, message: Buffer) => shardChannels.get(channel.toString())?.(message, channel));
  };
  const wrapper: RedisClient = {
    // ioredis says it the other way round.
    options: { disableOfflineQueue: client.options.enableOfflineQueue === false },
    get isOpen() {
      return client.status !== 'wait' && client.status !== 'end' && client.status !== 'close';
    },
    get isReady() {
      return client.status === 'ready';
    },
    connect: () => client.connect(),
    duplicate: () => fromIoredis(client.duplicate()),
    close: () => client.quit(),
    destroy: () => client.disconnect(),
    on: (event, listener) => client.on(event, listener),
    publish: (channel, message) => client.publish(channel, message),
    sPublish: async (channel, message) => Number(await client.spublish(channel, message)),
    async subscribe(channel, listener) {
      listen();
      channels.set(channel, listener);
      await client.subscribe(channel);
    },
    async sSubscribe(channel, listener) {
      listen();
      shardChannels.set(channel, listener);
      await client.ssubscribe(channel);
    },
    async sUnsubscribe(channel) {
      shardChannels.delete(channel);
      await client.sunsubscribe(channel);
    },
    sAdd: (key, members) => client.sadd(key, ...list(members)),
    sRem: (key, members) => client.srem(key, ...list(members)),
    sMembers: (key) => client.smembers(key),
    sUnion: (keys) => client.sunion(...keys),
    del: (keys) => client.del(...list(keys)),
    hSet: (key, field, value) => client.hset(key, field, value),
    hDel: (key, fields) => client.hdel(key, ...list(fields)),
    hGetAll: (key) => client.hgetall(key),
    eval: (script, { keys, arguments: args }) => client.eval(script, keys.length, ...keys, ...args),
    evalSha: (sha, { keys, arguments: args }) => client.evalsha(sha, keys.length, ...keys, ...args),
    set(key, value, options) {
      const nx = options?.condition === 'NX';
      const expiration = options?.expiration;
      if (expiration === undefined) return nx ? client.set(key, value, 'NX') : client.set(key, value);
      return nx ? client.set(key, value, 'PX', expiration.value, 'NX') : client.set(key, value, 'PX', expiration.value);
    },
    exists: (keys) => client.exists(...list(keys)),
    get: (key) => client.get(key),
  };
  return wrapper;
}
