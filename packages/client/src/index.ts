/**
 * @volley/client — the Volley client for browsers and Node.
 *
 * It imports neither `ws`, `ajv` nor any Node built-in, so browser bundles stay small; Node users
 * pass `ws`'s WebSocket class in the options.
 */
export { Client, ClientEvent } from './client.js';
export { Backoff, backoffDefaults } from './backoff.js';
export { clientDefaults } from './options.js';
export { CloseCode, ErrorCode, IncomingMessage, VolleyError } from '@volley/protocol';

export type { ClientDisconnectInfo, ClientEvents, ClientMessageHandler, ClientState } from './client.js';
export type { BackoffOptions } from './backoff.js';
export type { ClientOptions, WebSocketConstructor, WebSocketLike } from './options.js';
export type { AnyApi, Api, MessageMap, MessageSpec } from '@volley/protocol';
