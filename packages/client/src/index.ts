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

export * from './shared-exports.js';

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
