/**
 * What the Redis chat store promises beyond the contract suite (which it passes unchanged, in
 * redis-chat-store.test.ts): several nodes (stores with clients of their own) on one deployment
 * stay exact under concurrency, state outlives the store, the layout is the documented one
 * (every key in the hash tag, history a stream whose entry ids are the message ids), Redis's
 * script cache emptied is survived, an acknowledged message survives a Redis restart with
 * append-only persistence, and a chat server on it answers internalError while Redis is down.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatErrorCode, type ProcessedMessage } from '@volley/chat';
import { fromIoredis } from '@volley/redis';
import { RedisChatStore } from '@volley/redis/chat';
import { cleanup, onCleanup, REDIS_URL, rejectionOf, requireRedis, skipRedis } from '@volley/test-utils';
import Redis from 'ioredis';
import { createClient } from 'redis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chatErrorOf, roomState, startChat } from '../../../chat/test/helpers.js';
import { cleanPrefix, inspector, redisClient, startRedis } from '../redis-helpers.js';

const skip = await skipRedis();

afterEach(cleanup);

function message(text: string): ProcessedMessage {
  return { textMessage: text, author: 'alice', timestamp: 1_000 };
}

/** A store with a client (a connection) of its own, as each node has; closed in clean-up. */
function node(prefix: string): RedisChatStore {
  const store = new RedisChatStore({ url: REDIS_URL, prefix });
  onCleanup(() => store.close());
  return store;
}

/**
 * A private redis-server with append-only persistence that syncs every write (nothing
 * acknowledged is lost): `start()` starts it, again after a kill, over the same files.
 */
function persistentRedis(): { path: string; start: () => ReturnType<typeof startRedis> } {
  const folder = mkdtempSync(join(tmpdir(), 'volley-redis-aof-'));
  onCleanup(() => rmSync(folder, { recursive: true, force: true }));
  const path = join(folder, 'redis.sock');
  return { path, start: () => startRedis(path, ['--dir', folder, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always']) };
}

describe.skipIf(skip)('RedisChatStore on Redis', () => {
  beforeAll(requireRedis);

  it('three nodes at once: joins count exactly, history ids are unique and consecutive, a list limit holds', async () => {
    const prefix = cleanPrefix('chat-nodes');
    const nodes = [node(prefix), node(prefix), node(prefix)];
    expect(await nodes[0]!.createRoom(roomState('lobby'))).toBe(true);
    const connections = Array.from({ length: 30 }, (_, index) => `c${index}`);
    const joins = await Promise.all(connections.map((id, index) => nodes[index % 3]!.joinRoom('lobby', 'alice', id, 1)));
    expect(joins.map((change) => change.njoined).sort((a, b) => a - b)).toEqual(connections.map((_, index) => index + 1));
    const added = await Promise.all(connections.map((_, index) => nodes[index % 3]!.addMessage('lobby', message(`m${index}`))));
    expect(added.map((entry) => entry!.id).sort((a, b) => a! - b!)).toEqual(connections.map((_, index) => index + 1));
    const limits = await Promise.all(
      connections.map((_, index) => nodes[index % 3]!.addToRoomList('lobby', 'whitelist', [`u${index}`], 10).then(() => undefined, (error: unknown) => error)),
    );
    expect(limits.filter((error) => error === undefined)).toHaveLength(10);
    expect(limits.filter((error) => (error as { code?: string } | undefined)?.code === ChatErrorCode.LIST_LIMIT_EXCEEDED)).toHaveLength(20);
    expect(await nodes[2]!.getRoomList('lobby', 'whitelist')).toHaveLength(10);
  });

  it('state outlives the store: a new store on the deployment reads the rooms, members and history', async () => {
    const prefix = cleanPrefix('chat-restart');
    const first = new RedisChatStore({ url: REDIS_URL, prefix });
    await first.createRoom(roomState('lobby', { historyMaxSize: 3 }));
    await first.joinRoom('lobby', 'alice', 'c1', 5);
    for (const text of ['a', 'b', 'c', 'd']) await first.addMessage('lobby', message(text));
    await first.close();
    const second = node(prefix);
    expect((await second.getRoom('lobby'))?.lastMessageId).toBe(4);
    expect(await second.getRoomList('lobby', 'userlist')).toEqual(['alice']);
    expect((await second.getRecentHistory('lobby', 10, Infinity)).messages.map((entry) => [entry.id, entry.textMessage])).toEqual([
      [4, 'd'],
      [3, 'c'],
      [2, 'b'],
    ]);
  });

  it('the layout: every key under the hash tag, the history a stream whose entry ids are the message ids', async () => {
    const prefix = cleanPrefix('chat-layout');
    const store = node(prefix);
    await store.createRoom(roomState('lobby', { historyMaxSize: 2 }));
    await store.joinRoom('lobby', 'alice', 'c1', 5);
    await store.addToDirectList('alice', 'blacklist', ['bob'], 10);
    for (const text of ['a', 'b', 'c']) await store.addMessage('lobby', message(text));
    const redis = await inspector();
    const keys = await redis.keys(`*${prefix}*`);
    expect(keys.length).toBeGreaterThan(5);
    for (const key of keys) expect(key.startsWith(`{${prefix}}:chat:`)).toBe(true);
    const entries = await redis.xRange(`{${prefix}}:chat:r:lobby:history`, '-', '+');
    expect(entries?.map((entry) => entry.id)).toEqual(['0-2', '0-3']);
    expect(JSON.parse(entries![1]!.message.m!)).toEqual({ ...message('c'), id: 3 });
  });

  it('Redis forgot its scripts (a restart, SCRIPT FLUSH): the next call loads them again', async () => {
    const store = node(cleanPrefix('chat-scripts'));
    expect(await store.addUser('alice')).toBe(true);
    const redis = await inspector();
    await redis.scriptFlush();
    expect(await store.hasUser('alice')).toBe(true);
    expect(await store.addUser('bob')).toBe(true);
  });

  it('over an ioredis client (fromIoredis): the atomic operations and history', async () => {
    const redis = new Redis(REDIS_URL, { enableOfflineQueue: false, lazyConnect: true });
    redis.on('error', () => undefined);
    onCleanup(() => redis.disconnect());
    await redis.connect();
    const store = new RedisChatStore({ client: fromIoredis(redis), prefix: cleanPrefix('chat-ioredis') });
    expect(await store.createRoom(roomState('lobby'))).toBe(true);
    expect(await store.createRoom(roomState('lobby'))).toBe(false);
    expect((await store.joinRoom('lobby', 'alice', 'c1', 1)).njoined).toBe(1);
    expect((await store.addMessage('lobby', message('hi')))?.id).toBe(1);
    expect((await store.getHistory('lobby', 0, 10, Infinity)).messages.map((entry) => entry.textMessage)).toEqual(['hi']);
    expect(await store.getRoom('nowhere')).toBeUndefined();
  });

  it('a client whose offline queue is on is refused with the fix in the message', () => {
    const queued = createClient({ url: REDIS_URL });
    expect(() => new RedisChatStore({ client: queued as never })).toThrow(/disableOfflineQueue: true/);
    expect(() => new RedisChatStore({ prefix: 'a{b}' })).toThrow(TypeError);
  });

  it('Redis restarted with append-only persistence: every acknowledged message is there, and a call while it is down fails at once', async () => {
    const { path, start } = persistentRedis();
    let redis = await start();
    const client = redisClient(path);
    const store = new RedisChatStore({ client: client as never, prefix: 'aof' });
    await store.createRoom(roomState('lobby'));
    const acknowledged: number[] = [];
    for (let index = 0; index < 50; index++) acknowledged.push((await store.addMessage('lobby', message(`m${index}`)))!.id!);

    redis.kill('SIGKILL');
    await once(redis, 'exit');
    const down = await rejectionOf(store.addMessage('lobby', message('lost')));
    expect(down).toBeInstanceOf(Error);

    redis = await start();
    await new Promise<void>((resolve) => (client.isReady ? resolve() : client.once('ready', () => resolve())));
    const kept = await store.getHistory('lobby', 0, 100, Infinity);
    expect(kept.messages.map((entry) => entry.id).reverse()).toEqual(acknowledged);
    expect((await store.addMessage('lobby', message('after')))?.id).toBe(51);
  });
});

describe.skipIf(skip)('a chat server on RedisChatStore while Redis is down', () => {
  beforeAll(requireRedis);

  it('a command fails with internalError and the server reports why; once Redis is back, commands work again', async () => {
    const { path, start } = persistentRedis();
    let redis = await start();
    const client = redisClient(path);
    const harness = await startChat(() => new RedisChatStore({ client: client as never, prefix: 'down' }));
    await harness.chat.addRoom('lobby');
    const alice = await harness.login('alice');
    await alice.chat.roomJoin('lobby');
    expect(await alice.chat.roomMessage('lobby', { textMessage: 'before' })).toBe(1);

    redis.kill('SIGKILL');
    await once(redis, 'exit');
    const failed = await chatErrorOf(alice.chat.roomMessage('lobby', { textMessage: 'while down' }));
    expect(failed.code).toBe(ChatErrorCode.INTERNAL_ERROR);
    expect(harness.errors.length).toBeGreaterThan(0);
    // The connection and the process are unharmed.
    expect(alice.chat.client.state).toBe('connected');

    redis = await start();
    await new Promise<void>((resolve) => (client.isReady ? resolve() : client.once('ready', () => resolve())));
    expect(await alice.chat.roomMessage('lobby', { textMessage: 'after' })).toBe(2);
    harness.errors.length = 0;
  });
});
