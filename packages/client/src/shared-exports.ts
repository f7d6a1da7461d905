/** What both entry points export besides their own `Client` (index.ts for browsers, node.ts for Node). */
export { ClientEvent } from './client-types.js';
export { Backoff, backoffDefaults } from './backoff.js';
export { clientDefaults } from './options.js';
export { CloseCode, ErrorCode, VolleyError } from '@volley/protocol';
export { IncomingMessage } from '@volley/session';

export type { ClientDisconnectInfo, ClientEvents, ClientMessageHandler, ClientState } from './client-types.js';
export type { BackoffOptions } from './backoff.js';
export type { ClientOptions, WebSocketConstructor, WebSocketLike } from './options.js';
export type { AnyApi, Api, MessageMap, MessageSpec } from '@volley/protocol';
