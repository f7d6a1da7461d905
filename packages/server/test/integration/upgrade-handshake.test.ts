import { connect as connectTcp } from 'node:net';
import { encodeUpgradeHandshake, UPGRADE_HANDSHAKE_ID } from '@volley/protocol';
import { CloseCode } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { cleanup, connectClient, onCleanup, startServer } from './helpers.js';

/*
 * The upgrade handshake (docs/protocol.md, "Extensions"): the client offers its handshake payload
 * as a subprotocol; a server that takes it selects `volley.1` and answers at once, so the client
 * sends no `_h` frame. Anything else falls back to the frame.
 */

afterEach(cleanup);

type Frame = { n?: string; i?: string; p?: any; e?: any };

/** A raw ws socket offering `protocols`, with every frame it receives. */
async function rawSocket(url: string, protocols?: string[]): Promise<{ socket: WebSocket; frames: Frame[]; next(): Promise<Frame> }> {
  const socket = new WebSocket(url, protocols);
  onCleanup(() => socket.terminate());
  const frames: Frame[] = [];
  const waiting: ((frame: Frame) => void)[] = [];
  socket.on('message', (data: RawData) => {
    const frame = JSON.parse(data.toString()) as Frame;
    frames.push(frame);
    waiting.shift()?.(frame);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let read = 0;
  return {
    socket,
    frames,
    next: () => (read < frames.length ? Promise.resolve(frames[read++]!) : new Promise<Frame>((resolve) => waiting.push((frame) => (read++, resolve(frame))))),
  };
}

describe('the upgrade handshake, server side', () => {
  it('selects volley.1 and answers the carried handshake right after the 101, with no frame from the client', async () => {
    const payloads: unknown[] = [];
    const { url } = await startServer({}, (server) =>
      server.on('handshake', (_connection, handshake) => {
        payloads.push(handshake.payload);
        handshake.resolve({ hello: (handshake.payload as { user: string }).user });
      }),
    );
    const payload = { user: 'ann', token: 'ü✓ "quoted"' };
    const { socket, next } = await rawSocket(url, encodeUpgradeHandshake(payload));
    expect(socket.protocol).toBe('volley.1');
    const answer = await next();
    expect(answer).toMatchObject({ n: '_r', i: UPGRADE_HANDSHAKE_ID, p: { payload: { hello: 'ann' } } });
    expect(typeof answer.p.id).toBe('string');
    expect(payloads).toEqual([payload]);
    // The connection is open for requests at once.
    socket.send('{"n":"nothing","i":"1"}');
    expect(await next()).toMatchObject({ n: '_r', i: '1', e: { code: 'NO_HANDLER' } });
  });

  it('an empty entry is a handshake without payload', async () => {
    const seen: unknown[] = [];
    const { url } = await startServer({}, (server) => server.on('handshake', (_connection, handshake) => (seen.push(handshake.payload), handshake.resolve())));
    const { next } = await rawSocket(url, ['volley-h.', 'volley.1']);
    expect(await next()).toMatchObject({ n: '_r', i: UPGRADE_HANDSHAKE_ID });
    expect(seen).toEqual([undefined]);
  });

  it('a rejection is answered on the handshake id and closes with 4203', async () => {
    const { url } = await startServer({}, (server) => server.on('handshake', (_connection, handshake) => handshake.reject('go away')));
    const { socket, next } = await rawSocket(url, encodeUpgradeHandshake({ user: 'eve' }));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    expect(await next()).toMatchObject({ n: '_r', i: UPGRADE_HANDSHAKE_ID, e: 'go away' });
    expect(await closed).toBe(CloseCode.HANDSHAKE_REJECTED);
  });

  it.each([
    ['bad base64url', 'volley-h.***'],
    ['not JSON', `volley-h.${Buffer.from('{nope').toString('base64url')}`],
    ['not UTF-8', `volley-h.${Buffer.from([0xff, 0xfe]).toString('base64url')}`],
  ])('a malformed entry (%s) is not taken: the first offer is selected and the _h frame is awaited', async (_label, entry) => {
    const { url } = await startServer({}, (server) => server.on('handshake', (_connection, handshake) => handshake.resolve('framed')));
    const { socket, next, frames } = await rawSocket(url, [entry, 'volley.1']);
    expect(socket.protocol).toBe(entry);
    socket.send('{"n":"_h","i":"1"}');
    expect(await next()).toMatchObject({ n: '_r', i: '1', p: { payload: 'framed' } });
    expect(frames).toHaveLength(1);
  });

  it('with upgradeHandshake off the entry is ignored, and a Client falls back to the frame', async () => {
    const { url } = await startServer({ upgradeHandshake: false }, (server) => server.on('handshake', (_connection, handshake) => handshake.resolve()));
    const { socket } = await rawSocket(url, encodeUpgradeHandshake({ user: 'ann' }));
    expect(socket.protocol.startsWith('volley-h.')).toBe(true);
    const client = await connectClient(url, { handshake: { payload: { user: 'bob' } } });
    expect(client.state).toBe('connected');
  });

  it('the 101 response and the answer leave in one write: the first read holds both', async () => {
    const { server } = await startServer({}, (srv) => srv.on('handshake', (_connection, handshake) => handshake.resolve('fast')));
    const [entry] = encodeUpgradeHandshake({ user: 'ann' })!;
    const socket = connectTcp(server.port!, '127.0.0.1');
    onCleanup(() => socket.destroy());
    const first = new Promise<Buffer>((resolve) => socket.once('data', resolve));
    socket.write(
      `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ${entry}, volley.1\r\n\r\n`,
    );
    const text = (await first).toString('latin1');
    expect(text.startsWith('HTTP/1.1 101 Switching Protocols')).toBe(true);
    expect(text).toContain('Sec-WebSocket-Protocol: volley.1');
    expect(text).toContain(`"n":"_r","i":"${UPGRADE_HANDSHAKE_ID}"`);
  });
});

describe('the upgrade handshake, client side', () => {
  it('a Client connects to a Volley server without sending _h, and one with protocols of its own sends it', async () => {
    const received: Frame[] = [];
    const wss = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      // A minimal Volley-like server that takes the upgrade handshake when offered.
      handleProtocols: (protocols) => (protocols.has('volley.1') ? 'volley.1' : (protocols.values().next().value ?? false)),
    });
    onCleanup(() => new Promise((resolve) => wss.close(resolve)));
    await new Promise((resolve) => wss.once('listening', resolve));
    wss.on('connection', (socket) => {
      if (socket.protocol === 'volley.1') socket.send(`{"n":"_r","i":"${UPGRADE_HANDSHAKE_ID}","p":{"id":"up","payload":"via upgrade"}}`);
      socket.on('message', (data: RawData) => {
        const frame = JSON.parse(data.toString()) as Frame;
        received.push(frame);
        if (frame.n === '_h') socket.send(JSON.stringify({ n: '_r', i: frame.i, p: { id: 'framed', payload: 'via frame' } }));
        else if (frame.i !== undefined) socket.send(JSON.stringify({ n: '_r', i: frame.i, p: 'ok' }));
      });
    });
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;

    const upgraded = await connectClient(url, { handshake: { payload: { user: 'ann' } } });
    expect(upgraded.id).toBe('up');
    expect(await upgraded.send('work')).toBe('ok');
    expect(received.map((frame) => frame.n)).toEqual(['work']);

    received.length = 0;
    const framed = await connectClient(url, { protocols: ['chat'], handshake: { payload: { user: 'bob' } } });
    expect(framed.id).toBe('framed');
    expect(received).toMatchObject([{ n: '_h', p: { user: 'bob' } }]);
  });

  it('a server that picks another offer (ws default, line-socket) gets the _h frame', async () => {
    const received: Frame[] = [];
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    onCleanup(() => new Promise((resolve) => wss.close(resolve)));
    await new Promise((resolve) => wss.once('listening', resolve));
    wss.on('connection', (socket) =>
      socket.on('message', (data: RawData) => {
        const frame = JSON.parse(data.toString()) as Frame;
        received.push(frame);
        if (frame.n === '_h') socket.send(JSON.stringify({ n: '_r', i: frame.i, p: { id: 'plain', payload: frame.p } }));
      }),
    );
    const client = await connectClient(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`, { handshake: { payload: { user: 'cy' } } });
    expect(client.id).toBe('plain');
    expect(received).toMatchObject([{ n: '_h', p: { user: 'cy' } }]);
  });
});
