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
import { type RawData, WebSocket } from 'ws';
import {
  cleanup,
  connectClient,
  deferred,
  makeClient,
  onCleanup,
  rejectionOf,
  startServer,
} from '@volley/test-utils';

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

