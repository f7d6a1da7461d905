/**
 * @volley/server — the Volley WebSocket server.
 *
 * Deliberately private: the write batcher and the connection context (implementation details
 * that may change without notice).
 */
export { Server } from './server.js';
export { ServerConnection } from './server-connection.js';
export { ConnectionEvent } from './connection-types.js';
export { Handshake } from './handshake.js';
export { Room } from './rooms/room.js';
export { ConnectionHandle } from './rooms/connection-handle.js';
export { InMemoryAdapter } from './rooms/in-memory-adapter.js';
export { serverDefaults } from './options.js';
export { CloseCode, ErrorCode, VolleyError } from '@volley/protocol';
export { IncomingMessage } from '@volley/session';

export type { BroadcastOptions, ServerEvents, ServerState } from './server.js';
export type { ConnectionEvents, ConnectionState, DisconnectInfo, MessageHandler, SharedMessageHandler } from './connection-types.js';
export type { ServerOptions } from './options.js';
export type { Adapter, AdapterMember, AdapterNode, BroadcastTarget, ConnectionOperation } from './rooms/adapter.js';
export type { RoomBroadcastOptions } from './rooms/room.js';
export type { AnyApi, Api, MessageMap, MessageSpec } from '@volley/protocol';
