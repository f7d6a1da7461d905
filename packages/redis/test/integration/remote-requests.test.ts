import { Client, ErrorCode } from '@volley/client';
import { Server } from '@volley/server';
import { cleanup, onCleanup, rejectionOf, requireRedis, skipRedis, waitFor } from '@volley/test-utils';
import { cleanPrefix, inspector, startNode } from '../redis-helpers.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

/*
 * server.send(connectionId, …) to a connection on another node, through Redis: the remote
 * client's own answer, its rejection, a timeout, and a connection or node that is gone.
 */

const skip = await skipRedis();

afterEach(cleanup);

/** A client that answers `confirm` with "yes <payload>", rejects `refuse`, and never answers `hang`. */
async function answeringClient(url: string): Promise<Client> {
  const client = new Client(url, { WebSocket, reconnect: false });
  client.on('confirm', (message) => message.resolve(`yes ${String(message.payload)}`));
  client.on('refuse', (message) => message.reject(Object.assign(new Error('not today'), { code: 'E_NOPE' })));
  client.on('hang', () => undefined);
  await client.connect();
  onCleanup(() => client.disconnect());
  return client;
}

describe.skipIf(skip)('server.send to a connection on another node (RedisAdapter)', () => {
  beforeAll(requireRedis);

  async function twoNodes(): Promise<{ a: Server; b: Server; bUrl: string; client: Client }> {
    const prefix = cleanPrefix('requests');
    const a = await startNode(prefix, 'a');
    const b = await startNode(prefix, 'b');
    const connected = waitFor(b.server, 'connection');
    const client = await answeringClient(b.url);
    await connected;
    return { a: a.server, b: b.server, bUrl: b.url, client };
  }

  it("resolves with the remote client's answer", async () => {
    const { a, client } = await twoNodes();
    expect(await a.send(client.id!, 'confirm', 'ok?')).toBe('yes ok?');
  });

  it("rejects MESSAGE_REJECTED with the remote client's error", async () => {
    const { a, client } = await twoNodes();
    const error = await rejectionOf(a.send(client.id!, 'refuse'));
    expect(error.code).toBe(ErrorCode.MESSAGE_REJECTED);
    expect(error.payload).toMatchObject({ message: 'not today', code: 'E_NOPE' });
  });

  it('rejects MESSAGE_TIMEOUT when the remote client does not answer in time', async () => {
    const { a, client } = await twoNodes();
    const started = performance.now();
    const error = await rejectionOf(a.send(client.id!, 'hang', undefined, 150));
    expect(error.code).toBe(ErrorCode.MESSAGE_TIMEOUT);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('rejects DISCONNECTED at once for an id no node has, and for a client that left', async () => {
    const { a, b, client } = await twoNodes();
    expect((await rejectionOf(a.send('nobody', 'confirm'))).code).toBe(ErrorCode.DISCONNECTED);
    const gone = waitFor(b, 'disconnected');
    const id = client.id!;
    await client.disconnect();
    await gone;
    // The registry entry was removed on node b's Redis connection before the event; a's read follows it.
    const error = await rejectionOf(a.send(id, 'confirm', 'x', 10_000));
    expect(error.code).toBe(ErrorCode.DISCONNECTED);
  });

  it('rejects DISCONNECTED at once when the connection\'s node is gone, not at the timeout', async () => {
    const { a, b, client } = await twoNodes();
    const id = client.id!;
    await b.stop();
    const started = performance.now();
    const error = await rejectionOf(a.send(id, 'confirm', 'x', 10_000));
    expect(error.code).toBe(ErrorCode.DISCONNECTED);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('sends to a connection of its own node directly', async () => {
    const { b, client } = await twoNodes();
    expect(await b.send(client.id!, 'confirm', 'local')).toBe('yes local');
  });
});

describe.skipIf(skip)('garbage on the channels between nodes (RedisAdapter)', () => {
  beforeAll(requireRedis);

  it('is ignored: nothing crashes, nothing is taken for a request, an answer or a registry change', async () => {
    const prefix = cleanPrefix('garbage');
    const a = await startNode(prefix, 'a');
    const b = await startNode(prefix, 'b');
    const connected = waitFor(b.server, 'connection');
    const client = await answeringClient(b.url);
    await connected;
    const redis = await inspector();
    for (const channel of [`{${prefix}}:node:a`, `{${prefix}}:node:b`, `{${prefix}}:registry`, `{${prefix}}:broadcast`]) {
      for (const garbage of ['not json', '{"a":1}', '{"q":"1"}', '{"o":"+","i":5,"n":"x"}', '\u0001\u0002']) await redis.publish(channel, garbage);
    }
    expect(await a.server.send(client.id!, 'confirm', 'still?')).toBe('yes still?');
  });
});
