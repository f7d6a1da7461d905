import { Client, type ClientOptions, ErrorCode } from '@volley/client';
import { cleanup, onCleanup, rejectionOf, requireRedis, skipRedis } from '@volley/test-utils';
import { cleanPrefix, spawnNode } from '../redis-helpers.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

/*
 * Three server nodes, each in a process of its own (fixtures/node.mjs, the built packages), on one
 * Redis, with clients spread over them: a broadcast reaches each member exactly once and never the
 * excepted sender, awaited sends cross nodes with every outcome, and an id taken on one node is
 * refused on another.
 */

const skip = await skipRedis();

afterEach(cleanup);

interface Member {
  client: Client;
  news: unknown[];
}

async function member(url: string, options: ClientOptions = {}): Promise<Member> {
  const client = new Client(url, { WebSocket, reconnect: false, ...options });
  const news: unknown[] = [];
  client.on('news', (message) => void news.push(message.payload));
  client.on('confirm', (message) => message.resolve(`yes ${String(message.payload)}`));
  client.on('refuse', (message) => message.reject(Object.assign(new Error('no'), { code: 'E_NO' })));
  client.on('hang', () => undefined);
  await client.connect();
  onCleanup(() => client.disconnect());
  return { client, news };
}

describe.skipIf(skip)('three nodes in three processes (RedisAdapter)', () => {
  beforeAll(requireRedis);

  async function cluster(): Promise<{ urls: string[]; members: Member[] }> {
    const prefix = cleanPrefix('processes');
    const urls: string[] = [];
    for (const nodeId of ['p1', 'p2', 'p3']) urls.push((await spawnNode(prefix, nodeId, { interval: 200, ttl: 1000 })).url);
    const members: Member[] = [];
    for (const url of urls) members.push(await member(url), await member(url));
    for (const { client } of members) await client.send('join', 'lobby');
    return { urls, members };
  }

  it('a broadcast reaches every other member exactly once, on every node, and never the excepted sender', async () => {
    const { members } = await cluster();
    const [sender, ...others] = members as [Member, ...Member[]];
    await sender.client.send('shout', { room: 'lobby', text: 'one' });
    await sender.client.send('shout', { room: 'lobby', text: 'two' });
    // One node's broadcasts arrive in the order it sent them: once 'two' is everywhere, 'one' is too.
    const arrived = others.map(
      ({ client }) =>
        new Promise<void>((resolve) => {
          client.on('news', (message) => message.payload === 'end' && resolve());
        }),
    );
    await sender.client.send('shout', { room: 'lobby', text: 'end' });
    await Promise.all(arrived);
    for (const other of others) expect(other.news).toEqual(['one', 'two', 'end']);
    expect(sender.news).toEqual([]);
  });

  it('awaited sends cross processes: the answer, the client rejection, the timeout, an unknown id', async () => {
    const { members } = await cluster();
    const asker = members[0]!.client; // on p1
    const target = members[5]!.client.id; // on p3
    const ask = (name: string, timeout = 5000, to = target): Promise<unknown> => asker.send('ask', { to, name, payload: 'ok?', timeout });
    expect(await ask('confirm')).toEqual({ answer: 'yes ok?' });
    expect(await ask('refuse')).toMatchObject({ code: ErrorCode.MESSAGE_REJECTED, payload: { message: 'no', code: 'E_NO' } });
    expect(await ask('hang', 150)).toMatchObject({ code: ErrorCode.MESSAGE_TIMEOUT });
    expect(await ask('confirm', 5000, 'nobody')).toMatchObject({ code: ErrorCode.DISCONNECTED });
  });

  it('an id taken on one node is refused on another', async () => {
    const { urls, members } = await cluster();
    await member(urls[0]!, { handshake: { payload: { user: 'zed' } } });
    const observer = members[3]!.client; // on p2
    await expect.poll(() => observer.send('taken', 'zed'), { interval: 10, timeout: 3000 }).toBe(true);
    const refused = await rejectionOf(member(urls[1]!, { handshake: { payload: { user: 'zed' } } }));
    expect(refused.code).toBe(ErrorCode.HANDSHAKE_REJECTED);
    expect(refused.payload).toMatchObject({ code: ErrorCode.ID_CONFLICT });
  });
});
