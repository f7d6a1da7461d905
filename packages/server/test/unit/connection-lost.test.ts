import { type AdapterNode, InMemoryAdapter, Server, type VolleyError } from '@volley/server';
import { deferred } from '@volley/test-utils';
import { describe, expect, it } from 'vitest';

/** A server (no socket) whose adapter hands out the node a cluster adapter would call `lost` on. */
async function serverWithNode(): Promise<{ server: Server; node: AdapterNode; errors: VolleyError[] }> {
  let node: AdapterNode | undefined;
  const adapter = new (class extends InMemoryAdapter {
    override attach(attached: AdapterNode): void {
      node = attached;
      super.attach(attached);
    }
  })();
  const server = new Server({ noServer: true, adapter });
  const errors: VolleyError[] = [];
  server.on('error', (error) => errors.push(error));
  await server.start();
  return { server, node: node!, errors };
}

describe('connectionLost, as a cluster adapter hands connections over', () => {
  it('calls every listener for each id and resolves only once their promises have', async () => {
    const { server, node, errors } = await serverWithNode();
    const seen: string[] = [];
    const gate = deferred();
    server.on('connectionLost', (id) => void seen.push(`sync ${id}`));
    server.on('connectionLost', async (id) => {
      await gate.promise;
      seen.push(`async ${id}`);
    });
    let settled = false;
    const handedOver = node.lost(['a', 'b']).then(() => (settled = true));
    expect(seen).toEqual(['sync a', 'sync b']);
    await Promise.resolve();
    expect(settled).toBe(false);
    gate.resolve();
    await handedOver;
    expect(seen).toEqual(['sync a', 'sync b', 'async a', 'async b']);
    expect(errors).toEqual([]);
    await server.stop();
  });

  it('rejects when a listener throws or rejects, after the other listeners ran, and reports each failure', async () => {
    const { server, node, errors } = await serverWithNode();
    const seen: string[] = [];
    server.on('connectionLost', (id) => {
      if (id === 'a') throw new Error('sync failure');
    });
    server.on('connectionLost', (id) => (id === 'b' ? Promise.reject(new Error('async failure')) : undefined));
    server.on('connectionLost', (id) => void seen.push(id));
    await expect(node.lost(['a'])).rejects.toMatchObject({ code: 'INTERNAL_ERROR', message: 'A "connectionLost" listener failed for "a"' });
    await expect(node.lost(['b'])).rejects.toMatchObject({ code: 'INTERNAL_ERROR', message: 'A "connectionLost" listener failed for "b"' });
    await node.lost(['c']);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(errors.map((error) => error.message)).toEqual(['A "connectionLost" listener failed: sync failure', 'A "connectionLost" listener failed: async failure']);
    await server.stop();
  });

  it('resolves at once without listeners', async () => {
    const { server, node } = await serverWithNode();
    await expect(node.lost(['a'])).resolves.toBeUndefined();
    await server.stop();
  });
});
