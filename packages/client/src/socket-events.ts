import { UPGRADE_ANSWER_HEADER } from '@volley/protocol';
import type { WebSocketLike } from './options.js';

/** What the client wants to hear from its socket. */
export interface SocketListeners {
  /**
   * ws only, before `opened`: the 101 response arrived, with the value of its upgrade answer
   * header (undefined when it has none).
   */
  upgraded(answer: string | undefined): void;
  opened(): void;
  /** A string for a text frame; anything else for a binary one. */
  received(data: unknown): void;
  failed(): void;
  closed(code: number, reason: string): void;
}

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

/**
 * True for a WebSocket class with `ws`'s EventEmitter API, whose sockets report the 101 response
 * (`upgrade` event) and can therefore take the handshake answer from its headers.
 */
export function readsUpgradeResponse(WebSocketClass: unknown): boolean {
  const prototype = (WebSocketClass as { prototype?: Partial<NodeWebSocket> } | undefined)?.prototype;
  return typeof prototype?.on === 'function' && typeof prototype.off === 'function';
}

/**
 * Attaches `listeners` to a socket, until {@link unlisten}. With `ws` in Node it uses the
 * EventEmitter API: its browser-style `onmessage` builds a `MessageEvent` for every frame, an
 * allocation the client does not need, and its listeners are functions shared by every socket,
 * which find `listeners` on the socket. Browsers get the `on…` properties (closures: some
 * WebSocket implementations call them without the socket as `this`).
 */
export function listen(socket: WebSocketLike, listeners: SocketListeners): void {
  if (isNodeSocket(socket)) {
    (socket as unknown as ListenedSocket)[LISTENERS] = listeners;
    for (const [event, listener] of NODE_LISTENERS) socket.on(event, listener);
    return;
  }
  socket.onopen = () => listeners.opened();
  socket.onmessage = (event: { data: unknown }) => listeners.received(event.data);
  socket.onerror = () => listeners.failed();
  socket.onclose = (event: { code: number; reason: string }) => listeners.closed(event.code, event.reason);
}

/** Detaches what {@link listen} attached: nothing more reaches the listeners. */
export function unlisten(socket: WebSocketLike): void {
  if (isNodeSocket(socket)) {
    for (const [event, listener] of NODE_LISTENERS) socket.off(event, listener);
    // An EventEmitter throws on an 'error' nobody listens to: keep a listener that ignores it.
    socket.on('error', ignore);
    return;
  }
  socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
}
