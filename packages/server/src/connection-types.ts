import type { IncomingMessage as HttpRequest } from 'node:http';
import type { Api, PayloadOf, ResultOf, VolleyError } from '@volley/protocol';
import type { AdmissionLimits, DeadlineQueue, IncomingMessage, MessageHandlers, PeerMessageHandler, SessionOptions } from '@volley/session';
import type { WriteBatcher } from '@volley/session/node';
import type { Handshake } from './handshake.js';
import type { ServerConnection } from './server-connection.js';

/*
 * States:
 *   awaiting-handshake --handshake resolved--> connected
 *   awaiting-handshake --socket closed (rejected, timeout, peer left)--> disconnected
 *   connected          --socket closed--> disconnected
 */
/** Lifecycle state of a {@link ServerConnection}. */
export type ConnectionState = 'awaiting-handshake' | 'connected' | 'disconnected';

/**
 * Names of a connection's lifecycle events. They start with `_`, which application message
 * names never do, so they can never clash with a message (line-socket's convention).
 */
export const ConnectionEvent = {
  /** A local error: bad frame, throwing handler, unanswerable response, socket error. `(error: VolleyError)` */
  ERROR: '_error',
  /** The socket closed. `({ code, reason })` */
  DISCONNECTED: '_disconnected',
  /** The state changed. `({ newState, oldState })` */
  STATE_CHANGE: '_stateChange',
} as const;

/** How a connection ended. */
export interface DisconnectInfo {
  /** WebSocket close code (see `CloseCode`). */
  code: number;
  /** Close reason, possibly empty. */
  reason: string;
}

/** Listener signatures of the lifecycle events. */
export interface ConnectionEvents {
  _error: (error: VolleyError) => void;
  _disconnected: (info: DisconnectInfo) => void;
  _stateChange: (change: { newState: ConnectionState; oldState: ConnectionState }) => void;
}

/** A handler of application message `K`. */
export type MessageHandler<M extends Api['server'], K extends keyof M> = PeerMessageHandler<M, K>;

/**
 * A handler of application message `K` registered once on the server for every connection
 * (`server.handle()`); it gets the connection that sent the message.
 */
export type SharedMessageHandler<A extends Api, K extends keyof A['server']> = (
  message: IncomingMessage<PayloadOf<A['server'], K>, ResultOf<A['server'], K>>,
  connection: ServerConnection<A>,
) => unknown;

/** A connection of any API, where the API type does not matter. @internal */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyConnection = ServerConnection<any>;

/** What a connection needs from its server. @internal */
export interface ConnectionContext {
  /** Closes connections (4202) whose handshake outlives `handshakeTimeout`; undefined when 0. */
  readonly handshakeDeadlines: DeadlineQueue<AnyConnection> | undefined;
  readonly closeTimeout: number;
  readonly maxPayload: number;
  readonly maxBufferedAmount: number;
  readonly backpressure: 'close' | 'error';
  /** One options object shared by every connection's session. */
  readonly sessionOptions: SessionOptions;
  /** What each connection's peer may send; every connection gets an Admission of its own. */
  readonly admissionLimits: AdmissionLimits;
  readonly batcher: WriteBatcher | undefined;
  /** Frame outgoing frames here and write them to the TCP socket (`ownFraming`). */
  readonly ownFraming: boolean;
  /** Handlers registered on the server for every connection; consulted when a connection has none of its own. */
  readonly sharedHandlers: MessageHandlers;
  beginHandshake(connection: AnyConnection, handshake: Handshake, request: HttpRequest | undefined): void;
  connected(connection: AnyConnection): void;
  renamed(connection: AnyConnection, oldId: string): void;
  hasId(id: string): boolean;
  closed(connection: AnyConnection, info: DisconnectInfo): void;
  joinRoom(connection: AnyConnection, room: string): Promise<void>;
  leaveRoom(connection: AnyConnection, room: string): Promise<void>;
  roomsOf(connection: AnyConnection): string[];
}

/*
 * Phases of a connection (one value, changed only by setPhase):
 *
 *   awaiting-handshake --_h arrives, or the upgrade carried it--> handshaking
 *   handshaking        --resolve(), the answer written--> connected
 *   handshaking        --reject(), or the answer could not be written--> ended (closing)
 *   any                --the socket closed--> disconnected
 *
 * A close (ours, the handshake deadline, a peer refused too often, ws's own) is the
 * ConnectionClose object: it does not change the phase, and the socket's close ends every phase.
 * The public `state` is what users see of the phase. @internal
 */
export type Phase = 'awaiting-handshake' | 'handshaking' | 'connected' | 'ended' | 'disconnected';

export const publicState: Record<Phase, ConnectionState> = {
  'awaiting-handshake': 'awaiting-handshake',
  handshaking: 'awaiting-handshake',
  connected: 'connected',
  ended: 'awaiting-handshake',
  disconnected: 'disconnected',
};
