import type { IncomingMessage as HttpRequest } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, decodeUpgradeHandshake, SUBPROTOCOL, UPGRADE_ANSWER_HEADER, UPGRADE_ANSWER_SUBPROTOCOL, withBinary } from '@volley/protocol';
import type { WebSocket } from 'ws';
import { VolleyWebSocket } from './volley-web-socket.js';
import type { AnyConnection } from './connection-types.js';
import { type AcceptorHost, UpgradeAcceptor } from './upgrade-acceptor.js';

/*
 * The upgrade handshake, server side (docs/protocol.md, "Upgrade handshake"): the client offers its
 * handshake payload as a subprotocol, and the handshake runs while ws selects the subprotocol,
 * before it writes the 101. An answer given at once goes in the 101's header (`volley.1-answer`)
 * or follows the 101 in the same write (`volley.1`). Installed only when `upgradeHandshake` is on.
 */

/**
 * The WebSocket ws creates for the upgrade being completed. ws creates it before it asks which
 * subprotocol to select, and the acceptor needs it there; ws's whole upgrade is synchronous, so
 * one slot for the process is enough.
 */
let upgrading: WebSocket | undefined;

/** The server's WebSocket, remembering each instance ws creates for an upgrade in `upgrading`. */
class UpgradingWebSocket extends VolleyWebSocket {
  // ws calls it as `new WebSocket(null, undefined, options)`; the declared types have no such overload.
  constructor(address: null, protocols?: undefined, options?: WebSocket.ClientOptions) {
    super(address as never, protocols, options);
    upgrading = this;
  }
}

/** Takes a handshake carried in the upgrade; declines the rest as {@link UpgradeAcceptor} does. */
export class UpgradeHandshakeAcceptor extends UpgradeAcceptor {
  /**
   * The connection whose handshake ran during the upgrade being completed, from protocol
   * selection to `accept`: ws calls both synchronously within one `handleUpgrade`.
   */
  private opening: AnyConnection | undefined;
  /** The value of the upgrade answer header for the 101 being written, if any. */
  private upgradeAnswer: string | undefined;
  /** The TCP socket of the upgrade being completed, and whether it was corked for it. */
  private upgradingSocket: Duplex | undefined;
  private upgradingCorked = false;
  private readonly onHeaders = (headers: string[]): void => this.writingHeaders(headers);

  constructor(
    host: AcceptorHost,
    maxPayload: number,
    binary: boolean,
    /** Put an answer given at once in the 101's header when the client offers `volley.1-answer`. */
    private readonly upgradeAnswerOn: boolean,
  ) {
    super(host, maxPayload, binary, UpgradingWebSocket as unknown as typeof VolleyWebSocket);
    this.wss.on('headers', this.onHeaders);
  }

  override upgrade(request: HttpRequest, socket: Duplex, head: Buffer): void {
    // What the handshake writes leaves with the 101, in its header or in the same system call.
    this.upgradingSocket = socket;
    try {
      super.upgrade(request, socket, head);
    } finally {
      // Only when something threw between protocol selection and accept: that connection's
      // socket will never open.
      const abandoned = this.opening;
      if (abandoned !== undefined) {
        socket.destroy();
        abandoned.closed(CloseCode.ABNORMAL, 'The upgrade failed');
      }
      this.opening = undefined;
      this.upgradeAnswer = undefined;
      this.upgradingSocket = undefined;
      upgrading = undefined;
      if (this.upgradingCorked) {
        this.upgradingCorked = false;
        socket.uncork();
      }
    }
  }

  /**
   * When the client carried its handshake in the upgrade and it decodes, the handshake runs here,
   * before ws writes the 101: `volley.1-answer` when the client reads the 101's headers (it offered
   * that) and the handshake was accepted at once, its answer then going in a header of the 101;
   * else `volley.1`, the answer (when given at once) following the 101 in the same write.
   */
  protected override selectProtocol(protocols: Set<string>, request: HttpRequest): string | false {
    const ws = upgrading;
    upgrading = undefined;
    if (ws !== undefined && protocols.has(SUBPROTOCOL)) {
      for (const protocol of protocols) {
        const handshake = decodeUpgradeHandshake(protocol);
        if (handshake === undefined) continue;
        const connection = this.host.createConnection(ws, request);
        this.opening = connection;
        connection.receiveUpgradeHandshake(handshake.payload);
        if (this.upgradeAnswerOn && protocols.has(UPGRADE_ANSWER_SUBPROTOCOL)) {
          const answer = connection.takeUpgradeAnswer();
          if (answer !== undefined) {
            this.upgradeAnswer = answer;
            return withBinary(UPGRADE_ANSWER_SUBPROTOCOL, protocols, this.binary);
          }
        }
        return withBinary(SUBPROTOCOL, protocols, this.binary);
      }
    }
    return super.selectProtocol(protocols, request);
  }

  /** ws is about to write the 101 response's `headers`. */
  private writingHeaders(headers: string[]): void {
    const answer = this.upgradeAnswer;
    if (answer !== undefined) {
      this.upgradeAnswer = undefined;
      headers.push(`${UPGRADE_ANSWER_HEADER}: ${answer}`);
    }
    // Frames written during the handshake follow the 101 in the same system call (and segment).
    const socket = this.upgradingSocket;
    if (socket !== undefined && this.opening?.hasEarlyFrames === true && !this.upgradingCorked) {
      this.upgradingCorked = true;
      socket.cork();
    }
  }

  /** A handshake carried in the upgrade made the connection already, with this ws (selectProtocol). */
  protected override accept(ws: WebSocket, request: HttpRequest): void {
    const connection = this.opening;
    if (connection === undefined) {
      super.accept(ws, request);
      return;
    }
    this.opening = undefined;
    connection.opened();
  }
}
