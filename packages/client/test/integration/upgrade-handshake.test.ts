import { UPGRADE_ANSWER_HEADER, UPGRADE_ANSWER_SUBPROTOCOL, UPGRADE_DECLINED_SUBPROTOCOL, UPGRADE_HANDSHAKE_ID } from '@volley/protocol';
import { CloseCode, ErrorCode } from '@volley/client';
import { afterEach, describe, expect, it } from 'vitest';
import { type RawData, WebSocketServer } from 'ws';
import {
  cleanup,
  connectClient,
  makeClient,
  onCleanup,
  rejectionOf,
  waitFor,
} from '@volley/test-utils';

/*
 * The client's side of the handshake carried in the WebSocket upgrade (docs/protocol.md,
 * "Extensions"), against raw ws servers that answer the upgrade by hand: what the client offers,
 * how it falls back, and how it reads the answer in the 101 response.
 */

afterEach(cleanup);

type Frame = { n?: string; i?: string; p?: any; e?: any };

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

describe('the answer in the upgrade response, client side', () => {
  /**
   * A minimal ws server that selects `protocol` when offered and sets the 101's answer header to
   * `answer(request)` (none when it returns undefined); it records the frames it receives.
   */
  async function answeringServer(protocol: string, answer: () => string | undefined): Promise<{ url: string; received: Frame[]; offers: string[][] }> {
    const received: Frame[] = [];
    const offers: string[][] = [];
    const wss = new WebSocketServer({
      port: 0,
      host: '127.0.0.1',
      handleProtocols: (protocols) => {
        offers.push([...protocols]);
        if (protocols.has(protocol)) return protocol;
        return protocols.has('volley.1') ? 'volley.1' : (protocols.values().next().value ?? false);
      },
    });
    wss.on('headers', (headers) => {
      const value = answer();
      if (value !== undefined) headers.push(`${UPGRADE_ANSWER_HEADER}: ${value}`);
    });
    onCleanup(() => new Promise((resolve) => wss.close(resolve)));
    await new Promise((resolve) => wss.once('listening', resolve));
    wss.on('connection', (socket) => {
      if (socket.protocol === 'volley.1') socket.send(`{"n":"_r","i":"${UPGRADE_HANDSHAKE_ID}","p":{"id":"framed"}}`);
      socket.on('message', (data: RawData) => {
        const frame = JSON.parse(data.toString()) as Frame;
        received.push(frame);
        if (frame.n === '_h') socket.send(JSON.stringify({ n: '_r', i: frame.i, p: { id: 'by-h' } }));
        else if (frame.i !== undefined) socket.send(JSON.stringify({ n: '_r', i: frame.i, p: 'ok' }));
      });
    });
    return { url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`, received, offers };
  }

  it('a Client on ws offers volley.1-answer and connects from the header alone', async () => {
    const { url, received, offers } = await answeringServer(UPGRADE_ANSWER_SUBPROTOCOL, () => `{"n":"_r","i":"-h","p":{"id":"from-header","payload":"\\u00e5"}}`);
    const client = makeClient(url);
    expect(await client.connect()).toBe('å');
    expect(client.id).toBe('from-header');
    expect(await client.send('work')).toBe('ok');
    expect(received.map((frame) => frame.n)).toEqual(['work']);
    expect(offers).toEqual([[UPGRADE_DECLINED_SUBPROTOCOL, 'volley-h.', 'volley.1', UPGRADE_ANSWER_SUBPROTOCOL, 'volley.1-frame+b', 'volley.1+b', 'volley.1-answer+b']]);
  });

  it('a Client with answerInUpgrade: false does not offer it and takes the answer frame', async () => {
    const { url, offers } = await answeringServer(UPGRADE_ANSWER_SUBPROTOCOL, () => undefined);
    const client = makeClient(url, { handshake: { answerInUpgrade: false } });
    await client.connect();
    expect(client.id).toBe('framed');
    expect(offers).toEqual([[UPGRADE_DECLINED_SUBPROTOCOL, 'volley-h.', 'volley.1', 'volley.1-frame+b', 'volley.1+b']]);
  });

  it.each([
    ['no header (a proxy dropped it)', undefined, /did not arrive.*answerInUpgrade: false/],
    ['a header that is not JSON', 'nonsense', /not an answer to the handshake/],
    ['a header answering another request', '{"n":"_r","i":"7","p":{"id":"x"}}', /not an answer to the handshake/],
    ['a header over 4096 characters', `{"n":"_r","i":"-h","p":{"id":"x","payload":"${'a'.repeat(4100)}"}}`, /longer than 4096 characters/],
  ])('volley.1-answer selected with %s fails the connect at once with HANDSHAKE_ERROR', async (_label, header, message) => {
    const { url } = await answeringServer(UPGRADE_ANSWER_SUBPROTOCOL, () => header);
    const client = makeClient(url, { handshake: { timeout: 10_000 } });
    const disconnected = waitFor<{ code: number }>(client, '_disconnected');
    const error = await rejectionOf(client.connect());
    expect(error.code).toBe(ErrorCode.HANDSHAKE_ERROR);
    expect(error.message).toMatch(message);
    // The client closes the socket itself, long before the attempt timer (waitFor gives up after 3 s).
    expect((await disconnected).code).toBe(CloseCode.HANDSHAKE_FAILED);
    expect(client.state).toBe('disconnected');
  });

  it('a rejection in the header rejects the connect with HANDSHAKE_REJECTED and no reconnection', async () => {
    const { url } = await answeringServer(UPGRADE_ANSWER_SUBPROTOCOL, () => '{"n":"_r","i":"-h","e":"banned"}');
    const client = makeClient(url, { reconnect: true });
    const error = await rejectionOf(client.connect());
    expect(error.code).toBe(ErrorCode.HANDSHAKE_REJECTED);
    expect(error.payload).toBe('banned');
  });
});
