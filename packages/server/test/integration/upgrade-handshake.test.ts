import type { IncomingMessage as HttpResponse } from 'node:http';
import { connect as connectTcp } from 'node:net';
import { ErrorCode } from '@volley/client';
import {
  encodeUpgradeHandshake,
  UPGRADE_ANSWER_HEADER,
  UPGRADE_ANSWER_SUBPROTOCOL,
  UPGRADE_DECLINED_SUBPROTOCOL,
  UPGRADE_HANDSHAKE_ID,
} from '@volley/protocol';
import { CloseCode, type ServerConnection } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { cleanup, connectClient, deferred, makeClient, onCleanup, rejectionOf, startServer, waitFor } from './helpers.js';

/*
 * The upgrade handshake (docs/protocol.md, "Extensions"): the client offers its handshake payload
 * as a subprotocol; a server that takes it selects `volley.1` and answers at once, so the client
 * sends no `_h` frame. Anything else falls back to the frame.
 */

afterEach(cleanup);

/** Sends an upgrade request offering `protocols` over a raw TCP socket; resolves with the first read. */
async function firstRead(port: number, protocols: string[]): Promise<string> {
  const socket = connectTcp(port, '127.0.0.1');
  onCleanup(() => socket.destroy());
  const first = new Promise<Buffer>((resolve) => socket.once('data', resolve));
  socket.write(
    `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ${protocols.join(', ')}\r\n\r\n`,
  );
  return (await first).toString('latin1');
}

type Frame = { n?: string; i?: string; p?: any; e?: any };

/** A raw ws socket offering `protocols`, with every frame it receives and its 101 response. */
async function rawSocket(
  url: string,
  protocols?: string[],
): Promise<{ socket: WebSocket; frames: Frame[]; next(): Promise<Frame>; response: HttpResponse }> {
  const socket = new WebSocket(url, protocols);
  onCleanup(() => socket.terminate());
  let response: HttpResponse | undefined;
  socket.once('upgrade', (res) => (response = res));
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
    response: response!,
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
  ])('a malformed entry (%s) is not taken: volley.1-frame is selected and the _h frame is awaited', async (_label, entry) => {
    const { url } = await startServer({}, (server) => server.on('handshake', (_connection, handshake) => handshake.resolve('framed')));
    const { socket, next, frames } = await rawSocket(url, [UPGRADE_DECLINED_SUBPROTOCOL, entry, 'volley.1']);
    expect(socket.protocol).toBe(UPGRADE_DECLINED_SUBPROTOCOL);
    socket.send('{"n":"_h","i":"1"}');
    expect(await next()).toMatchObject({ n: '_r', i: '1', p: { payload: 'framed' } });
    expect(frames).toHaveLength(1);
  });

  it('with upgradeHandshake off the entry is ignored, never echoed, and a Client falls back to the frame at once', async () => {
    const payloads: unknown[] = [];
    const { url } = await startServer({ upgradeHandshake: false }, (server) =>
      server.on('handshake', (_connection, handshake) => {
        payloads.push(handshake.payload);
        handshake.resolve();
      }),
    );
    const { socket, response } = await rawSocket(url, encodeUpgradeHandshake({ token: 'secret-ann' }));
    expect(socket.protocol).toBe(UPGRADE_DECLINED_SUBPROTOCOL);
    expect(JSON.stringify(response.headers)).not.toContain('volley-h.');
    // A handshake timeout far longer than the test's: the client must not wait for it.
    const client = await connectClient(url, { handshake: { payload: { token: 'secret-bob' }, timeout: 600_000 } });
    expect(client.state).toBe('connected');
    expect(payloads).toEqual([{ token: 'secret-bob' }]);
  });

  it.each([
    ['the extension off, an older client (no volley.1-frame offer)', { upgradeHandshake: false }, () => encodeUpgradeHandshake({ token: 'secret' })!.slice(1)],
    ['a malformed entry', {}, () => ['volley-h.%%%secret', 'volley.1']],
    ['an entry that is not JSON', {}, () => [`volley-h.${Buffer.from('secret{').toString('base64url')}`, 'volley.1']],
  ])('with %s the server never selects the volley-h. entry', async (_label, options, offer) => {
    const { server } = await startServer(options);
    const protocols = offer();
    const text = await firstRead(server.port!, protocols);
    expect(text.startsWith('HTTP/1.1 101 Switching Protocols')).toBe(true);
    expect(text).not.toContain('volley-h.');
    // Neither volley.1 (the client would await an answer that is not coming) nor anything else:
    // a ws client then fails at once ("Server sent no subprotocol").
    expect(text).not.toContain('Sec-WebSocket-Protocol');
  });

  it('the 101 response and the answer leave in one write: the first read holds both', async () => {
    const { server } = await startServer({}, (srv) => srv.on('handshake', (_connection, handshake) => handshake.resolve('fast')));
    const entry = encodeUpgradeHandshake({ user: 'ann' })![1]!;
    const text = await firstRead(server.port!, [entry, 'volley.1']);
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

describe('the answer in the upgrade response (volley.1-answer)', () => {
  /** The frame the 101's answer header carries, parsed; undefined without the header. */
  const headerAnswer = (response: HttpResponse): Frame | undefined => {
    const value = response.headers[UPGRADE_ANSWER_HEADER];
    return typeof value === 'string' ? (JSON.parse(value) as Frame) : undefined;
  };

  it('puts an answer given at once in the 101 header, escaped to ASCII, and sends no frame on connect', async () => {
    const { url } = await startServer({}, (server) =>
      server.on('handshake', (_connection, handshake) => handshake.resolve({ greeting: `hi ${(handshake.payload as { user: string }).user} ✓ "q"\n` })),
    );
    const { socket, response, frames, next } = await rawSocket(url, encodeUpgradeHandshake({ user: 'ånn' }, true));
    expect(socket.protocol).toBe(UPGRADE_ANSWER_SUBPROTOCOL);
    const raw = response.headers[UPGRADE_ANSWER_HEADER] as string;
    expect(/^[\x20-\x7e]+$/.test(raw)).toBe(true);
    const answer = headerAnswer(response)!;
    expect(answer).toMatchObject({ n: '_r', i: UPGRADE_HANDSHAKE_ID, p: { payload: { greeting: 'hi ånn ✓ "q"\n' } } });
    expect(typeof answer.p.id).toBe('string');
    // The first frame the socket receives answers its own request: no handshake frame came first.
    socket.send('{"n":"nothing","i":"1"}');
    expect(await next()).toMatchObject({ n: '_r', i: '1', e: { code: 'NO_HANDLER' } });
    expect(frames).toHaveLength(1);
  });

  it('the 101 response holds the answer header and nothing follows it: the first read is the whole response', async () => {
    const { server } = await startServer({}, (srv) => srv.on('handshake', (_connection, handshake) => handshake.resolve('fast')));
    const text = await firstRead(server.port!, encodeUpgradeHandshake(undefined, true)!);
    expect(text).toContain(`Sec-WebSocket-Protocol: ${UPGRADE_ANSWER_SUBPROTOCOL}\r\n`);
    expect(text).toMatch(new RegExp(`\\r\\n${UPGRADE_ANSWER_HEADER}: \\{"n":"_r","i":"-h","p":\\{"payload":"fast","id":"[^"]+"\\}\\}\\r\\n`));
    expect(text.endsWith('\r\n\r\n')).toBe(true);
  });

  it.each([
    ['an answer given later', { async: true, long: false, option: true }],
    ['an answer too long for a header', { async: false, long: true, option: true }],
    ['upgradeAnswer: false', { async: false, long: false, option: false }],
  ])('%s selects volley.1 and goes as a frame', async (_label, { async, long, option }) => {
    const data = long ? 'x'.repeat(5000) : 'ok';
    const { url } = await startServer({ upgradeAnswer: option }, (server) =>
      server.on('handshake', async (_connection, handshake) => {
        if (async) await Promise.resolve();
        handshake.resolve(data);
      }),
    );
    const { socket, response, next } = await rawSocket(url, encodeUpgradeHandshake(undefined, true));
    expect(socket.protocol).toBe('volley.1');
    expect(headerAnswer(response)).toBeUndefined();
    expect(await next()).toMatchObject({ n: '_r', i: UPGRADE_HANDSHAKE_ID, p: { payload: data } });
  });

  it('a rejection given at once goes as a frame after the 101 and the socket closes with 4203', async () => {
    const { url } = await startServer({}, (server) => server.on('handshake', (_connection, handshake) => handshake.reject('go away')));
    const { socket, response, next } = await rawSocket(url, encodeUpgradeHandshake({ user: 'eve' }, true));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    expect(socket.protocol).toBe('volley.1');
    expect(headerAnswer(response)).toBeUndefined();
    expect(await next()).toMatchObject({ n: '_r', i: UPGRADE_HANDSHAKE_ID, e: 'go away' });
    expect(await closed).toBe(CloseCode.HANDSHAKE_REJECTED);
  });

  it('a Client gets setId, remoteAddress, and what connection listeners send and broadcast at once', async () => {
    const seen: { handshake?: string; connection?: string } = {};
    const { server, url } = await startServer({}, (srv) => {
      srv.on('handshake', (connection, handshake) => {
        seen.handshake = connection.remoteAddress;
        connection.setId(`user-${(handshake.payload as { user: string }).user}`);
        handshake.resolve({ welcome: true });
      });
      srv.on('connection', (connection) => {
        seen.connection = connection.remoteAddress;
        // Sent while ws is still completing the upgrade: they follow the 101, in order.
        void connection.send('who', 'are you?').then((answer) => answers.resolve(answer as string));
        void srv.broadcast('news', 'first');
      });
    });
    const answers = deferred<string>();
    const client = makeClient(url, { handshake: { payload: { user: 'ann' } } });
    const news: unknown[] = [];
    client.on('who', (message) => message.resolve('ann'));
    client.on('news', (message) => news.push(message.payload));
    expect(await client.connect()).toEqual({ welcome: true });
    expect(client.id).toBe('user-ann');
    expect(server.getConnectionById('user-ann')?.state).toBe('connected');
    expect(await answers.promise).toBe('ann');
    expect(news).toEqual(['first']);
    expect(seen).toEqual({ handshake: '127.0.0.1', connection: '127.0.0.1' });
  });

  it('a connection closed by its connection listener at once still gets its answer, then the close', async () => {
    const { url } = await startServer({}, (server) => server.on('connection', (connection: ServerConnection) => void connection.close(4000, 'not today')));
    const client = makeClient(url);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => client.on('_disconnected', resolve));
    await client.connect();
    expect(await closed).toMatchObject({ code: 4000, reason: 'not today' });
  });

  it('a handshake refused at once because the listener threw goes as a rejection frame', async () => {
    const { url } = await startServer({}, (server) => {
      server.on('error', () => undefined);
      server.on('handshake', () => {
        throw new Error('listener bug');
      });
    });
    const error = await rejectionOf(makeClient(url).connect());
    expect(error.code).toBe(ErrorCode.HANDSHAKE_REJECTED);
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
    expect(offers).toEqual([[UPGRADE_DECLINED_SUBPROTOCOL, 'volley-h.', 'volley.1', UPGRADE_ANSWER_SUBPROTOCOL]]);
  });

  it('a Client with answerInUpgrade: false does not offer it and takes the answer frame', async () => {
    const { url, offers } = await answeringServer(UPGRADE_ANSWER_SUBPROTOCOL, () => undefined);
    const client = makeClient(url, { handshake: { answerInUpgrade: false } });
    await client.connect();
    expect(client.id).toBe('framed');
    expect(offers).toEqual([[UPGRADE_DECLINED_SUBPROTOCOL, 'volley-h.', 'volley.1']]);
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
