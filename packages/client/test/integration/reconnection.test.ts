import { type Handshake, type Server, type ServerConnection } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanup,
  connectionOf,
  makeClient,
  record,
  serveEcho,
  startServer,
  waitFor,
} from '@volley/test-utils';

/*
 * The client's reconnection against a real server on 127.0.0.1: what it does after a drop, and
 * what it never does (after disconnect(), after a rejected handshake, with reconnect off).
 */

afterEach(cleanup);

describe('reconnection', () => {
  it('reconnects to a new server on the same port, runs the handshake again, and works', async () => {
    const handshakes: { server: string; payload: unknown }[] = [];
    const listen = (name: string) => (server: Server) => {
      serveEcho(server);
      server.on('handshake', (_connection: ServerConnection, handshake: Handshake) => {
        handshakes.push({ server: name, payload: handshake.payload });
        handshake.resolve(name);
      });
    };
    const first = await startServer({}, listen('first'));
    const port = first.server.port!;
    const client = makeClient(first.url, {
      handshake: { payload: { token: 't1' } },
      reconnect: true,
      reconnectOptions: { initialDelay: 20, maxDelay: 100 },
    });
    expect(await client.connect()).toBe('first');
    expect(await client.send('echo', 1)).toBe(1);

    const dropped = waitFor<{ code: number; willReconnect: boolean }>(client, '_disconnected');
    const reconnected = waitFor(client, '_connected');
    const attempts = record<{ attempt: number; delay: number }>(client, '_reconnecting');
    await first.server.stop();
    expect(await dropped).toMatchObject({ code: 1001, willReconnect: true });

    const second = await startServer({ port }, listen('second'));
    expect(await reconnected).toBe('second');
    expect(client.state).toBe('connected');
    expect(handshakes).toEqual([
      { server: 'first', payload: { token: 't1' } },
      { server: 'second', payload: { token: 't1' } },
    ]);
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    for (const { delay } of attempts) expect(delay).toBeLessThanOrEqual(100);
    expect(await client.send('echo', 2)).toBe(2);
    expect(connectionOf(second.server, client).state).toBe('connected');
  });
});
