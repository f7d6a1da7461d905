import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Adapter } from './rooms/adapter.js';

/**
 * Options of {@link Server}. Give exactly one of `port`, `server` or `noServer`.
 * Names and defaults follow line-socket; durations are in milliseconds.
 */
export interface ServerOptions {
  /** Port to listen on (own HTTP server); 0 picks a free port. */
  port?: number;
  /** Host to bind with `port`. @default undefined (all interfaces) */
  host?: string;
  /** An existing HTTP(S) server to attach to; Volley handles its `upgrade` events. */
  server?: HttpServer | HttpsServer;
  /** No server at all: call {@link Server.handleUpgrade} from your framework's upgrade hook. @default false */
  noServer?: boolean;
  /** Only upgrades to this path are accepted; others get 404. @default undefined (any path) */
  path?: string;
  /**
   * Time a client has to complete the handshake before the socket closes with 4202. On the HTTP
   * server Volley creates (`port`) it also bounds the upgrade request itself (Node's
   * `headersTimeout`): a socket that never finishes it is cut after this time. On a server of
   * your own (`server`, `noServer`) set its `headersTimeout` yourself. @default 60000
   */
  handshakeTimeout?: number;
  /** Default timeout of `connection.send()` and of pings; 0 for none. @default 10000 */
  responseTimeout?: number;
  /** Quiet period after which a connection is pinged; 0 disables pings. @default 15000 */
  pingInterval?: number;
  /** Largest inbound frame in bytes; over it the socket closes with 1009 and an error is reported. @default 1048576 */
  maxPayload?: number;
  /**
   * Browser origins allowed to connect: a list of exact origins or a predicate. Upgrades from
   * other origins get HTTP 403. Requests without an `Origin` header (non-browser clients) are
   * allowed. @default undefined (every origin)
   */
  allowedOrigins?: readonly string[] | ((origin: string) => boolean);
  /**
   * Requests one client may have awaiting an answer at once; more are answered with
   * `TOO_MANY_REQUESTS`. 0 = no limit. @default 1000
   */
  maxInFlight?: number;
  /**
   * Frames one client may send per second, with the burst allowed: every frame counts, of every
   * kind (requests, fire-and-forget, pings, responses, malformed and binary frames, WebSocket
   * ping/pong control frames) and before the handshake too. Over it a frame is refused (a request
   * is answered with `RATE_LIMITED`; an answer to a request of the server is still taken) and
   * counts towards `maxRefusals`. `false` disables it.
   * @default { rate: 10000, burst: 20000 }
   */
  rateLimit?: { rate: number; burst: number } | false;
  /**
   * Refusals in a row (over the rate or in-flight limit, malformed, binary, before the handshake,
   * unknown reserved name) after which the connection closes with 4207; it is not read any further
   * and is cut after `closeTimeout`. 0 = never close. @default 100
   */
  maxRefusals?: number;
  /**
   * Bytes a connection's outgoing buffer may hold (a client that reads slowly); past it the
   * `backpressure` policy applies. @default 8388608 (8 MiB)
   */
  maxBufferedAmount?: number;
  /**
   * What happens when a connection's outgoing buffer is full: `'close'` closes it with 4208 and
   * rejects the send with `BACKPRESSURE`; `'error'` keeps the connection and rejects sends (and
   * reports skipped broadcast deliveries on the connection's `_error` event) until it drains.
   * Either way memory stays bounded and nothing is dropped silently. @default 'close'
   */
  backpressure?: 'close' | 'error';
  /** Time a closing socket has to finish the close handshake before it is destroyed. @default 5000 */
  closeTimeout?: number;
  /** Room membership and broadcast across nodes. @default new InMemoryAdapter() */
  adapter?: Adapter;
  /** Hold each socket's writes until the end of the event-loop turn and send them in one system call. @default true */
  batchWrites?: boolean;
  /**
   * Frame outgoing text frames here and write them to the TCP socket, one buffer each (a broadcast
   * is framed once for all its members), instead of through ws's sender. It relies on ws
   * internals that `ws-internals.test.ts` pins; off, every frame goes through ws's sender.
   * @default true
   */
  ownFraming?: boolean;
  /**
   * Accept a handshake carried in the WebSocket upgrade (subprotocol `volley-h.…`, see
   * docs/protocol.md): its answer follows the 101 response at once and the client sends no `_h`
   * frame, one round trip less per connect. Off, such clients fall back to the frame.
   * @default true
   */
  upgradeHandshake?: boolean;
  /**
   * When a client that reads the 101 response's headers (the Node client on `ws`) offers it
   * (`volley.1-answer`) and the handshake listener accepts at once, put the answer in the 101's
   * `Volley-Handshake-Answer` header instead of a frame after it: no frame crosses the wire on
   * connect. Turn it off behind a proxy that drops unknown response headers. Needs
   * `upgradeHandshake`.
   * @default true
   */
  upgradeAnswer?: boolean;
  /**
   * Take the binary extension when a client offers it (a `+b` subprotocol; docs/protocol.md,
   * "Binary values"): byte arrays it sends in payloads arrive as `Uint8Array`s. What this server
   * sends is written the same way whatever the client agreed to (plain JSON for a peer that did
   * not), so that a broadcast is still encoded once.
   * @default true
   */
  binary?: boolean;
}

/** Longest delay setTimeout/setInterval honour, in ms. */
const MAX_TIMER_DELAY = 2_147_483_647;

/** Defaults of {@link ServerOptions}. */
export const serverDefaults = {
  handshakeTimeout: 60_000,
  responseTimeout: 10_000,
  pingInterval: 15_000,
  maxPayload: 1024 * 1024,
  closeTimeout: 5_000,
  batchWrites: true,
  ownFraming: true,
  upgradeHandshake: true,
  upgradeAnswer: true,
  binary: true,
  maxInFlight: 1000,
  rateLimit: { rate: 10_000, burst: 20_000 } as { rate: number; burst: number } | false,
  maxRefusals: 100,
  maxBufferedAmount: 8 * 1024 * 1024,
  backpressure: 'close' as 'close' | 'error',
} as const;

/** Options after defaults are merged. */
export type ResolvedServerOptions = Omit<ServerOptions, keyof typeof serverDefaults> &
  Required<Pick<ServerOptions, keyof typeof serverDefaults>>;

/** Merges defaults once and throws a `TypeError` for invalid options. */
export function resolveServerOptions(options: ServerOptions): ResolvedServerOptions {
  const resolved = { ...serverDefaults, ...stripUndefined(options) } as ResolvedServerOptions;
  const modes = [resolved.port !== undefined, resolved.server !== undefined, resolved.noServer === true].filter(Boolean).length;
  if (modes !== 1) throw new TypeError('Give exactly one of the options "port", "server" and "noServer"');
  if (resolved.port !== undefined && !(Number.isInteger(resolved.port) && resolved.port >= 0 && resolved.port <= 65535)) {
    throw new TypeError(`Option "port" must be an integer in 0..65535, got ${String(resolved.port)}`);
  }
  for (const key of ['handshakeTimeout', 'responseTimeout', 'pingInterval', 'closeTimeout'] as const) {
    assertDuration(key, resolved[key]);
  }
  // These drive setTimeout/setInterval, which fire after 1 ms past 2^31-1 ms (an interval would
  // then ping every millisecond); responseTimeout is clamped where its timer is armed.
  for (const key of ['handshakeTimeout', 'pingInterval', 'closeTimeout'] as const) {
    if (resolved[key] > MAX_TIMER_DELAY) {
      throw new TypeError(`Option "${key}" must be at most ${MAX_TIMER_DELAY} ms, got ${String(resolved[key])}`);
    }
  }
  for (const key of ['maxPayload', 'maxBufferedAmount'] as const) {
    if (!(Number.isInteger(resolved[key]) && resolved[key] > 0)) {
      throw new TypeError(`Option "${key}" must be a positive integer, got ${String(resolved[key])}`);
    }
  }
  for (const key of ['maxInFlight', 'maxRefusals'] as const) {
    if (!(Number.isInteger(resolved[key]) && resolved[key] >= 0)) {
      throw new TypeError(`Option "${key}" must be a non-negative integer, got ${String(resolved[key])}`);
    }
  }
  const rate = resolved.rateLimit;
  if (
    rate !== false &&
    !(typeof rate === 'object' && rate !== null && typeof rate.rate === 'number' && rate.rate > 0 && typeof rate.burst === 'number' && rate.burst >= 1)
  ) {
    throw new TypeError('Option "rateLimit" must be false or { rate > 0, burst >= 1 }');
  }
  if (resolved.backpressure !== 'close' && resolved.backpressure !== 'error') {
    throw new TypeError(`Option "backpressure" must be 'close' or 'error', got ${String(resolved.backpressure)}`);
  }
  for (const key of ['batchWrites', 'ownFraming', 'upgradeHandshake', 'upgradeAnswer', 'binary'] as const) {
    if (typeof resolved[key] !== 'boolean') throw new TypeError(`Option "${key}" must be a boolean, got ${String(resolved[key])}`);
  }
  const origins = resolved.allowedOrigins;
  if (origins !== undefined && typeof origins !== 'function' && !Array.isArray(origins)) {
    throw new TypeError('Option "allowedOrigins" must be an array of origins or a function');
  }
  return resolved;
}

/** Throws unless `value` is a finite, non-negative number of milliseconds. */
export function assertDuration(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`Option "${name}" must be a non-negative number of milliseconds, got ${String(value)}`);
  }
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(options) as (keyof T)[]) {
    if (options[key] !== undefined) out[key] = options[key];
  }
  return out;
}
