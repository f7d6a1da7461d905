import type { Api, VolleyError } from '@volley/protocol';
import type { PeerMessageHandler } from '@volley/session';

/*
 * States:
 *   disconnected --connect()--> connecting --handshake resolved--> connected
 *   connecting   --socket or handshake failed--> disconnected (connect() rejects), or
 *                                               reconnecting (when retrying after a drop)
 *   connected    --socket dropped, reconnect on--> reconnecting --backoff elapsed--> connecting
 *   connected    --socket dropped, reconnect off--> disconnected
 *   any with a socket --disconnect()--> closing --socket closed (or closeTimeout)--> disconnected
 *   any          --disconnect() without a socket, or handshake rejected--> disconnected
 */
/** Lifecycle state of a {@link Client}. */
export type ClientState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'closing';

/**
 * Names of the client's lifecycle events. They start with `_`, which application message names
 * never do, so they can never clash with a message (line-socket's convention).
 */
export const ClientEvent = {
  /** A socket is opening (first connect or a reconnection attempt). `()` */
  CONNECTING: '_connecting',
  /** The handshake succeeded. `(payload)` — what the server's `handshake.resolve()` sent. */
  CONNECTED: '_connected',
  /** The socket closed. `({ code, reason, willReconnect })` */
  DISCONNECTED: '_disconnected',
  /** A reconnection attempt is scheduled. `({ attempt, delay })` */
  RECONNECTING: '_reconnecting',
  /** A local error. `(error: VolleyError)` */
  ERROR: '_error',
  /** The state changed. `({ newState, oldState })` */
  STATE_CHANGE: '_stateChange',
} as const;

/** How the client's connection ended. */
export interface ClientDisconnectInfo {
  code: number;
  reason: string;
  /** True when a reconnection will be attempted. */
  willReconnect: boolean;
}

/** Listener signatures of the client's lifecycle events. */
export interface ClientEvents {
  _connecting: () => void;
  _connected: (payload: unknown) => void;
  _disconnected: (info: ClientDisconnectInfo) => void;
  _reconnecting: (info: { attempt: number; delay: number }) => void;
  _error: (error: VolleyError) => void;
  _stateChange: (change: { newState: ClientState; oldState: ClientState }) => void;
}

/** A handler of server request or message `K`. */
export type ClientMessageHandler<M extends Api['client'], K extends keyof M> = PeerMessageHandler<M, K>;
