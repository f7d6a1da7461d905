import { afterEach, describe, expect, it } from 'vitest';
import { type RawData, WebSocketServer } from 'ws';
import { cleanup, connectClient, connectionOf, deferred, onCleanup, RawPeer, serveEcho, startServer } from '@volley/test-utils';

/*
 * With write batching on, both sides frame their own writes (server: text-frame.ts, Node
 * client: masked-frame.ts) instead of going through ws's sender. The peers here read them with
 * ws's own parser, at every length boundary of RFC 6455 and with multi-byte text.
 */

afterEach(cleanup);

/** Payload strings around the boundaries: 7-bit, 16-bit and 64-bit lengths, the client's ws fallback. */
const texts = [
  '',
  'a'.repeat(100),
  'b'.repeat(126),
  'é'.repeat(200),
  'c'.repeat(16 * 1024),
  'd'.repeat(16 * 1024 + 1),
  '✓'.repeat(30_000),
  'e'.repeat(70_000),
  `mixed ü ✓ 😀 \ud800 ${'f'.repeat(500)}`,
];

describe('frames written by hand, read by ws', () => {
  it.each([true, false])('round trips every length both ways (batchWrites %s)', async (batchWrites) => {
    const { server, url } = await startServer({ batchWrites }, serveEcho);
    const client = await connectClient(url, { batchWrites });
    client.on('echo', (message) => message.resolve(message.payload));
    const connection = connectionOf(server, client);
    // (JSON.stringify escapes the lone surrogate, so it survives the trip.)
    for (const text of texts) {
      expect(await client.send('echo', text)).toBe(text);
      expect(await connection.send('echo', text)).toBe(text);
    }
  });

  it('the answers to a burst of requests of every length, framed back to back, each parse on their own', async () => {
    const { url } = await startServer({}, serveEcho);
    const peer = await RawPeer.connect(url);
    for (let index = 0; index < 30; index++) peer.send({ n: 'echo', p: texts[index % texts.length], i: String(index) });
    for (let index = 0; index < 30; index++) {
      const frame = await peer.nextFrame((received) => received.i === String(index));
      expect(frame.p).toBe(texts[index % texts.length]);
    }
  });

  it('a broadcast framed once reaches every member intact', async () => {
    const { server, url } = await startServer();
    const clients = await Promise.all(Array.from({ length: 5 }, () => connectClient(url)));
    const received = clients.map((client) => new Promise((resolve) => client.on('news', (message) => resolve(message.payload))));
    for (const client of clients) await connectionOf(server, client).joinRoom('all');
    await server.getRoom('all').broadcast('news', texts[3]);
    expect(await Promise.all(received)).toEqual(clients.map(() => texts[3]));
  });

  it('a client that negotiated compression leaves framing to ws: long (deflated) and short frames keep their order', async () => {
    // Any server may accept permessage-deflate from a client whose webSocketOptions offer it.
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { threshold: 0 } });
    onCleanup(() => new Promise((resolve) => wss.close(resolve)));
    await new Promise((resolve) => wss.once('listening', resolve));
    const names: string[] = [];
    const all = deferred();
    wss.on('connection', (socket) => {
      socket.on('message', (data: RawData) => {
        const frame = JSON.parse(data.toString()) as { n: string; i?: string };
        if (frame.n === '_h') socket.send(JSON.stringify({ n: '_r', i: frame.i, p: { id: 'deflating' } }));
        else names.push(frame.n);
        if (names.length === 40) all.resolve();
      });
    });
    const client = await connectClient(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`, {
      webSocketOptions: { perMessageDeflate: true },
      handshake: { viaUpgrade: false },
    });
    const sent: string[] = [];
    for (let index = 0; index < 40; index++) {
      const name = `m${index}`;
      sent.push(name);
      // Every fourth is long enough for ws's sender, and so deflated asynchronously.
      void client.sendWithoutResponse(name, index % 4 === 0 ? 'z'.repeat(20_000) : 'short');
    }
    await all.promise;
    expect(names).toEqual(sent);
  });
});

