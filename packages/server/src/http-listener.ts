import { createServer, type IncomingMessage as HttpRequest, type Server as HttpServer, type ServerOptions as HttpServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The HTTP server Volley creates when given a `port`: it takes upgrades and answers plain HTTP
 * with 426 Upgrade Required.
 */
export class HttpListener {
  private server: HttpServer | undefined;

  /** The port listened on, once listening. */
  get port(): number | undefined {
    const address = this.server?.address();
    return address !== null && typeof address === 'object' ? address.port : undefined;
  }

  /** Listens; rejects if the port cannot be bound. Later server errors go to `failed`. */
  async listen(
    options: { port: number; host: string | undefined; handshakeTimeout: number },
    upgrade: (request: HttpRequest, socket: Duplex, head: Buffer) => void,
    failed: (error: Error) => void,
  ): Promise<void> {
    const http = createServer(upgradeTimeouts(options.handshakeTimeout), (_request, response) => {
      response.writeHead(426, { 'Content-Type': 'text/plain' }).end('Upgrade Required');
    });
    http.on('upgrade', upgrade);
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port, options.host, () => {
        http.off('error', reject);
        resolve();
      });
    });
    http.on('error', failed);
    this.server = http;
  }

  /**
   * Stops accepting sockets at once, runs `drain` (closing the WebSocket connections), then cuts
   * what is left (idle keep-alive sockets) and resolves once the server is closed.
   */
  async close(drain: () => Promise<unknown>): Promise<void> {
    const http = this.server;
    this.server = undefined;
    const closed = http === undefined ? Promise.resolve() : new Promise<void>((resolve) => http.close(() => resolve()));
    await drain();
    http?.closeAllConnections();
    await closed;
  }
}

/**
 * Options of the HTTP server, so that a socket which never completes its upgrade request (a
 * slowloris, or a port scan that connects and waits) is cut after `handshakeTimeout` like a socket
 * that never sends its handshake, not after Node's `headersTimeout` (60 s, checked every 30 s).
 * Node checks the timeouts on an interval: a tenth of the timeout keeps the cut within 10 % of it.
 * None for a `handshakeTimeout` of 0 (no limit asked for).
 */
function upgradeTimeouts(handshakeTimeout: number): HttpServerOptions {
  if (handshakeTimeout === 0) return {};
  return {
    headersTimeout: handshakeTimeout,
    // Node refuses a headersTimeout above a non-zero requestTimeout (default 300 s).
    requestTimeout: Math.max(handshakeTimeout, 300_000),
    connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(handshakeTimeout / 10))),
  };
}
