/**
 * @volley/client — the Volley client, browser entry point (what bundlers targeting browsers and
 * any runtime without the `node` export condition load).
 *
 * It imports neither `ws`, `ajv` nor any Node built-in, and none of the Node transport (frame
 * writer, write batcher), so browser bundles stay small. Node loads `node.ts` instead, whose
 * `Client` drives `ws` sockets with batched, self-framed writes; the API is the same.
 */
import type { AnyApi, Api } from '@volley/protocol';
import { ClientCore } from './client.js';
import type { ClientOptions } from './options.js';
import { browserTransport } from './transport.js';

export { ClientEvent } from './client-types.js';
export { Backoff, backoffDefaults } from './backoff.js';
export { clientDefaults } from './options.js';
export { CloseCode, ErrorCode, VolleyError } from '@volley/protocol';
export { IncomingMessage } from '@volley/session';

export type { ClientDisconnectInfo, ClientEvents, ClientMessageHandler, ClientState } from './client-types.js';
export type { BackoffOptions } from './backoff.js';
export type { ClientOptions, WebSocketConstructor, WebSocketLike } from './options.js';
export type { AnyApi, Api, MessageMap, MessageSpec } from '@volley/protocol';

/**
 * A Volley client for browsers: connects, runs the handshake, sends awaited requests, answers the
 * server's requests, pings, and reconnects with backoff after a drop. It takes
 * `globalThis.WebSocket` unless given one.
 *
 * @example
 * const client = new Client(`wss://${location.host}/ws`, { handshake: { payload: { token } } });
 * const welcome = await client.connect();
 * client.on('confirm', (message) => message.resolve(true));
 * const three = await client.send('sum', { a: 1, b: 2 });
 */
export class Client<A extends Api = AnyApi> extends ClientCore<A> {
  /** @throws TypeError for invalid options or when no WebSocket class is available. */
  constructor(url: string, options: ClientOptions<A> = {}) {
    super(url, options, browserTransport);
  }
}
