import { Client, ErrorCode } from '@volley/client';
import { RedisAdapter } from '@volley/redis';
import { Server } from '@volley/server';
import { cleanup, onCleanup, rejectionOf, requireRedis, skipRedis, waitFor } from '@volley/test-utils';
import { cleanPrefix, startNode } from '../redis-helpers.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

/* setId refuses an id that a connection of another node has (RedisAdapter keeps a copy of the registry). */

const skip = await skipRedis();

afterEach(cleanup);

/** A node whose handshake sets the id the client asks for, and rejects with setId's error. */
async function startIdNode(prefix: string, nodeId: string): Promise<{ server: Server; adapter: RedisAdapter; url: string }> {
  const node = await startNode(prefix, nodeId, { heartbeatInterval: 100, heartbeatTtl: 400 });
  node.server.on('handshake', (connection, handshake) => {
    try {
      connection.setId((handshake.payload as { user: string }).user);
      handshake.resolve();
    } catch (error) {
      handshake.reject(error);
    }
  });
  return node;
}

function clientAs(url: string, user: string): Client {
  const client = new Client(url, { WebSocket, reconnect: false, handshake: { payload: { user } } });
  onCleanup(() => client.disconnect());
  return client;
}

describe.skipIf(skip)('setId across nodes (RedisAdapter)', () => {
  beforeAll(requireRedis);

  it('refuses an id a connection of another node has, and takes it once that connection is gone', async () => {
    const prefix = cleanPrefix('ids');
    const a = await startIdNode(prefix, 'a');
    const b = await startIdNode(prefix, 'b');
    const first = clientAs(a.url, 'alice');
    await first.connect();
    // The change reaches node b through Redis.
    await expect.poll(() => b.adapter.hasId('alice'), { interval: 5, timeout: 2000 }).toBe(true);
    const refused = await rejectionOf(clientAs(b.url, 'alice').connect());
    expect(refused.code).toBe(ErrorCode.HANDSHAKE_REJECTED);
    expect(refused.payload).toMatchObject({ code: ErrorCode.ID_CONFLICT });

    const gone = waitFor(a.server, 'disconnected');
    await first.disconnect();
    await gone;
    await expect.poll(() => b.adapter.hasId('alice'), { interval: 5, timeout: 2000 }).toBe(false);
    const second = clientAs(b.url, 'alice');
    await second.connect();
    expect(second.id).toBe('alice');
  });

  it('a node that starts later knows the ids taken before it started', async () => {
    const prefix = cleanPrefix('ids-late');
    const a = await startIdNode(prefix, 'a');
    await clientAs(a.url, 'bob').connect();
    const b = await startIdNode(prefix, 'b');
    // Loaded from the registry when b started: no change had to arrive.
    expect(b.adapter.hasId('bob')).toBe(true);
    expect(b.adapter.hasId('carol')).toBe(false);
    const refused = await rejectionOf(clientAs(b.url, 'bob').connect());
    expect(refused.payload).toMatchObject({ code: ErrorCode.ID_CONFLICT });
  });
});
