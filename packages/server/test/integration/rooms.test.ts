import type { Client } from '@volley/client';
import type { Server, ServerConnection } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, connectClient, connectionOf, RawPeer, serveEcho, startServer, waitFor } from '@volley/test-utils';

afterEach(cleanup);

/** Every `news` payload a client receives. */
function inbox(client: Client): unknown[] {
  const received: unknown[] = [];
  client.on('news', (message) => received.push(message.payload));
  return received;
}

/**
 * A round trip on each client. The server writes a broadcast to a socket before it answers a
 * request that arrives after it, so once the answer is in, every copy the broadcast produced is in.
 */
async function barrier(...clients: Client[]): Promise<void> {
  const answers = await Promise.all(clients.map((client) => client.send('echo', 'barrier')));
  expect(answers).toEqual(clients.map(() => 'barrier'));
}

async function setup(count: number): Promise<{ server: Server; url: string; clients: Client[]; inboxes: unknown[][] }> {
  const { server, url } = await startServer();
  serveEcho(server);
  const clients: Client[] = [];
  for (let index = 0; index < count; index++) clients.push(await connectClient(url));
  return { server, url, clients, inboxes: clients.map(inbox) };
}

describe('server.broadcast', () => {
  it('reaches every connected client exactly once, and no socket still in its handshake', async () => {
    const { server, url, clients, inboxes } = await setup(3);
    const pendingPeer = await RawPeer.open(url);

    const arrivals = clients.map((client) => waitFor(client, 'news'));
    await server.broadcast('news', { n: 1 });
    await Promise.all(arrivals);
    await barrier(...clients);

    expect(inboxes).toEqual([[{ n: 1 }], [{ n: 1 }], [{ n: 1 }]]);
    expect(await pendingPeer.barrier()).toEqual([]);
  });

  it('leaves out the connection given in `except`, as an object or as an id', async () => {
    const { server, clients, inboxes } = await setup(3);
    const [first, second] = clients as [Client, Client, Client];
    await server.broadcast('news', 'a', { except: connectionOf(server, first) });
    await server.broadcast('news', 'b', { except: second.id! });
    await barrier(...clients);
    expect(inboxes).toEqual([['b'], ['a'], ['a', 'b']]);
  });
});

describe('rooms', () => {
  it('a room broadcast reaches its members only', async () => {
    const { server, clients, inboxes } = await setup(3);
    const [first, second] = clients as [Client, Client, Client];
    await connectionOf(server, first).joinRoom('lobby');
    await connectionOf(server, second).joinRoom('lobby');
    await connectionOf(server, second).joinRoom('other');

    await server.getRoom('lobby').broadcast('news', 'to lobby');
    await barrier(...clients);
    expect(inboxes).toEqual([['to lobby'], ['to lobby'], []]);
    expect((await server.getRoom('lobby').getConnectionIds()).sort()).toEqual([first.id, second.id].sort());
  });

  it('a room broadcast leaves out the `except` connection', async () => {
    const { server, clients, inboxes } = await setup(2);
    const [first, second] = clients as [Client, Client];
    const sender = connectionOf(server, first);
    await sender.joinRoom('lobby');
    await connectionOf(server, second).joinRoom('lobby');

    await server.getRoom('lobby').broadcast('news', 'not to the sender', { except: sender });
    await barrier(...clients);
    expect(inboxes).toEqual([[], ['not to the sender']]);
  });

  it('a room broadcast leaves out the members of `exceptRoom` (every connection of one user), with or without `except`', async () => {
    const { server, clients, inboxes } = await setup(4);
    const [alice1, alice2, bob, carol] = clients.map((client) => connectionOf(server, client));
    for (const connection of [alice1!, alice2!, bob!, carol!]) await connection.joinRoom('lobby');
    for (const connection of [alice1!, alice2!]) await connection.joinRoom('user:alice');
    // carol is in the excepted room but not in the target: nothing changes for her but that.
    await server.getRoom('lobby').broadcast('news', 'not to alice', { exceptRoom: 'user:alice' });
    await server.getRoom('lobby').broadcast('news', 'not to alice nor carol', { exceptRoom: 'user:alice', except: carol });
    await server.broadcast('news', 'everyone but alice', { exceptRoom: 'user:alice' });
    await server.getRoom('lobby').broadcast('news', 'nobody left out', { exceptRoom: 'nobody-here' });
    await barrier(...clients);
    expect(inboxes).toEqual([
      ['nobody left out'],
      ['nobody left out'],
      ['not to alice', 'not to alice nor carol', 'everyone but alice', 'nobody left out'],
      ['not to alice', 'everyone but alice', 'nobody left out'],
    ]);
  });

  it('a connection that left the room gets nothing', async () => {
    const { server, clients, inboxes } = await setup(2);
    const [first, second] = clients as [Client, Client];
    await connectionOf(server, first).joinRoom('lobby');
    await connectionOf(server, second).joinRoom('lobby');
    await connectionOf(server, first).leaveRoom('lobby');

    await server.getRoom('lobby').broadcast('news', 'after leaving');
    await barrier(...clients);
    expect(inboxes).toEqual([[], ['after leaving']]);
    expect(connectionOf(server, first).getRooms()).toEqual([]);
  });

  it('getRooms() answers at once, with no promise: a connection\'s rooms are known on its own node', async () => {
    const { server, url } = await startServer();
    const client = await connectClient(url);
    const connection = connectionOf(server, client);
    await connection.joinRoom('lobby');
    await connection.joinRoom('games');
    const rooms = connection.getRooms();
    expect(Array.isArray(rooms)).toBe(true);
    expect([...rooms].sort()).toEqual(['games', 'lobby']);
    expect(server.getRoomsOf(connection).sort()).toEqual(['games', 'lobby']);
    await connection.leaveRoom('games');
    expect(connection.getRooms()).toEqual(['lobby']);
  });

  it('a connection that closed is no longer a member and gets nothing', async () => {
    const { server, clients, inboxes } = await setup(3);
    const [first, second, third] = clients as [Client, Client, Client];
    const gone = connectionOf(server, first);
    await gone.joinRoom('lobby');
    await connectionOf(server, second).joinRoom('lobby');
    const goneId = gone.id;

    const serverSaw = waitFor(gone, '_disconnected');
    await first.disconnect();
    await serverSaw;

    expect(await server.getRoom('lobby').getConnectionIds()).toEqual([second.id]);
    await server.getRoom('lobby').broadcast('news', 'after close');
    await server.broadcast('news', 'to all');
    await barrier(second, third);
    expect(inboxes).toEqual([[], ['after close', 'to all'], ['to all']]);
    expect(server.getConnectionById(goneId)).toBeUndefined();
  });

  it('rooms exist while they have members and vanish when empty', async () => {
    const { server, clients } = await setup(2);
    const [a, b] = clients.map((client) => connectionOf(server, client)) as [ServerConnection, ServerConnection];
    expect(await server.getRooms()).toEqual([]);

    await a.joinRoom('lobby');
    await a.joinRoom('lobby'); // joining twice is a no-op
    await b.joinRoom('lobby');
    await b.joinRoom('games');
    expect((await server.getRooms()).sort()).toEqual(['games', 'lobby']);
    expect(server.getRoomsOf(b).sort()).toEqual(['games', 'lobby']);

    await a.leaveRoom('lobby');
    expect((await server.getRooms()).sort()).toEqual(['games', 'lobby']);
    await b.leaveRoom('lobby');
    expect(await server.getRooms()).toEqual(['games']);
    await b.leaveRoom('games');
    expect(await server.getRooms()).toEqual([]);
    expect(await server.getRoom('lobby').getConnectionIds()).toEqual([]);
  });

  it('closing a connection removes it from all its rooms', async () => {
    const { server, clients } = await setup(2);
    const [first, second] = clients as [Client, Client];
    const closing = connectionOf(server, first);
    await closing.joinRoom('a');
    await closing.joinRoom('b');
    await connectionOf(server, second).joinRoom('b');

    const clientSaw = waitFor<{ code: number }>(first, '_disconnected');
    await closing.close();
    expect((await clientSaw).code).toBe(1000);

    expect(await server.getRooms()).toEqual(['b']);
    expect(await server.getRoom('b').getConnectionIds()).toEqual([second.id]);
    expect(await server.getRoom('a').getConnectionIds()).toEqual([]);
  });

  it('joinRoom is refused before the handshake completes', async () => {
    const { server, url } = await startServer();
    await RawPeer.open(url);
    const [connection] = server.getConnections();
    expect(connection?.state).toBe('awaiting-handshake');
    await expect(connection!.joinRoom('lobby')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(await server.getRooms()).toEqual([]);
  });
});
