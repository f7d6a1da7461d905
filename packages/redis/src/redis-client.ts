import { createClient } from 'redis';

/**
 * What the Redis adapter uses of a Redis client: the subset of node-redis's client (the `redis`
 * package, version 6) it calls. A client from `createClient()` fits as it is.
 */
export interface RedisClient {
  /** The client's options: the adapter refuses a client whose offline queue is on. */
  readonly options?: { readonly disableOfflineQueue?: boolean };
  readonly isOpen: boolean;
  /** Open and connected (not reconnecting). */
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  /** A new client with the same options, not connected yet (for the subscription). */
  duplicate(): RedisClient;
  close(): Promise<unknown>;
  /** Closes at once, without waiting for replies (a client that cannot reach Redis). */
  destroy(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  publish(channel: string, message: Buffer): Promise<number>;
  subscribe(channels: string, listener: (message: Buffer, channel: Buffer) => unknown, bufferMode: true): Promise<void>;
  sPublish(channel: string, message: Buffer): Promise<number>;
  sSubscribe(channels: string, listener: (message: Buffer, channel: Buffer) => unknown, bufferMode: true): Promise<void>;
  sUnsubscribe(channels: string, listener: (message: Buffer, channel: Buffer) => unknown, bufferMode: true): Promise<void>;
  sAdd(key: string, members: string | string[]): Promise<number>;
  sRem(key: string, members: string | string[]): Promise<number>;
  sMembers(key: string): Promise<string[]>;
  sUnion(keys: string[]): Promise<string[]>;
  del(keys: string | string[]): Promise<number>;
  hSet(key: string, field: string, value: string): Promise<number>;
  hDel(key: string, fields: string | string[]): Promise<number>;
  hGetAll(key: string): Promise<Record<string, string>>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  set(
    key: string,
    value: string,
    options?: { expiration?: { type: 'PX'; value: number }; condition?: 'NX' },
  ): Promise<string | null>;
  exists(keys: string | string[]): Promise<number>;
  get(key: string): Promise<string | null>;
}

/**
 * A node-redis client of the adapter's or the chat store's own, to `url`: no offline queue, its
 * errors reported by the commands that fail (a client without an `error` listener would crash
 * the process), and a first connection that fails at once when Redis does not answer (node-redis
 * would retry it for ever, and the call waiting on it with it). Once it has been connected, it
 * reconnects after a drop as node-redis does, while commands fail at once.
 */
export function createOwnClient(url: string): RedisClient {
  let connected = false;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(retries * 50, 2000) : cause) },
  });
  client.on('error', () => undefined);
  client.on('ready', () => (connected = true));
  return client as unknown as RedisClient;
}
