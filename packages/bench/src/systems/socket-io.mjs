// socket.io 4 with acknowledgements, WebSocket transport only (no polling, no upgrade).
// socket.io cannot turn its heartbeat off; an interval far longer than any run means no ping is
// ever sent (its per-socket timer still exists: that is part of its cost).
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';

const NO_PING = 1_000_000_000;

export const socketIo = {
  name: 'socket.io',
  serverRequests: true,
  broadcast: true,

  async createServer({ room }) {
    const http = createServer();
    const server = new Server(http, {
      transports: ['websocket'],
      serveClient: false,
      pingInterval: NO_PING,
      pingTimeout: NO_PING,
      perMessageDeflate: false,
      httpCompression: false,
    });
    const members = new Set();
    server.on('connection', (socket) => {
      socket.on('echo', (payload, ack) => ack(payload));
      socket.on('disconnect', () => members.delete(socket));
      if (room) socket.join('bench');
      members.add(socket);
    });
    await new Promise((resolve, reject) => {
      http.once('error', reject);
      http.listen(0, '127.0.0.1', resolve);
    });
    return {
      port: http.address().port,
      count: () => members.size,
      connections: () => [...members],
      request: (socket, payload) => socket.emitWithAck('req', payload),
      broadcast: (message) => server.to('bench').emit('b', message),
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  },

  async connect(url, { onBroadcast }) {
    // forceNew: one Manager (one socket) per client, as separate clients would have.
    const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    socket.on('req', (payload, ack) => ack(payload));
    if (onBroadcast !== undefined) socket.on('b', () => onBroadcast());
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return {
      request: (payload) => socket.emitWithAck('echo', payload),
      close: () => socket.disconnect(),
    };
  },
};
