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
