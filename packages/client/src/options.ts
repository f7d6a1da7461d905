import type { AnyApi, Api, HandshakePayloadOf } from '@volley/protocol';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { Transport, WriteOptions } from './transport.js';

/** The part of the WebSocket API the client uses: the browser's, or `ws` in Node. */
export interface WebSocketLike {
  readonly readyState: number;
  /** The subprotocol the server selected (empty when none). */
  readonly protocol?: string;
  /** The extensions the server accepted (empty when none). */
  readonly extensions?: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  // Handler parameters are `any` so that both the DOM's and ws's event types fit without a cast.
  /* eslint-disable @typescript-eslint/no-explicit-any */
  onopen: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, `ws`'s `WebSocket` in Node. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: object) => WebSocketLike;

/**
 * Options of {@link Client}; durations in milliseconds, names as in line-socket. `A` types the
 * handshake payload (the API's `handshake.payload`).
 */
export interface ClientOptions<A extends Api = AnyApi> {
  /**
   * The WebSocket class. Browsers have one; Node 20 has none, so pass `ws`'s:
   * `import { WebSocket } from 'ws'`. @default globalThis.WebSocket
   */
  WebSocket?: WebSocketConstructor;
  /**
   * The handshake: `payload` is sent to the server's handshake listener; `timeout` bounds opening
   * the socket and the answer together; `viaUpgrade` carries the payload in the WebSocket upgrade
   * (a subprotocol, see docs/protocol.md) so that the answer comes with the 101 response, one
   * round trip less per connect. It applies when no `protocols` are given and the payload is
   * under 4 KiB; a server that does not take it selects `volley.1-frame` (or, when older, any
   * offer that is not `volley.1`) and gets the usual `_h` frame at once. `answerInUpgrade`
   * (with `viaUpgrade`) asks the server to put a handshake answer given at once in a header of the
   * 101 response rather than in a frame after it: on by default where the WebSocket class reports
   * the response (ws in Node), impossible in browsers. Turn it off behind a proxy that drops
   * unknown response headers (the connect then fails with a `HANDSHAKE_ERROR` that says so).
   * @default { payload: undefined, timeout: 30000, viaUpgrade: true, answerInUpgrade: true with ws, false in browsers }
   */
  handshake?: { payload?: HandshakePayloadOf<A>; timeout?: number; viaUpgrade?: boolean; answerInUpgrade?: boolean };
  /** Default timeout of `send()` and of pings; 0 for none. @default 10000 */
  responseTimeout?: number;
  /** Quiet period after which the server is pinged; 0 disables pings. @default 20000 */
  pingInterval?: number;
  /** Reconnect when an established connection drops (never after a rejected handshake or `disconnect()`). @default true */
  reconnect?: boolean;
  /** Backoff of reconnection attempts. @default { initialDelay: 1000, multiplier: 1.5, maxDelay: 30000, jitter: 0.5, maxAttempts: Infinity } */
  reconnectOptions?: BackoffOptions;
  /**
   * Time `disconnect()` waits for the server to echo the close before it ends the connection
   * anyway (and cuts a `ws` socket); 0 waits as long as the WebSocket does. @default 5000
   */
  closeTimeout?: number;
  /** Largest inbound frame in characters; a larger one closes the socket with 1009. @default 1048576 */
  maxPayload?: number;
  /**
   * In Node (ws), hold the socket's writes until the end of the event-loop turn and send them in
   * one system call. Browsers write frame by frame whatever this says. @default true
   */
  batchWrites?: boolean;
  /**
   * In Node (ws), mask and frame outgoing text frames here and write them to the TCP socket, one
   * buffer each, instead of through ws's sender (not with a negotiated extension, nor for texts
   * over 16 K characters). Browsers always use their WebSocket. @default true
   */
  ownFraming?: boolean;
  /**
   * Third argument of the WebSocket constructor, for `ws` in Node (browsers ignore it). The
   * Volley server never compresses, so offering compression only costs work on every connect.
   * @default { perMessageDeflate: false }
   */
  webSocketOptions?: object;
  /** WebSocket subprotocols to offer. @default undefined */
  protocols?: string | string[];
  /**
   * Offer the binary extension with the upgrade handshake (`+b` subprotocols; docs/protocol.md,
   * "Binary values"): when the server takes it, byte arrays it sends in payloads arrive as
   * `Uint8Array`s. What this client sends is written the same way either way. Needs
   * `handshake.viaUpgrade` (the default).
   * @default true
   */
  binary?: boolean;
}

/** Defaults of {@link ClientOptions}. */
export const clientDefaults = {
  handshakeTimeout: 30_000,
  responseTimeout: 10_000,
  pingInterval: 20_000,
  reconnect: true,
  maxPayload: 1024 * 1024,
  webSocketOptions: { perMessageDeflate: false },
  closeTimeout: 5_000,
} as const;

/** {@link ClientOptions} checked and merged with the defaults, once, by the constructor. */
export interface ResolvedClientOptions {
  readonly WebSocket: WebSocketConstructor;
  readonly handshakePayload: unknown;
  readonly viaUpgrade: boolean;
  readonly answerInUpgrade: boolean;
  readonly handshakeTimeout: number;
  readonly responseTimeout: number;
  readonly pingInterval: number;
  readonly closeTimeout: number;
  readonly maxPayload: number;
  readonly reconnect: boolean;
  readonly backoff: Backoff;
  readonly write: WriteOptions;
  readonly webSocketOptions: object;
  readonly protocols: string | string[] | undefined;
  readonly binary: boolean;
}

const MAX_TIMER = 2 ** 31 - 1;

/** Reconnection delays without `reconnectOptions`: a Backoff is stateless, so clients share one. */
const defaultBackoff = new Backoff({}, () => Math.random());

/**
 * Checks `options` and merges them with {@link clientDefaults}. `transport` says whether the
 * WebSocket class can report the upgrade response (for `handshake.answerInUpgrade`).
 * @throws TypeError for an invalid URL or option, or when no WebSocket class is available.
 */
export function resolveClientOptions(url: string, options: ClientOptions, transport: Transport): ResolvedClientOptions {
  const WebSocket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (WebSocket === undefined) throw new TypeError('No WebSocket implementation: in Node, pass { WebSocket } imported from "ws"');
  if (typeof url !== 'string' || !/^wss?:\/\//i.test(url)) throw new TypeError(`The URL must start with ws:// or wss://, got ${String(url)}`);
  const handshake = options.handshake ?? {};
  const viaUpgrade = flag('handshake.viaUpgrade', handshake.viaUpgrade);
  const readsUpgrade = transport.readsUpgradeResponse(WebSocket);
  const answerInUpgrade = flag('handshake.answerInUpgrade', handshake.answerInUpgrade);
  if (answerInUpgrade === true && !readsUpgrade) {
    throw new TypeError('Option "handshake.answerInUpgrade" needs a WebSocket class that reports the upgrade response, such as ws\'s (browsers cannot)');
  }
  const maxPayload = options.maxPayload ?? clientDefaults.maxPayload;
  if (!(Number.isInteger(maxPayload) && maxPayload > 0)) throw new TypeError('Option "maxPayload" must be a positive integer');
  return {
    WebSocket,
    handshakePayload: handshake.payload,
    viaUpgrade: (viaUpgrade ?? true) && options.protocols === undefined,
    answerInUpgrade: answerInUpgrade ?? readsUpgrade,
    handshakeTimeout: duration('handshake.timeout', handshake.timeout ?? clientDefaults.handshakeTimeout),
    responseTimeout: duration('responseTimeout', options.responseTimeout ?? clientDefaults.responseTimeout),
    pingInterval: duration('pingInterval', options.pingInterval ?? clientDefaults.pingInterval),
    closeTimeout: duration('closeTimeout', options.closeTimeout ?? clientDefaults.closeTimeout),
    maxPayload,
    reconnect: options.reconnect ?? clientDefaults.reconnect,
    backoff: options.reconnectOptions === undefined ? defaultBackoff : new Backoff(options.reconnectOptions),
    write: { batchWrites: flag('batchWrites', options.batchWrites) ?? true, ownFraming: flag('ownFraming', options.ownFraming) ?? true },
    webSocketOptions: options.webSocketOptions ?? clientDefaults.webSocketOptions,
    protocols: options.protocols,
    binary: flag('binary', options.binary) ?? true,
  };
}

function flag(name: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw new TypeError(`Option "${name}" must be a boolean`);
  return value;
}

function duration(name: string, value: number): number {
  // Node and browsers fire longer timers at once.
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_TIMER) {
    throw new TypeError(`Option "${name}" must be a number of milliseconds in 0..${MAX_TIMER}, got ${String(value)}`);
  }
  return value;
}
