import { ChatClient } from '@volley/chat/client';
import { cleanup, onCleanup, requireRedis, skipRedis } from '@volley/test-utils';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { Inbox } from '../../../chat/test/helpers.js';
import { cleanPrefix, spawnNode } from '../redis-helpers.js';

/*
 * The chat on three server nodes in three processes (fixtures/chat-node.mjs: RedisAdapter and
 * RedisChatStore on the built packages), users spread over them: commands and notifications
 * cross nodes, and what addresses single connections (evictions, room deletion, disconnectUser,
 * a server-API join) acts on the node that holds them. A node killed: its users are logged out
 * and the others told, as for a clean close.
 */

const skip = await skipRedis();
const HEARTBEAT = { interval: 100, ttl: 400 };

afterEach(cleanup);

interface ChatUser {
  chat: ChatClient;
  inbox: Inbox;
  id: string;
}

async function login(url: string, userName: string): Promise<ChatUser> {
  const chat = new ChatClient(url, { WebSocket, auth: { userName }, reconnect: false, pingInterval: 0 });
  onCleanup(() => chat.disconnect());
  const inbox = new Inbox(chat);
  const login = await chat.connect();
  return { chat, inbox, id: login.authData.id as string };
}

/** Runs a method of the ChatServer's server API on the node `user` is connected to. */
async function admin(user: ChatUser, call: string, ...args: unknown[]): Promise<{ result?: unknown; error?: string }> {
  return (await user.chat.client.send('admin', { call, args })) as { result?: unknown; error?: string };
}

async function threeNodes(suite: string): Promise<{ urls: string[]; kill: (index: number) => void }> {
  const prefix = cleanPrefix(suite);
  const nodes = await Promise.all(['n1', 'n2', 'n3'].map((nodeId) => spawnNode(prefix, nodeId, HEARTBEAT, 'chat-node.mjs')));
  return { urls: nodes.map((node) => node.url), kill: (index) => nodes[index]!.child.kill('SIGKILL') };
}

/** alice on the first node, bob on the second, carol on the third. */
async function onEachNode({ urls }: { urls: string[] }): Promise<Record<'alice' | 'bob' | 'carol', ChatUser>> {
  const [alice, bob, carol] = await Promise.all((['alice', 'bob', 'carol'] as const).map((name, index) => login(urls[index]!, name)));
  return { alice: alice!, bob: bob!, carol: carol! };
}

describe.skipIf(skip)('the chat across three nodes (RedisAdapter + RedisChatStore)', () => {
  beforeAll(requireRedis);

  it('joins, messages and their notifications cross nodes, each delivered once', async () => {
    const { alice, bob, carol } = await onEachNode(await threeNodes('chat-cross'));
    await alice.chat.roomCreate('lobby', false);
    expect(await alice.chat.roomJoin('lobby')).toBe(1);
    expect(await bob.chat.roomJoin('lobby')).toBe(1);
    expect((await alice.inbox.next('roomUserJoined'))[1]).toBe('bob');
    expect(await carol.chat.roomJoin('lobby')).toBe(1);
    expect((await bob.inbox.next('roomUserJoined'))[1]).toBe('carol');

    const id = await carol.chat.roomMessage('lobby', { textMessage: 'hello from n3' });
    for (const user of [alice, bob]) expect((await user.inbox.next('roomMessage'))[1]).toMatchObject({ id, author: 'carol', textMessage: 'hello from n3' });
    // The history is the deployment's: read on another node.
    expect((await alice.chat.roomRecentHistory('lobby')).map((message) => message.textMessage)).toEqual(['hello from n3']);
    await Promise.all([alice, bob, carol].map((user) => user.inbox.flush()));
    expect([alice, bob, carol].map((user) => user.inbox.count('roomMessage'))).toEqual([1, 1, 1]);
    // A direct message from n2 to a user on n1.
    const direct = await bob.chat.directMessage('alice', { textMessage: 'psst' });
    expect((await alice.inbox.next('directMessage'))[0]).toMatchObject({ author: 'bob', textMessage: direct.textMessage });
  });

  it('an eviction and a room deletion reach members on other nodes, who then hear nothing more of the room', async () => {
    const { alice, bob, carol } = await onEachNode(await threeNodes('chat-evict'));
    await alice.chat.roomCreate('lobby', false);
    for (const user of [alice, bob, carol]) await user.chat.roomJoin('lobby');

    await alice.chat.roomAddToList('lobby', 'blacklist', ['bob']);
    expect(await bob.inbox.next('roomAccessRemoved')).toEqual(['lobby']);
    // Taken out of the room's channel on its own node: no more of the room's messages.
    await alice.chat.roomMessage('lobby', { textMessage: 'after bob' });
    await carol.inbox.next('roomMessage');
    await bob.inbox.flush();
    expect(bob.inbox.count('roomMessage')).toBe(0);

    await alice.chat.roomDelete('lobby');
    expect(await carol.inbox.next('roomAccessRemoved')).toEqual(['lobby']);
  });

  it('disconnectUser closes the user\'s connections on every node; a server-API join reaches a connection on another node', async () => {
    const { urls } = await threeNodes('chat-admin');
    const alice = await login(urls[0]!, 'alice');
    const bob1 = await login(urls[1]!, 'bob');
    const bob2 = await login(urls[2]!, 'bob');
    await alice.chat.roomCreate('lobby', false);
    await alice.chat.roomJoin('lobby');

    // Run on n1 for bob's connection on n3: joined there, in the store and in the room's channel.
    expect(await admin(alice, 'execUserCommand', { userName: 'bob', connectionId: bob2.id }, 'roomJoin', 'lobby')).toEqual({ result: 1 });
    // The echo goes to bob's other connection, on n2.
    expect(await bob1.inbox.next('roomJoinedEcho')).toEqual(['lobby', bob2.id, 1]);
    await alice.chat.roomMessage('lobby', { textMessage: 'to bob on n3' });
    expect((await bob2.inbox.next('roomMessage'))[1]).toMatchObject({ textMessage: 'to bob on n3' });

    const closed = [bob1, bob2].map((user) => new Promise((resolve) => user.chat.once('disconnected', resolve)));
    expect(await admin(alice, 'disconnectUser', 'bob', 4000, 'bye')).toEqual({ result: null });
    expect(await Promise.all(closed)).toEqual([expect.objectContaining({ code: 4000, reason: 'bye' }), expect.objectContaining({ code: 4000, reason: 'bye' })]);
    await expect.poll(async () => (await admin(alice, 'getUserConnections', 'bob')).result, { interval: 20, timeout: 3000 }).toEqual([]);
  });

  it('a node killed: its users are logged out by another node, and their rooms told', async () => {
    const { urls, kill } = await threeNodes('chat-death');
    const alice = await login(urls[0]!, 'alice');
    const bob = await login(urls[1]!, 'bob');
    await alice.chat.roomCreate('lobby', false);
    await alice.chat.roomJoin('lobby');
    await bob.chat.roomJoin('lobby');
    await alice.inbox.next('roomUserJoined');

    kill(1);
    expect(await alice.inbox.next('roomUserLeft', undefined, HEARTBEAT.ttl + 10 * HEARTBEAT.interval + 3000)).toEqual(['lobby', 'bob']);
    expect(await alice.chat.roomGetAccessList('lobby', 'userlist')).toEqual(['alice']);
    expect((await admin(alice, 'getUserConnections', 'bob')).result).toEqual([]);
  });
});
