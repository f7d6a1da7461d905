import { sharedWriteBatcher, corkableOf } from '@volley/session/node';
import { ErrorCode, UPGRADE_ANSWER_HEADER, UPGRADE_HANDSHAKE_MAX_LENGTH, VolleyError } from '@volley/protocol';
import { MAX_MASKED_TEXT, maskedTextFrame } from './masked-frame.js';
import type { WebSocketLike } from './options.js';
import { browserTransport, type FrameWriter, type SocketListeners, type Transport, type WriteOptions } from './transport.js';

interface NodeWebSocket {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

const ignore = (): void => undefined;

/** Where a socket keeps the listeners it reports to, for the shared functions below. */
const LISTENERS = Symbol('volley.listeners');
type ListenedSocket = NodeWebSocket & { [LISTENERS]: SocketListeners };

// Shared by every socket (ws calls them with the socket as `this`): attaching costs no closures.
function onUpgrade(this: ListenedSocket, response: { headers: Record<string, string | string[] | undefined> }): void {
  const answer = response.headers[UPGRADE_ANSWER_HEADER];
  this[LISTENERS].upgraded(typeof answer === 'string' ? answer : undefined);
}
function onOpen(this: ListenedSocket): void {
  this[LISTENERS].opened();
}
function onMessage(this: ListenedSocket, data: { toString(): string }, isBinary: boolean): void {
  this[LISTENERS].received(isBinary ? data : data.toString());
}
function onError(this: ListenedSocket): void {
  this[LISTENERS].failed();
}
function onClose(this: ListenedSocket, code: number, reason: { toString(): string }): void {
  this[LISTENERS].closed(code, reason.toString());
}

/** What a ws socket gets attached, in order. */
const NODE_LISTENERS = [
  ['upgrade', onUpgrade],
  ['open', onOpen],
  ['message', onMessage],
  ['error', onError],
  ['close', onClose],
] as const;

function isNodeSocket(socket: WebSocketLike): socket is WebSocketLike & NodeWebSocket {
  const node = socket as unknown as Partial<NodeWebSocket>;
  return typeof node.on === 'function' && typeof node.off === 'function';
}

/** The TCP socket under a ws WebSocket (a `net.Socket`): corkable and written to directly. */
type RawSocket = NonNullable<ReturnType<typeof corkableOf>> & { write(chunk: Uint8Array): boolean };

/**
 * Writes one ws socket's frames: held until the end of the read or turn (`batchWrites`), and
 * framed here as one buffer each (`ownFraming`, see masked-frame.ts) instead of through ws's sender.
 */
class NodeFrameWriter implements FrameWriter {
  /**
   * True once `raw` is corked for the length of each read. Done on the first write rather than
   * on open: a connection that never sends (most idle ones) never pays for the two listeners.
   */
  private readsCorked = false;

  constructor(
    private readonly socket: WebSocketLike,
    private readonly raw: RawSocket,
    private readonly batched: boolean,
    private readonly framesDirectly: boolean,
  ) {}

  write(frame: string): void {
    const raw = this.raw;
    if (this.batched) {
      if (!this.readsCorked) {
        this.readsCorked = true;
        sharedWriteBatcher.corkDuringReads(raw);
      }
      sharedWriteBatcher.hold(raw);
    }
    // Framed here, one buffer per frame; long texts keep ws's sender.
    if (this.framesDirectly && frame.length <= MAX_MASKED_TEXT) raw.write(maskedTextFrame(frame));
    else this.socket.send(frame);
  }
}

/**
 * The transport of the Node entry. A ws socket is driven through its EventEmitter API: its
 * browser-style `onmessage` builds a `MessageEvent` for every frame, an allocation the client does
 * not need, and its listeners are functions shared by every socket, which find their listeners on
 * the socket. Any other WebSocket class (Node 22's own, say) is driven as in browsers.
 */
export const nodeTransport: Transport = {
  readsUpgradeResponse(WebSocketClass) {
    const prototype = (WebSocketClass as { prototype?: Partial<NodeWebSocket> } | undefined)?.prototype;
    return typeof prototype?.on === 'function' && typeof prototype.off === 'function';
  },

  listen(socket, listeners) {
    if (!isNodeSocket(socket)) return browserTransport.listen(socket, listeners);
    (socket as unknown as ListenedSocket)[LISTENERS] = listeners;
    for (const [event, listener] of NODE_LISTENERS) socket.on(event, listener);
  },

  unlisten(socket) {
    if (!isNodeSocket(socket)) return browserTransport.unlisten(socket);
    for (const [event, listener] of NODE_LISTENERS) socket.off(event, listener);
    // An EventEmitter throws on an 'error' nobody listens to: keep a listener that ignores it.
    socket.on('error', ignore);
  },

  writer(socket, options: WriteOptions) {
    if (!options.batchWrites && !options.ownFraming) return undefined;
    const raw = corkableOf(socket) as RawSocket | undefined;
    if (raw === undefined) return undefined;
    // With an extension negotiated (compression, with webSocketOptions of your own) ws's sender
    // may hold frames back while it deflates: frames written past it could overtake them.
    return new NodeFrameWriter(socket, raw, options.batchWrites, options.ownFraming && !socket.extensions);
  },

  upgradeAnswerFailure(answer) {
    if (answer === undefined) {
      return new VolleyError(
        ErrorCode.HANDSHAKE_ERROR,
        'The server answered the handshake in the upgrade response, but its Volley-Handshake-Answer header did not arrive (dropped by a proxy?); connect with handshake.answerInUpgrade: false',
      );
    }
    // The server never writes a longer one (encodeUpgradeAnswer): whatever sent it is not
    // following the protocol, and a header bypasses the frame size checks.
    if (answer.length > UPGRADE_HANDSHAKE_MAX_LENGTH) {
      return new VolleyError(ErrorCode.HANDSHAKE_ERROR, `The Volley-Handshake-Answer header of the upgrade response is longer than ${UPGRADE_HANDSHAKE_MAX_LENGTH} characters`);
    }
    return undefined;
  },
};
