import type { Client } from '@volley/client';
import { BYTES_KEY } from '@volley/protocol';
import type { Server } from '@volley/server';
import { cleanup, connectClient, connectionOf, RawPeer, startServer, waitFor } from '@volley/test-utils';
import { afterEach, describe, expect, it } from 'vitest';

/*
 * The binary extension over real sockets (docs/protocol.md, "Binary values"): byte arrays in
 * payloads cross both ways as bytes where client and server agreed on `+b` in the upgrade, and as
 * plain JSON objects ({"\u0000b": base64}) for a peer that did not, whose frames stay JSON.
 */

afterEach(cleanup);

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

/** A server that answers `store` with what it received and whether its `data` was bytes. */
async function storingServer(options: { binary?: boolean } = {}): Promise<{ server: Server; url: string }> {
  return startServer(options, (server) => {
    server.handle('store', (message) => {
      const payload = message.payload as { name: string; data: unknown };
      message.resolve({ name: payload.name, wasBytes: payload.data instanceof Uint8Array, data: payload.data, copy: Buffer.from([9, 8, 7]) });
    });
  });
}

describe('byte arrays in payloads, with the binary extension agreed', () => {
  it('cross both ways as bytes: a request\'s payload, its result, a request from the server and a broadcast', async () => {
    const { server, url } = await storingServer();
    const client = await connectClient(url);
    const answer = (await client.send('store', { name: 'a.bin', data: bytes(0, 1, 255) })) as { wasBytes: boolean; data: unknown; copy: unknown };
    expect(answer.wasBytes).toBe(true);
    expect(answer.data).toEqual(bytes(0, 1, 255));
    // A Buffer goes as its bytes and comes back as a Uint8Array.
    expect(answer.copy).toBeInstanceOf(Uint8Array);
    expect(answer.copy).toEqual(bytes(9, 8, 7));

    client.on('checksum', (message) => message.resolve((message.payload as Uint8Array).reduce((sum, byte) => sum + byte, 0)));
    expect(await connectionOf(server, client).send('checksum', bytes(1, 2, 3))).toBe(6);

    await connectionOf(server, client).joinRoom('files');
    const news = waitFor<{ payload: { data: unknown } }>(client, 'file');
    await server.getRoom('files').broadcast('file', { data: bytes(42) });
    expect((await news).payload.data).toEqual(bytes(42));
  });

  it('a peer without the extension (a line-socket peer, a raw ws client) reads plain JSON objects, and its own such objects stay objects', async () => {
    const { server, url } = await storingServer();
    const peer = await RawPeer.connect(url);
    peer.send({ n: 'store', p: { name: 'x', data: { [BYTES_KEY]: 'AQI=' } }, i: '1' });
    const answer = await peer.nextFrame((frame) => frame.i === '1');
    // Not agreed: the server did not turn the peer's object into bytes…
    expect(answer.p).toMatchObject({ wasBytes: false, data: { [BYTES_KEY]: 'AQI=' } });
    // …and what it sends with bytes reaches the peer as JSON it can read.
    expect(answer.p).toMatchObject({ copy: { [BYTES_KEY]: 'CQgH' } });
    void server;
  });

  it.each([
    ['the server turns the extension off', { binary: false }, {}],
    ['the client turns it off', {}, { binary: false }],
  ])('%s: nothing is revived on either side, the objects arrive as JSON', async (_label, serverOptions, clientOptions) => {
    const { url } = await storingServer(serverOptions);
    const client: Client = await connectClient(url, clientOptions);
    const answer = (await client.send('store', { name: 'n', data: bytes(1) })) as { wasBytes: boolean; copy: unknown };
    expect(answer.wasBytes).toBe(false);
    expect(answer.copy).toEqual({ [BYTES_KEY]: 'CQgH' });
  });
});
