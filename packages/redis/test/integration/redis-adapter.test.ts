import { Client, type ClientOptions } from '@volley/client';
import { RedisAdapter, type RedisAdapterOptions } from '@volley/redis';
import { Server, type ServerConnection } from '@volley/server';
import {
  adapterContract,
  cleanup,
  deferred,
  onCleanup,
  REDIS_URL,
  requireRedis,
  skipRedis,
  waitFor,
} from '@volley/test-utils';
import { createClient } from 'redis';
import { cleanPrefix, inspector, startNode } from '../redis-helpers.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

/*
 * The Redis adapter against a real Redis (REDIS_URL, 127.0.0.1:6379 by default): the adapter
 * contract every implementation passes, then several server nodes in this process sharing one
 * prefix, with real clients spread over them. Each suite has a prefix of its own; under CI these
 * tests fail rather than skip when no Redis answers.
 */

const skip = await skipRedis();

afterEach(cleanup);

/** A node whose clients may `join` and `leave` rooms (the payload). */
async function startRoomNode(prefix: string, nodeId: string, options: RedisAdapterOptions = {}): Promise<{ server: Server; url: string; adapter: RedisAdapter }> {
  const node = await startNode(prefix, nodeId, options);
  node.server.on('connection', (connection) => {
    connection.on('join', async (message) => {
      await connection.joinRoom(message.payload as string);
      message.resolve(true);
    });
    connection.on('leave', async (message) => {
      await connection.leaveRoom(message.payload as string);
      message.resolve(true);
    });
  });
  return node;
}

/** A connected client that records the `news` it receives; disconnected in clean-up. */
async function newsReader(url: string, options: ClientOptions = {}): Promise<{ client: Client; news: unknown[] }> {
  const client = new Client(url, { WebSocket, reconnect: false, ...options });
  const news: unknown[] = [];
  client.on('news', (message) => void news.push(message.payload));
  await client.connect();
  onCleanup(() => client.disconnect());
  return { client, news };
}

/**
 * Broadcasts `marker` to everyone from `server` and resolves once every reader has it: what that
 * node broadcast before has then arrived everywhere (one node's broadcasts keep their order).
 */
async function barrier(server: Server, readers: { client: Client; news: unknown[] }[], marker: string): Promise<void> {
  const arrived = readers.map(({ client }) => {
    const done = deferred();
    client.on('news', (message) => {
      if (message.payload === marker) done.resolve();
    });
    return done.promise;
  });
  await server.broadcast('news', marker);
  await Promise.all(arrived);
}

describe.skipIf(skip)('RedisAdapter', () => {
  beforeAll(requireRedis);

  adapterContract('RedisAdapter (one node)', () => new RedisAdapter({ url: REDIS_URL, prefix: cleanPrefix('contract') }));

  it('takes a node-redis client of yours as it is, leaves it open on close, and removes its keys', async () => {
    const prefix = cleanPrefix('own-client');
    const redis = createClient({ url: REDIS_URL, disableOfflineQueue: true });
    onCleanup(() => (redis.isOpen ? redis.close() : undefined));
    const adapter = new RedisAdapter({ client: redis, prefix, nodeId: 'n1' });
    const server = new Server({ port: 0, host: '127.0.0.1', adapter });
    server.on('connection', (connection) => void connection.joinRoom('lobby'));
    await server.start();
    const joined = waitFor<ServerConnection>(server, 'connection');
    const { client } = await newsReader(`ws://127.0.0.1:${server.port}`);
    await joined;
    const check = await inspector();
    expect((await check.keys(`{${prefix}}*`)).sort()).toEqual(
      [':alive:n1', ':connections', ':connections:n1', ':epoch', ':nodes', ':room:n1:lobby', ':rooms:n1'].map((key) => `{${prefix}}${key}`),
    );
    await client.disconnect();
    await server.stop();
    expect(redis.isOpen).toBe(true);
    // Only the deployment's epoch stays: it is not this node's.
    expect(await check.keys(`{${prefix}}*`)).toEqual([`{${prefix}}:epoch`]);
  });

  it('with roomChannels, subscribes a node to a room channel only while it has members there', async () => {
    const prefix = cleanPrefix('room-channels');
    const [a, c] = [await startRoomNode(prefix, 'a', { roomChannels: true }), await startRoomNode(prefix, 'c', { roomChannels: true })];
    const readers = [await newsReader(a.url), await newsReader(a.url), await newsReader(c.url)];
    const redis = await inspector();
    const channel = `{${prefix}}:room-channel:lobby`;
    const subscribed = async (): Promise<number> => Number((await redis.pubSubShardNumSub(channel))[channel] ?? 0);
    expect(await subscribed()).toBe(0);
    await readers[0]!.client.send('join', 'lobby'); // node a
    await readers[1]!.client.send('join', 'lobby'); // node a again
    await readers[2]!.client.send('join', 'lobby'); // node c
    expect(await subscribed()).toBe(2);
    await readers[0]!.client.send('leave', 'lobby');
    expect(await subscribed()).toBe(2);
    await readers[1]!.client.send('leave', 'lobby');
    expect(await subscribed()).toBe(1);
  });

  describe.each([{ roomChannels: false }, { roomChannels: true }])('three nodes sharing one prefix, %o', (options) => {
    let prefix: string;
    async function cluster(): Promise<{ nodes: Awaited<ReturnType<typeof startRoomNode>>[]; readers: Awaited<ReturnType<typeof newsReader>>[] }> {
      prefix = cleanPrefix('cluster');
      const nodes = [await startRoomNode(prefix, 'a', options), await startRoomNode(prefix, 'b', options), await startRoomNode(prefix, 'c', options)];
      const readers = [];
      for (const node of nodes) readers.push(await newsReader(node.url), await newsReader(node.url));
      return { nodes, readers };
    }

    it('delivers a room broadcast exactly once to every member on every node, and to nobody else', async () => {
      const { nodes, readers } = await cluster();
      const members = [readers[0]!, readers[2]!, readers[3]!, readers[5]!];
      for (const { client } of members) await client.send('join', 'lobby');
      await nodes[1]!.server.getRoom('lobby').broadcast('news', 'hello');
      // Broadcasts from one node arrive everywhere in the order it sent them (not so across nodes).
      await barrier(nodes[1]!.server, readers, 'end');
      for (const reader of readers) {
        expect(reader.news, reader.client.id).toEqual(members.includes(reader) ? ['hello', 'end'] : ['end']);
      }
    });

    it('leaves out the excepted connection, whichever node it is on', async () => {
      const { nodes, readers } = await cluster();
      for (const { client } of readers) await client.send('join', 'lobby');
      const excepted = readers[4]!; // on node c
      await nodes[0]!.server.getRoom('lobby').broadcast('news', 'hi', { except: excepted.client.id! });
      await barrier(nodes[0]!.server, readers, 'end');
      for (const reader of readers) expect(reader.news).toEqual(reader === excepted ? ['end'] : ['hi', 'end']);
    });

    it('leaves out the members of `exceptRoom` on every node, and only them', async () => {
      const { nodes, readers } = await cluster();
      for (const { client } of readers) await client.send('join', 'lobby');
      // One "user" with a connection on node a and one on node c; the broadcast comes from node b.
      const user = [readers[1]!, readers[4]!];
      for (const { client } of user) await client.send('join', 'user:alice');
      await nodes[1]!.server.getRoom('lobby').broadcast('news', 'hi', { exceptRoom: 'user:alice' });
      await barrier(nodes[1]!.server, readers, 'end');
      for (const reader of readers) expect(reader.news).toEqual(user.includes(reader) ? ['end'] : ['hi', 'end']);
    });

    it('lists members and rooms across nodes, and follows leaves and disconnects', async () => {
      const { nodes, readers } = await cluster();
      await readers[0]!.client.send('join', 'lobby');
      await readers[3]!.client.send('join', 'lobby');
      await readers[5]!.client.send('join', 'games');
      const ids = (indexes: number[]): string[] => indexes.map((index) => readers[index]!.client.id!).sort();
      expect((await nodes[2]!.server.getRoom('lobby').getConnectionIds()).sort()).toEqual(ids([0, 3]));
      expect((await nodes[0]!.server.getRooms()).sort()).toEqual(['games', 'lobby']);
      await readers[3]!.client.send('leave', 'lobby');
      expect(await nodes[2]!.server.getRoom('lobby').getConnectionIds()).toEqual(ids([0]));
      const gone = waitFor(nodes[2]!.server, 'disconnected');
      await readers[5]!.client.disconnect();
      await gone;
      // The disconnect's leaveAll was sent on node c's Redis connection before the event; a read on
      // that same connection comes after it.
      expect(await nodes[2]!.server.getRooms()).toEqual(['lobby']);
    });

    it('a node that stops takes its members out of the cluster-wide lists', async () => {
      const { nodes, readers } = await cluster();
      await readers[0]!.client.send('join', 'lobby');
      await readers[2]!.client.send('join', 'lobby');
      await nodes[1]!.server.stop();
      expect(await nodes[0]!.server.getRoom('lobby').getConnectionIds()).toEqual([readers[0]!.client.id]);
    });
  });
});
