import { Client, type ClientOptions } from '@volley/client';
import { Server, type ServerConnection, type ServerOptions } from '@volley/server';
import { WebSocket } from 'ws';
import { onCleanup } from './cleanup.js';

/**
 * Starts a Volley server on 127.0.0.1, port 0 unless given; it is stopped in cleanup. `prepare`
 * runs before `start()`, for listeners that must be in place before the first client can arrive.
 */
export async function startServer(options: Partial<ServerOptions> = {}, prepare?: (server: Server) => void): Promise<{ server: Server; url: string }> {
  const server = new Server({ port: 0, host: '127.0.0.1', ...options });
  prepare?.(server);
  await server.start();
  onCleanup(() => server.stop());
  return { server, url: `ws://127.0.0.1:${server.port}` };
}

/** A client over `ws` (no automatic reconnection unless asked); disconnected in cleanup. */
export function makeClient(url: string, options: ClientOptions = {}): Client {
  const client = new Client(url, { WebSocket, reconnect: false, ...options });
  onCleanup(() => client.disconnect());
  return client;
}

/** A client that has completed its handshake. */
export async function connectClient(url: string, options: ClientOptions = {}): Promise<Client> {
  const client = makeClient(url, options);
  await client.connect();
  return client;
}

/** The server-side connection of a connected client. */
export function connectionOf(server: Server, client: Client): ServerConnection {
  const connection = client.id === undefined ? undefined : server.getConnectionById(client.id);
  if (connection === undefined) throw new Error(`No server connection for client id ${String(client.id)}`);
  return connection;
}

/** Registers an `echo` request handler on every connection: answers with its payload. */
export function serveEcho(server: Server): void {
  server.on('connection', (connection) => {
    connection.on('echo', (message) => message.resolve(message.payload));
  });
}
