/**
 * @volley/redis/chat — the chat's state in Redis, shared by every node of a deployment.
 */
export { RedisChatStore, redisChatStoreDefaults } from './redis-chat-store.js';

export type { RedisChatStoreOptions } from './redis-chat-store.js';
