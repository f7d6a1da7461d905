import type { IncomingMessage as HttpRequest } from 'node:http';
import type { Duplex } from 'node:stream';
import { declineUpgradeHandshake, withBinary } from '@volley/protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import { VolleyWebSocket } from './volley-web-socket.js';
import type { AnyConnection } from './connection-types.js';

/** What an acceptor needs from its server. */
export interface AcceptorHost {
  /** Creates the connection of a new socket and registers it. */
  createConnection(ws: WebSocket, request: HttpRequest): AnyConnection;
}

/**
 * Completes WebSocket upgrades (through ws) that the server has checked, and hands each new socket
 * to the server. This acceptor does not take a handshake carried in the upgrade: it declines it,
 * selecting `volley.1-frame` and never the `volley-h.` entry, which would echo the client's payload
 * in the 101 response. {@link UpgradeHandshakeAcceptor} takes it.
 */
export class UpgradeAcceptor {
  protected readonly wss: WebSocketServer;
  private readonly onUpgraded = (ws: WebSocket, request: HttpRequest): void => this.accept(ws, request);

  constructor(
    protected readonly host: AcceptorHost,
    maxPayload: number,
    /** Select the `+b` variant (the binary extension) of what is selected, when the client offered it. */
    protected readonly binary: boolean,
    /** ws's `WebSocket` option: the class ws instantiates for each upgrade. */
    webSocketClass: typeof VolleyWebSocket = VolleyWebSocket,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (protocols, request) => this.selectProtocol(protocols, request),
      WebSocket: webSocketClass as unknown as typeof WebSocket,
    });
  }

  /** Runs the WebSocket upgrade of `request`; ws writes the 101 and calls back synchronously. */
  upgrade(request: HttpRequest, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, this.onUpgraded);
  }

  /** Picks the subprotocol of the 101 response. */
  protected selectProtocol(protocols: Set<string>, _request: HttpRequest): string | false {
    return withBinary(declineUpgradeHandshake(protocols), protocols, this.binary);
  }

  /** ws set the socket up and wrote the 101. */
  protected accept(ws: WebSocket, request: HttpRequest): void {
    this.host.createConnection(ws, request).opened();
  }
}
