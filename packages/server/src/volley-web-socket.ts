import { WebSocket } from 'ws';
import type { AnyConnection } from './connection-types.js';

/** Where a socket keeps its connection, for the listeners shared by all sockets. */
const OWNER = Symbol('volley.connection');
type OwnedSocket = WebSocket & { [OWNER]: AnyConnection };

function onSocketMessage(this: WebSocket, data: unknown, isBinary: boolean): void {
  (this as OwnedSocket)[OWNER].receive(data as Buffer, isBinary);
}

function onSocketClose(this: WebSocket, code: number, reason: Buffer): void {
  (this as OwnedSocket)[OWNER].closed(code, reason.toString());
}

function onSocketError(this: WebSocket, error: Error): void {
  (this as OwnedSocket)[OWNER].socketError(error);
}

/**
 * The WebSocket class the server has ws create for each upgrade. It hands WebSocket ping and pong
 * control frames, which ws announces with `emit('ping' | 'pong')`, to the socket's connection
 * without a listener per socket: two more listeners would cost every idle connection about a
 * hundred bytes. `floods.test.ts` fails if ws stops announcing them this way.
 */
export class VolleyWebSocket extends WebSocket {
  // ws emits at most two arguments on a server socket; forwarding by count keeps the hot
  // `message` event free of a rest array.
  override emit(event: string | symbol, first?: unknown, second?: unknown): boolean {
    if (event === 'ping' || event === 'pong') (this as unknown as Partial<OwnedSocket>)[OWNER]?.receiveControl(event);
    switch (arguments.length) {
      case 1:
        return super.emit(event);
      case 2:
        return super.emit(event, first);
      default:
        return super.emit(event, first, second);
    }
  }
}

/** Routes the socket's events to `connection`, with listeners shared by every socket. */
export function listenToSocket(socket: WebSocket, connection: AnyConnection): void {
  (socket as OwnedSocket)[OWNER] = connection;
  socket.on('message', onSocketMessage);
  socket.on('close', onSocketClose);
  socket.on('error', onSocketError);
}
