import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { onCleanup } from './cleanup.js';
import type { ReceivedFrame } from './raw-peer.js';

/** One socket accepted by a {@link RawServer}, with the frames it sent. */
export interface RawServerSocket {
  socket: WebSocket;
  frames: ReceivedFrame[];
}

/**
 * A `ws` server on 127.0.0.1:0 that answers the handshake (`_h`) with
 * `{ payload: null, id: 'raw-<n>' }`, answers pings only if `answerPings`, and nothing else.
 */
export async function startRawServer(
  options: { answerPings?: boolean } = {},
): Promise<{ url: string; wss: WebSocketServer; sockets: RawServerSocket[] }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const sockets: RawServerSocket[] = [];
  wss.on('connection', (socket) => {
    const entry: RawServerSocket = { socket, frames: [] };
    sockets.push(entry);
    socket.on('message', (data: RawData) => {
      const frame = JSON.parse(data.toString()) as ReceivedFrame;
      entry.frames.push(frame);
      if (frame.n === '_h') socket.send(JSON.stringify({ n: '_r', i: frame.i, p: { payload: null, id: `raw-${sockets.length}` } }));
      if (frame.n === '_p' && options.answerPings === true) socket.send(JSON.stringify({ n: '_r', i: frame.i, p: 'pong' }));
    });
  });
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const { socket } of sockets) socket.terminate();
        wss.close(() => resolve());
      }),
  );
  const address = wss.address();
  if (typeof address !== 'object' || address === null) throw new Error('The raw server has no port');
  return { url: `ws://127.0.0.1:${address.port}`, wss, sockets };
}
