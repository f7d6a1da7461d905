// The smallest Volley server: a handshake that greets the client, and one request handler that
// answers with whatever it was sent. `node server.mjs` runs it on its own (PORT, default 8080;
// HOST, default every interface).
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Server } from '@volley/server';

/** Starts the echo server on `port` (0 picks a free one); resolves with the started server. */
export async function startEchoServer({ port = 8080, host } = {}) {
  const server = new Server({ port, host });
  // Every client must pass the handshake first; here anyone may, and gets a greeting back.
  server.on('handshake', (connection, handshake) => {
    handshake.resolve({ greeting: `Hello, ${handshake.payload?.name ?? 'stranger'}!` });
  });
  server.on('connection', (connection) => {
    connection.on('echo', (message) => message.resolve(message.payload));
  });
  await server.start();
  return server;
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const server = await startEchoServer({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST });
  console.log(`Echo server listening on ws://localhost:${server.port} (Ctrl-C to stop)`);
  process.once('SIGINT', () => void server.stop());
  process.once('SIGTERM', () => void server.stop());
}
