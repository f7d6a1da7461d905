// The baseline: raw `ws` with the minimal JSON id correlation one writes by hand.
// Request {id, name, payload}, response {id, payload}, message {name, payload}; a one-round-trip
// "hello" after open stands for the application handshake. `ws-json-batched` is the same code
// with each socket's writes on the server held until the end of the event-loop turn (cork on the
// first write of a turn, uncork every corked socket in one setImmediate): the ceiling.
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';

/** A send that corks the socket on its first write of a turn and uncorks all in one setImmediate. */
function batchedSender() {
  let corked = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const sockets = corked;
    corked = [];
    for (const socket of sockets) if (!socket.destroyed) socket.uncork();
  };
  return (ws, data) => {
    const socket = ws._socket;
    if (socket.writableCorked === 0) {
      socket.cork();
      corked.push(socket);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    }
    ws.send(data);
  };
}

const plainSend = (ws, data) => ws.send(data);

/** Handlers by message name, as an application would register them. */
const handlers = { echo: (payload) => payload };

function makeWsJson(name, batched) {
  return {
    name,
    serverRequests: true,
    broadcast: true,

    async createServer() {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: false });
      await once(wss, 'listening');
      const send = batched ? batchedSender() : plainSend;
      // Handshaken connections; the broadcast goes to all of them (the "room").
      const members = new Set();
      wss.on('connection', (ws) => {
        let nextId = 0;
        const pending = new Map();
        const connection = {
          request(payload) {
            const id = ++nextId;
            send(ws, JSON.stringify({ id, name: 'req', payload }));
            return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
          },
          ws,
        };
        ws.on('message', (data) => {
          const message = JSON.parse(data.toString());
          if (answered(pending, message)) return;
          if (message.name === 'hello') {
            members.add(connection);
            send(ws, JSON.stringify({ id: message.id, payload: null }));
          } else {
            const handler = handlers[message.name];
            send(ws, JSON.stringify({ id: message.id, payload: handler(message.payload) }));
          }
        });
        ws.on('close', () => {
          members.delete(connection);
          for (const entry of pending.values()) entry.reject(new Error('closed'));
          pending.clear();
        });
        ws.on('error', () => undefined);
      });
      return {
        port: wss.address().port,
        count: () => members.size,
        connections: () => [...members],
        request: (connection, payload) => connection.request(payload),
        broadcast(message) {
          const frame = JSON.stringify({ name: 'b', payload: message });
          for (const member of members) send(member.ws, frame);
        },
        close: () => new Promise((resolve) => wss.close(() => resolve())),
      };
    },

    async connect(url, { onBroadcast }) {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      let nextId = 0;
      const pending = new Map();
      const request = (name, payload) => {
        const id = ++nextId;
        ws.send(JSON.stringify({ id, name, payload }));
        return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
      };
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString());
        if (answered(pending, message)) return;
        if (message.id !== undefined) {
          ws.send(JSON.stringify({ id: message.id, payload: message.payload }));
        } else if (onBroadcast !== undefined) {
          onBroadcast();
        }
      });
      ws.on('close', () => {
        for (const entry of pending.values()) entry.reject(new Error('closed'));
        pending.clear();
      });
      await openOrFail(ws);
      await request('hello', {});
      return {
        request: (payload) => request('echo', payload),
        close: () => ws.close(),
      };
    },
  };
}

/** Resolves on `open`, rejects on `error` or an early `close`. */
export function openOrFail(ws) {
  return new Promise((resolve, reject) => {
    const fail = (error) => {
      ws.off('open', open);
      reject(error instanceof Error ? error : new Error(`closed before open (${error})`));
    };
    const open = () => {
      ws.off('error', fail);
      ws.off('close', fail);
      ws.on('error', () => undefined);
      resolve();
    };
    ws.once('open', open);
    ws.once('error', fail);
    ws.once('close', fail);
  });
}

export const wsJson = makeWsJson('ws-json', false);
export const wsJsonBatched = makeWsJson('ws-json-batched', true);

/** Settles the request of `pending` that `message` answers (a message without a name); false when it is not an answer. */
function answered(pending, message) {
  if (message.name !== undefined) return false;
  const entry = pending.get(message.id);
  if (entry !== undefined) {
    pending.delete(message.id);
    entry.resolve(message.payload);
  }
  return true;
}
