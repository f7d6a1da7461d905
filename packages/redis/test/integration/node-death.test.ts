import { Client, ErrorCode } from '@volley/client';
import { cleanup, deferred, onCleanup, rejectionOf, requireRedis, skipRedis, waitFor } from '@volley/test-utils';
import { cleanPrefix, inspector, spawnNode, startNode } from '../redis-helpers.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

/*
 * A node killed with SIGKILL (no stop(), no goodbye): calls to its connections fail at once, what
 * awaited it fails when its heartbeat expires, and another node removes its entries. The killed
 * node runs the built packages in a process of its own (fixtures/node.mjs).
 */

const skip = await skipRedis();
const HEARTBEAT_INTERVAL = 100;
const HEARTBEAT_TTL = 400;
const HEARTBEAT = { heartbeatInterval: HEARTBEAT_INTERVAL, heartbeatTtl: HEARTBEAT_TTL };

afterEach(cleanup);

describe.skipIf(skip)('a node killed without stopping (RedisAdapter)', () => {
  beforeAll(requireRedis);

  it('fails calls to its connections at once, fails what awaited it and frees its ids within the heartbeat TTL, and another node removes its entries and reports them lost', async () => {
    const prefix = cleanPrefix('death');
    const { server: a, adapter } = await startNode(prefix, 'a', HEARTBEAT);
    const b = await spawnNode(prefix, 'b', { interval: HEARTBEAT_INTERVAL, ttl: HEARTBEAT_TTL });
    const client = new Client(b.url, { WebSocket, reconnect: false });
    client.on('hang', () => undefined);
    await client.connect();
    onCleanup(() => client.disconnect());
    await client.send('join', 'lobby');
    const id = client.id!;
    expect(await a.getRoom('lobby').getConnectionIds()).toEqual([id]);
    await expect.poll(() => adapter.hasId(id), { interval: 5, timeout: 2000 }).toBe(true);
    const awaiting = rejectionOf(a.send(id, 'hang', undefined, 10_000));

    const lost = waitFor(a, 'connectionLost', 5000);
    const dropped = waitFor(client, '_disconnected');
    const killedAt = performance.now();
    b.child.kill('SIGKILL');
    await dropped;
    // Redis drops a dead process's subscription as soon as its socket closes; wait for that, then
    // a call to the node's connection must not wait for anything.
    const redis = await inspector();
    await expect.poll(async () => (await redis.pubSubNumSub(`{${prefix}}:node:b`))[`{${prefix}}:node:b`], { interval: 5, timeout: 2000 }).toBe(0);
    const started = performance.now();
    const refused = await rejectionOf(a.send(id, 'hang', undefined, 10_000));
    expect(refused.code).toBe(ErrorCode.DISCONNECTED);
    expect(performance.now() - started).toBeLessThan(100);

    // The call that was already waiting fails when b's heartbeat expires, long before its timeout.
    const failed = await awaiting;
    expect(failed.code).toBe(ErrorCode.DISCONNECTED);
    // a, which removed b's entries, tells its application which connections ended that way.
    expect(await lost).toBe(id);
    // Its ids are free again on a (setId would take them).
    expect(adapter.hasId(id)).toBe(false);
    expect(performance.now() - killedAt).toBeLessThan(HEARTBEAT_TTL + 4 * HEARTBEAT_INTERVAL + 1000);

    // Node a removed b's entries.
    await expect.poll(() => a.getRoom('lobby').getConnectionIds(), { interval: 20, timeout: 3000 }).toEqual([]);
    await expect.poll(async () => (await redis.keys(`{${prefix}}*b*`)).sort(), { interval: 20, timeout: 3000 }).toEqual([]);
    expect(await redis.hGet(`{${prefix}}:connections`, id)).toBeNull();
  });

  it('a node taken for dead while it lives (a partition) registers again with its rooms and connections', async () => {
    const prefix = cleanPrefix('partition');
    const { server: a } = await startNode(prefix, 'a', HEARTBEAT);
    a.on('connection', (connection) => void connection.joinRoom('lobby'));
    const joined = waitFor(a, 'connection');
    const client = new Client(`ws://127.0.0.1:${a.port}`, { WebSocket, reconnect: false });
    await client.connect();
    onCleanup(() => client.disconnect());
    await joined;
    const redis = await inspector();
    await expect.poll(() => a.getRoom('lobby').getConnectionIds()).toEqual([client.id]);
    // What another node does to a dead one, done to a live one.
    await redis.del([`{${prefix}}:room:a:lobby`, `{${prefix}}:rooms:a`, `{${prefix}}:connections:a`]);
    await redis.hDel(`{${prefix}}:connections`, client.id!);
    await redis.sRem(`{${prefix}}:nodes`, 'a');
    await expect.poll(() => a.getRoom('lobby').getConnectionIds(), { interval: 20, timeout: 3000 }).toEqual([client.id]);
    await expect.poll(() => redis.hGet(`{${prefix}}:connections`, client.id!), { interval: 20, timeout: 3000 }).toBe('a');
  });
});

describe.skipIf(skip)('handing a dead node\'s connections over (connectionLost)', () => {
  beforeAll(requireRedis);

  /** Node c in a process, with clients x and y connected to it, then killed; resolves once Redis has their entries. */
  async function nodeWithTwoClients(prefix: string): Promise<{ kill: () => void }> {
    const c = await spawnNode(prefix, 'c', { interval: HEARTBEAT_INTERVAL, ttl: HEARTBEAT_TTL });
    const redis = await inspector();
    for (const user of ['x', 'y']) {
      const client = new Client(c.url, { WebSocket, reconnect: false, handshake: { payload: { user } } });
      await client.connect();
      onCleanup(() => client.disconnect());
    }
    await expect.poll(async () => [await redis.hGet(`{${prefix}}:connections`, 'x'), await redis.hGet(`{${prefix}}:connections`, 'y')]).toEqual(['c', 'c']);
    return { kill: () => c.child.kill('SIGKILL') };
  }

  it('a node that dies while handing them over leaves the rest to the next node to look, which hands them over', async () => {
    const prefix = cleanPrefix('handover');
    const c = await nodeWithTwoClients(prefix);
    // b is the only live node when c dies: it removes c's entries and starts handing x and y over,
    // with listeners that never finish, and is killed in the middle.
    const b = await spawnNode(prefix, 'b', { interval: HEARTBEAT_INTERVAL, ttl: HEARTBEAT_TTL }, 'node.mjs', { LOST: 'hang' });
    c.kill();
    await expect.poll(() => b.printed, { interval: 10, timeout: 5000 }).toEqual(expect.arrayContaining([{ lost: 'x' }, { lost: 'y' }]));
    b.child.kill('SIGKILL');

    const redis = await inspector();
    expect(await redis.hGet(`{${prefix}}:connections`, 'x')).toBeNull();
    expect((await redis.sMembers(`{${prefix}}:lost:c`)).sort()).toEqual(['x', 'y']);

    const { server: a } = await startNode(prefix, 'a', HEARTBEAT);
    const lost: string[] = [];
    a.on('connectionLost', (id) => void lost.push(id));
    await expect.poll(() => [...lost].sort(), { interval: 10, timeout: 5000 }).toEqual(['x', 'y']);
    await expect.poll(async () => [await redis.exists(`{${prefix}}:lost:c`), await redis.sMembers(`{${prefix}}:handover`)], { interval: 10, timeout: 3000 }).toEqual([0, []]);
    await expect.poll(() => redis.sMembers(`{${prefix}}:nodes`), { interval: 10, timeout: 3000 }).toEqual(['a']);
  });

  it('a connection whose listener fails is handed over again on a later heartbeat, and reported', async () => {
    const prefix = cleanPrefix('handover-retry');
    const { server: a } = await startNode(prefix, 'a', HEARTBEAT);
    const calls: string[] = [];
    a.on('connectionLost', async (id) => {
      calls.push(id);
      if (id === 'x' && calls.filter((call) => call === 'x').length === 1) throw new Error('the store is down');
    });
    const errors: string[] = [];
    a.on('error', (error) => errors.push(error.message));
    const c = await nodeWithTwoClients(prefix);
    c.kill();
    await expect.poll(() => [...calls].sort(), { interval: 10, timeout: 5000 }).toEqual(['x', 'x', 'y']);
    expect(errors).toEqual(['A "connectionLost" listener failed: the store is down']);
    const redis = await inspector();
    await expect.poll(async () => [await redis.exists(`{${prefix}}:lost:c`), await redis.sMembers(`{${prefix}}:handover`)], { interval: 10, timeout: 3000 }).toEqual([0, []]);
  });

  it('a listener that never finishes does not hold up the heartbeat of the node that runs it', async () => {
    const prefix = cleanPrefix('handover-hang');
    const { server: a } = await startNode(prefix, 'a', HEARTBEAT);
    const hanging = deferred<string>();
    a.on('connectionLost', (id) => {
      hanging.resolve(id);
      return new Promise(() => undefined);
    });
    const c = await nodeWithTwoClients(prefix);
    c.kill();
    await hanging.promise;
    const redis = await inspector();
    // a's heartbeat key is set again after its listener began to hang: its heartbeats go on.
    const aliveKey = `{${prefix}}:alive:a`;
    const left = await redis.pTTL(aliveKey);
    expect(left).toBeGreaterThan(0);
    await expect.poll(() => redis.pTTL(aliveKey), { interval: 5, timeout: 3000 }).toBeGreaterThan(left);
    expect(await redis.sIsMember(`{${prefix}}:nodes`, 'a')).toBe(1);
  });
});
