/**
 * @volley/client — the Volley client, browser entry point (what bundlers targeting browsers and
 * any runtime without the `node` export condition load).
 *
 * It imports neither `ws`, `ajv` nor any Node built-in, and none of the Node transport (frame
 * writer, write batcher), so browser bundles stay small. Node loads `node.ts` instead, whose
 * `Client` drives `ws` sockets with batched, self-framed writes; the API is the same.
 */
export { Client } from './client.js';
export { ClientEvent } from './client-types.js';
export { Backoff, backoffDefaults } from './backoff.js';
export { clientDefaults } from './options.js';
export { CloseCode, ErrorCode, VolleyError } from '@volley/protocol';
export { IncomingMessage } from '@volley/session';

export type { ClientDisconnectInfo, ClientEvents, ClientMessageHandler, ClientState } from './client-types.js';
export type { BackoffOptions } from './backoff.js';
export type { ClientOptions, WebSocketConstructor, WebSocketLike } from './options.js';
export type { AnyApi, Api, MessageMap, MessageSpec } from '@volley/protocol';
