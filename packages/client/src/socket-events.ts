import type { WebSocketLike } from './options.js';

/** What the client wants to hear from its socket. */
export interface SocketListeners {
  open(): void;
  /** A string for a text frame; anything else for a binary one. */
  message(data: unknown): void;
  error(): void;
  close(code: number, reason: string): void;
}

interface NodeWebSocket {
  on(event: string, listener: (...args: never[]) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
}

const ignore = (): void => undefined;

/** Where a ws socket keeps the listeners it reports to, for the shared functions below. */
const LISTENERS = Symbol('volley.listeners');
type ListenedSocket = NodeWebSocket & { [LISTENERS]: SocketListeners };

// Shared by every socket (ws calls them with the socket as `this`): attaching costs no closures.
function onOpen(this: ListenedSocket): void {
  this[LISTENERS].open();
}
function onMessage(this: ListenedSocket, data: { toString(): string }, isBinary: boolean): void {
  this[LISTENERS].message(isBinary ? data : data.toString());
}
function onError(this: ListenedSocket): void {
  this[LISTENERS].error();
}
function onClose(this: ListenedSocket, code: number, reason: { toString(): string }): void {
  this[LISTENERS].close(code, reason.toString());
}

/**
 * Attaches `listeners` to a socket and returns a function that detaches them. With `ws` in Node
 * it uses the EventEmitter API: its browser-style `onmessage` builds a `MessageEvent` for every
 * frame, an allocation the client does not need. Browsers get the `on…` properties.
 */
export function listen(socket: WebSocketLike, listeners: SocketListeners): () => void {
  const node = socket as unknown as Partial<NodeWebSocket>;
  if (typeof node.on === 'function' && typeof node.off === 'function') {
    const emitter = node as ListenedSocket;
    emitter[LISTENERS] = listeners;
    emitter.on('open', onOpen);
    emitter.on('message', onMessage);
    emitter.on('error', onError);
    emitter.on('close', onClose);
    return () => {
      emitter.off('open', onOpen);
      emitter.off('message', onMessage);
      emitter.off('close', onClose);
      // An EventEmitter throws on an 'error' nobody listens to: keep a listener that ignores it.
      emitter.off('error', onError);
      emitter.on('error', ignore);
    };
  }
  socket.onopen = () => listeners.open();
  socket.onmessage = (event: { data: unknown }) => listeners.message(event.data);
  socket.onerror = () => listeners.error();
  socket.onclose = (event: { code: number; reason: string }) => listeners.close(event.code, event.reason);
  return () => {
    socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
  };
}
