// Volley, from the workspace packages' builds (run `pnpm build` first; `pnpm bench` does).
// VOLLEY_BATCH=0 turns write batching off on both sides, to measure what it buys; VOLLEY_UPGRADE=0
// sends the handshake as the `_h` frame instead of in the upgrade, likewise; VOLLEY_UPGRADE_ANSWER=0
// keeps the handshake in the upgrade but has its answer sent as a frame instead of in the 101;
// VOLLEY_FRAMING=0 has ws frame everything (own framing off, its own switch since batching).
// `volley-compare` is the same system built from another checkout (`pnpm bench --compare=<dir>`,
// which sets VOLLEY_COMPARE_DIR), to measure a change against the build before it in one run.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from '@volley/client';
import { Server } from '@volley/server';
import { WebSocket } from 'ws';

/** Volley with the given Client and Server classes. */
function makeVolley(name, { Client, Server }) {
  return {
    name,
    serverRequests: true,
    broadcast: true,

    async createServer({ room }) {
      const server = new Server({
        port: 0,
        host: '127.0.0.1',
        pingInterval: 0,
        batchWrites: process.env.VOLLEY_BATCH !== '0',
        ownFraming: process.env.VOLLEY_FRAMING !== '0',
      });
      const members = new Set();
      // One handler for every connection, as Volley applications register them.
      server.handle('echo', (message) => message.resolve(message.payload));
      server.on('connection', (connection) => {
        if (room) void connection.joinRoom('bench').then(() => members.add(connection));
        else members.add(connection);
      });
      server.on('disconnected', (connection) => members.delete(connection));
      await server.start();
      const roomHandle = server.getRoom('bench');
      return {
        port: server.port,
        count: () => members.size,
        connections: () => [...members],
        request: (connection, payload) => connection.send('req', payload),
        broadcast: (message) => void roomHandle.broadcast('b', message),
        close: () => server.stop(),
      };
    },

    async connect(url, { onBroadcast }) {
      const client = new Client(url, {
        WebSocket,
        pingInterval: 0,
        reconnect: false,
        batchWrites: process.env.VOLLEY_BATCH !== '0',
        ownFraming: process.env.VOLLEY_FRAMING !== '0',
        handshake: { viaUpgrade: process.env.VOLLEY_UPGRADE !== '0', answerInUpgrade: process.env.VOLLEY_UPGRADE_ANSWER !== '0' },
      });
      client.on('req', (message) => message.resolve(message.payload));
      if (onBroadcast !== undefined) client.on('b', () => onBroadcast());
      await client.connect();
      return {
        request: (payload) => client.send('echo', payload),
        close: () => client.disconnect(),
      };
    },
  };
}

export const volley = makeVolley('volley', { Client, Server });

const compareDir = process.env.VOLLEY_COMPARE_DIR;
// The client's Node entry where the build has one (node.js; index.js is the browser's since the
// entry points were split), as `import '@volley/client'` resolves in Node.
const fromCompareDir = (pkg) => {
  const dist = join(compareDir, 'packages', pkg, 'dist');
  return import(pathToFileURL(join(dist, existsSync(join(dist, 'node.js')) ? 'node.js' : 'index.js')).href);
};

/** The other checkout's build; undefined without VOLLEY_COMPARE_DIR. */
export const volleyCompare =
  compareDir === undefined
    ? undefined
    : makeVolley('volley-compare', { Client: (await fromCompareDir('client')).Client, Server: (await fromCompareDir('server')).Server });
