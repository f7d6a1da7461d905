// Types of server.mjs, for the test (TypeScript) that imports it.
import type { ChatServer } from '@volley/chat';

/** A running demo. */
export interface Demo {
  /** The page's URL; its WebSocket is at `/ws` on the same host and port. */
  url: string;
  chat: ChatServer;
  /** Closes every socket and the HTTP server. */
  stop(): Promise<void>;
}

/**
 * Starts the demo on `port` (default 8080; 0 picks a free one) and `host` (default every
 * interface); with `redisUrl`, its state lives in that Redis under `redisPrefix`.
 */
export function startDemo(options?: { port?: number; host?: string; redisUrl?: string; redisPrefix?: string }): Promise<Demo>;
