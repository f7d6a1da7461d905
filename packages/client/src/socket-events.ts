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

/**
 * Attaches `listeners` to a socket and returns a function that detaches them. With `ws` in Node
 * it uses the EventEmitter API: its browser-style `onmessage` builds a `MessageEvent` for every
 * frame, an allocation the client does not need. Browsers get the `on…` properties.
 */
export function listen(socket: WebSocketLike, listeners: SocketListeners): () => void {
  const node = socket as unknown as Partial<NodeWebSocket>;
  if (typeof node.on === 'function' && typeof node.off === 'function') {
    const emitter = node as NodeWebSocket;
    const onOpen = (): void => listeners.open();
    const onMessage = (data: { toString(): string }, isBinary: boolean): void => listeners.message(isBinary ? data : data.toString());
    const onError = (): void => listeners.error();
    const onClose = (code: number, reason: { toString(): string }): void => listeners.close(code, reason.toString());
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
