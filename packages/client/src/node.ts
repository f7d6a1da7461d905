/**
 * @volley/client — the Volley client, Node entry point (the `node` export condition). The same API
 * as the browser entry; its `Client` drives `ws` sockets through their EventEmitter API, takes the
 * handshake answer from the 101 response, and batches and frames its writes itself (see
 * node-transport.ts). Node 20 has no global WebSocket: pass `ws`'s in the options.
 */
import type { AnyApi, Api } from '@volley/protocol';
import { ClientCore } from './client.js';
import { nodeTransport } from './node-transport.js';
import type { ClientOptions } from './options.js';

export * from './shared-exports.js';

/**
 * A Volley client for Node: connects, runs the handshake, sends awaited requests, answers the
 * server's requests, pings, and reconnects with backoff after a drop.
 *
 * @example
 * import { WebSocket } from 'ws';
 * const client = new Client('ws://localhost:8080', { WebSocket, handshake: { payload: { token } } });
 * const welcome = await client.connect();
 * const three = await client.send('sum', { a: 1, b: 2 });
 * await client.disconnect();
 */
export class Client<A extends Api = AnyApi> extends ClientCore<A> {
  /** @throws TypeError for invalid options or when no WebSocket class is available. */
  constructor(url: string, options: ClientOptions<A> = {}) {
    super(url, options, nodeTransport);
  }
}
