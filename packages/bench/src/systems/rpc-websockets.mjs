// rpc-websockets (JSON-RPC 2.0 over ws): its Server and Client. Its client cannot answer calls
// from the server, so server → client requests are n/a. Broadcast is its event mechanism: the
// server declares an event, clients subscribe ("rpc.on"), `server.emit` notifies the subscribers
// (it serialises the notification once per subscriber). Its connect is the bare WebSocket upgrade.
import { once } from 'node:events';
import { Client, Server } from 'rpc-websockets';

export const rpcWebsockets = {
  name: 'rpc-websockets',
  serverRequests: 'n/a: its client cannot answer requests from the server (one-way JSON-RPC)',
  broadcast: true,

  async createServer({ room }) {
    const server = new Server({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    server.register('echo', (params) => params);
    if (room) server.event('b');
    let count = 0;
    server.on('connection', () => count++);
    server.on('disconnection', () => count--);
    return {
      port: server.wss.address().port,
      count: () => count,
      connections: () => [],
      request: () => Promise.reject(new Error('rpc-websockets has no server → client requests')),
      broadcast: (message) => server.emit('b', message),
      close: () => server.close(),
    };
  },

  async connect(url, { role, onBroadcast }) {
    const client = new Client(url, { autoconnect: true, reconnect: false });
    await new Promise((resolve, reject) => {
      client.once('open', resolve);
      client.once('error', reject);
    });
    if (role === 'broadcast') {
      client.on('b', () => onBroadcast());
      await client.subscribe('b');
    }
    return {
      request: (payload) => client.call('echo', payload),
      close: () => client.close(),
    };
  },
};
