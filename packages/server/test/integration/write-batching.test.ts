import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, RawPeer, serveEcho, startServer } from './helpers.js';

afterEach(cleanup);

interface Instrumented {
  writes: number;
}

/** Counts the write system calls (`_write`/`_writev` of the TCP socket) of the server side. */
function countWrites(server: { getConnectionById(id: string): unknown }, id: string): Instrumented {
  const connection = server.getConnectionById(id) as { socket: { _socket: Record<string, (...args: unknown[]) => unknown> } };
  const tcp = connection.socket._socket;
  const counter = { writes: 0 };
  for (const method of ['_write', '_writev'] as const) {
    const original = tcp[method]!.bind(tcp);
    tcp[method] = (...args: unknown[]) => {
      counter.writes += 1;
      return original(...args);
    };
  }
  return counter;
}

async function burst(batchWrites: boolean): Promise<{ answers: number; writes: number }> {
  const { server, url } = await startServer({ batchWrites }, serveEcho);
  const peer = await RawPeer.connect(url);
  const counter = countWrites(server, peer.id!);
  // Twenty requests in one TCP write: ws parses them in one read.
  const frames = Array.from({ length: 20 }, (_, i) => JSON.stringify({ n: 'echo', p: i, i: `b${i}` }));
  const tcp = (peer.socket as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
  tcp.cork();
  for (const frame of frames) peer.sendText(frame);
  tcp.uncork();
  await peer.nextFrame((frame) => frame.i === 'b19');
  const answers = peer.received.filter((frame) => frame.n === '_r' && typeof frame.i === 'string' && frame.i.startsWith('b')).length;
  return { answers, writes: counter.writes };
}

describe('write batching', () => {
  it('answers a burst read in one go with one write system call', async () => {
    const { answers, writes } = await burst(true);
    expect(answers).toBe(20);
    expect(writes).toBe(1);
  });

  it('writes frame by frame with batchWrites: false (the control)', async () => {
    const { answers, writes } = await burst(false);
    expect(answers).toBe(20);
    expect(writes).toBe(20);
  });
});
