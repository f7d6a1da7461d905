// Raw `ws` echoing opaque binary frames: no JSON at all, no id (the answers come back in order,
// so a FIFO of waiters per socket correlates them). A frame is as long as the JSON request of the
// other systems. It has no handshake message: its connect is the bare WebSocket upgrade.
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import { openOrFail } from './ws-json.mjs';

/** The bytes of a request of the JSON systems, used as the opaque frame. */
const opaqueFrame = (payload) => Buffer.from(JSON.stringify({ id: 100000, name: 'echo', payload }));

export const wsRaw = {
  name: 'ws-raw',
  opaque: true,
  serverRequests: true,
  broadcast: true,

  async createServer({ payload }) {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: false });
    await once(wss, 'listening');
    const frame = opaqueFrame(payload);
    const members = new Set();
    wss.on('connection', (ws) => {
      // Waiters of the server's own requests on this socket, oldest first.
      const waiters = [];
      const connection = {
        ws,
        request() {
          ws.send(frame);
          return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
        },
      };
      members.add(connection);
      ws.on('message', (data, isBinary) => {
        if (waiters.length > 0) waiters.shift().resolve(data);
        else ws.send(data, { binary: isBinary });
      });
      ws.on('close', () => {
        members.delete(connection);
        for (const waiter of waiters.splice(0)) waiter.reject(new Error('closed'));
      });
      ws.on('error', () => undefined);
    });
    return {
      port: wss.address().port,
      count: () => members.size,
      connections: () => [...members],
      request: (connection) => connection.request(),
      broadcast(message) {
        const bytes = Buffer.from(JSON.stringify({ name: 'b', payload: message }));
        for (const member of members) member.ws.send(bytes);
      },
      close: () => new Promise((resolve) => wss.close(() => resolve())),
    };
  },

  async connect(url, { role, payload, onBroadcast }) {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const frame = opaqueFrame(payload);
    const waiters = [];
    ws.on('message', (data, isBinary) => {
      if (waiters.length > 0) waiters.shift().resolve(data);
      else if (role === 'broadcast') onBroadcast?.();
      else ws.send(data, { binary: isBinary });
    });
    ws.on('close', () => {
      for (const waiter of waiters.splice(0)) waiter.reject(new Error('closed'));
    });
    await openOrFail(ws);
    return {
      request() {
        ws.send(frame);
        return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
      },
      close: () => ws.close(),
    };
  },
};
