import { ErrorCode, VolleyError } from '@volley/protocol';
import type { WebSocketConstructor, WebSocketLike } from './options.js';

/** What the client hears from its socket. */
export interface SocketListeners {
  /**
   * ws only, before `opened`: the 101 response arrived, with the value of its upgrade answer
   * header (undefined when it has none).
   */
  upgraded(answer: string | undefined): void;
  opened(): void;
  /** A string for a text frame; anything else for a binary one. */
  received(data: unknown): void;
  failed(): void;
  closed(code: number, reason: string): void;
}

/** Writes the frames of one open socket when a transport writes past `socket.send()`. */
export interface FrameWriter {
  write(frame: string): void;
}

/** The write options a transport may honour (see `ClientOptions`). */
export interface WriteOptions {
  readonly batchWrites: boolean;
  readonly ownFraming: boolean;
}

/**
 * How the client drives its sockets. The browser's WebSocket is driven by {@link browserTransport};
 * ws in Node by the one in node-transport.ts, which only the Node entry loads, so that a browser
 * bundle carries neither the frame writer nor the write batcher.
 */
export interface Transport {
  /** True when sockets of this class report the 101 response (the handshake answer can come in its header). */
  readsUpgradeResponse(WebSocketClass: WebSocketConstructor): boolean;
  /** Attaches `listeners` to a socket, until {@link unlisten}. */
  listen(socket: WebSocketLike, listeners: SocketListeners): void;
  /** Detaches what {@link listen} attached: nothing more reaches the listeners. */
  unlisten(socket: WebSocketLike): void;
  /** The writer of a socket that just opened; undefined to write with `socket.send()`. */
  writer(socket: WebSocketLike, options: WriteOptions): FrameWriter | undefined;
  /**
   * What is wrong with the upgrade answer header the server said it sent (`volley.1-answer`
   * selected), or undefined when it can be read as the answer frame.
   */
  upgradeAnswerFailure(answer: string | undefined): VolleyError | undefined;
}

/**
 * The browser's WebSocket: the `on…` properties (closures: some WebSocket implementations call them
 * without the socket as `this`) and `send()`. It never reads the 101 response.
 */
export const browserTransport: Transport = {
  readsUpgradeResponse: () => false,
  listen(socket, listeners) {
    socket.onopen = () => listeners.opened();
    socket.onmessage = (event: { data: unknown }) => listeners.received(event.data);
    socket.onerror = () => listeners.failed();
    socket.onclose = (event: { code: number; reason: string }) => listeners.closed(event.code, event.reason);
  },
  unlisten(socket) {
    socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
  },
  writer: () => undefined,
  // Never asked for (readsUpgradeResponse is false), so a server that selects it is not following the protocol.
  upgradeAnswerFailure: () => new VolleyError(ErrorCode.HANDSHAKE_ERROR, 'The server selected volley.1-answer, which this client did not offer'),
};
