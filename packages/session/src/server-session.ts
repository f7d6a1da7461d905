import { ErrorCode, ReservedName, UPGRADE_HANDSHAKE_ID, VolleyError } from '@volley/protocol';
import { IncomingMessage } from './incoming-message.js';
import type { Admission } from './admission.js';
import { Session } from './session.js';

/**
 * The server's side of a session: a {@link Session} that also takes what only a server receives
 * (the handshake carried in the WebSocket upgrade, binary frames, WebSocket control frames), under
 * an {@link Admission}. Its own module so that the client, and so the browser bundle, carries
 * none of it.
 */
export class ServerSession extends Session {
  /**
   * The client carried its handshake in the WebSocket upgrade (see upgrade-handshake.ts). Handled
   * as the `_h` frame with id `UPGRADE_HANDSHAKE_ID` it stands for, without building and parsing
   * that frame: `payload` was parsed from the upgrade already.
   */
  receiveUpgradeHandshake(payload: unknown): void {
    this.keepalive.received();
    if (this.host.handshake === undefined) {
      this.refuse(UPGRADE_HANDSHAKE_ID, new VolleyError(ErrorCode.INVALID_FRAME, `Unknown reserved name "${ReservedName.HANDSHAKE}"`));
      return;
    }
    this.host.handshake(new IncomingMessage(this, ReservedName.HANDSHAKE, payload, UPGRADE_HANDSHAKE_ID));
  }

  /**
   * A binary frame arrived: not part of the protocol, so refused (and counted towards
   * `maxRefusals`) after taking its token like any frame.
   */
  receiveBinary(): void {
    this.keepalive.received();
    this.admission.take();
    this.refuse(undefined, new VolleyError(ErrorCode.INVALID_FRAME, 'Binary frames are not part of the protocol'));
  }

  /**
   * A WebSocket control frame (ping or pong) arrived. The WebSocket answers pings itself and
   * Volley never sends control pings, so these reach no handler; they still take a token, and
   * over the rate they are refused, or a flood of them would cost CPU that no limit bounds.
   */
  receiveControl(kind: 'ping' | 'pong'): void {
    if (this.admission.take()) return;
    this.refuse(undefined, this.admission.rateLimited(`WebSocket ${kind}`));
  }
}
