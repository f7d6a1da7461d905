import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, connectClient, connectionOf, RawPeer, serveEcho, startServer } from '@volley/test-utils';

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

/** The `data` listeners of the TCP socket under a ws socket (ws's own, plus the cork pair when installed). */
function dataListeners(webSocket: unknown): number {
  return (webSocket as { _socket: { listenerCount(event: string): number } })._socket.listenerCount('data');
}

/** Counts the frames a ws socket was asked to send through its own sender (`send`). */
function countSends(webSocket: unknown): { sends: number } {
  const socket = webSocket as { send(...args: unknown[]): void };
  const counter = { sends: 0 };
  const original = socket.send.bind(socket);
  socket.send = (...args: unknown[]) => {
    counter.sends += 1;
    original(...args);
  };
  return counter;
}

async function burst(batchWrites: boolean, rounds = 1, ownFraming = true): Promise<{ answers: number; writes: number; sends: number }> {
  const { server, url } = await startServer({ batchWrites, ownFraming }, serveEcho);
  const peer = await RawPeer.connect(url);
  const counter = countWrites(server, peer.id!);
  const sends = countSends((server.getConnectionById(peer.id!) as unknown as { socket: unknown }).socket);
  let answers = 0;
  for (let round = 0; round < rounds; round++) answers += await burstOnce(peer, round);
  return { answers, writes: counter.writes, sends: sends.sends };
}

async function burstOnce(peer: RawPeer, round: number): Promise<number> {
  // Twenty requests in one TCP write: ws parses them in one read.
  const frames = Array.from({ length: 20 }, (_, i) => JSON.stringify({ n: 'echo', p: i, i: `b${round}x${i}` }));
  const tcp = (peer.socket as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
  tcp.cork();
  for (const frame of frames) peer.sendText(frame);
  tcp.uncork();
  await peer.nextFrame((frame) => frame.i === `b${round}x19`);
  return peer.received.filter((frame) => frame.n === '_r' && typeof frame.i === 'string' && frame.i.startsWith(`b${round}x`)).length;
}

describe('write batching', () => {
  it('answers a burst read in one go with one write system call', async () => {
    const { answers, writes } = await burst(true);
    expect(answers).toBe(20);
    expect(writes).toBe(1);
  });

  it('answers later bursts in one write each too, once the reads are corked', async () => {
    const { answers, writes } = await burst(true, 3);
    expect(answers).toBe(60);
    expect(writes).toBe(3);
  });

  it('adds no listener to the TCP socket of a connection that has sent nothing yet, on either side', async () => {
    const { server, url } = await startServer({}, serveEcho);
    const client = await connectClient(url);
    const connection = connectionOf(server, client);
    const serverSocket = (connection as unknown as { socket: unknown }).socket;
    const clientSocket = (client as unknown as { socket: unknown }).socket;
    // ws's own listener only: the cork pair comes with the first frame.
    expect(dataListeners(serverSocket)).toBe(1);
    expect(dataListeners(clientSocket)).toBe(1);
    expect(await client.send('echo', 1)).toBe(1);
    expect(dataListeners(serverSocket)).toBe(3);
    expect(dataListeners(clientSocket)).toBe(3);
    expect(await client.send('echo', 2)).toBe(2);
    expect(dataListeners(serverSocket)).toBe(3);
    expect(dataListeners(clientSocket)).toBe(3);
  });

  it('writes frame by frame with batchWrites: false (the control)', async () => {
    const { answers, writes } = await burst(false);
    expect(answers).toBe(20);
    expect(writes).toBe(20);
  });
});

describe('own framing, a switch of its own', () => {
  it.each([
    [true, true, 1, 0],
    [true, false, 1, 20],
    [false, true, 20, 0],
    [false, false, 20, 20],
  ])('batchWrites %s, ownFraming %s: %i write(s), %i frame(s) through ws\'s sender, every answer right', async (batchWrites, ownFraming, writes, sends) => {
    const result = await burst(batchWrites, 1, ownFraming);
    expect(result).toEqual({ answers: 20, writes, sends });
  });

  it('the client frames its own requests unless told not to', async () => {
    const { url } = await startServer({}, serveEcho);
    for (const ownFraming of [true, false]) {
      const client = await connectClient(url, { ownFraming });
      const sends = countSends((client as unknown as { socket: unknown }).socket);
      expect(await Promise.all([client.send('echo', 1), client.send('echo', 2)])).toEqual([1, 2]);
      expect(sends.sends).toBe(ownFraming ? 0 : 2);
    }
  });
});
