/**
 * @volley/redis — Volley on Redis: rooms and broadcasts across every server node of a deployment.
 */
export { fromIoredis } from './ioredis-client.js';
export { RedisAdapter, redisAdapterDefaults } from './redis-adapter.js';

export type { IoredisLike } from './ioredis-client.js';
export type { RedisAdapterOptions } from './redis-adapter.js';
export type { RedisClient } from './redis-client.js';
