import { CloseCode, ConnectionEvent, ErrorCode, type ServerConnection, type VolleyError } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { cleanup, connectClient, record, RawPeer, serveEcho, startServer, waitFor } from '@volley/test-utils';

/*
 * Floods that reach no handler (issue 11): every inbound frame, of every kind and before the
 * handshake too, takes a token of the rate limit, and every refusal counts towards maxRefusals,
 * so a peer that floods is closed with 4207 after `burst` frames and `maxRefusals` refusals.
 */

afterEach(cleanup);

/**
 * A small bucket and budget: 5 frames pass, the 3rd refusal in a row closes. A peer closed for
 * abuse is not read, so the server cuts it after closeTimeout: short, or every test (and server
 * stop) would wait the default 5 s.
 */
const SMALL = { rateLimit: { rate: 1, burst: 5 }, maxRefusals: 3, closeTimeout: 200 } as const;

/** The ws socket under a server connection. */
function socketOf(connection: ServerConnection): WebSocket {
  return (connection as unknown as { socket: WebSocket }).socket;
}

/** Writes bytes to the peer's TCP socket as they are, in one write. */
function writeRaw(peer: RawPeer, bytes: Buffer): void {
  (peer.socket as unknown as { _socket: { write(chunk: Buffer): void } })._socket.write(bytes);
}

/** A masked client frame with an empty payload (`opcode` 0x9 ping, 0xA pong). */
function emptyControlFrame(opcode: number): Buffer {
  return Buffer.from([0x80 | opcode, 0x80, 1, 2, 3, 4]);
}

describe('floods that reach no handler count against the rate limit and the refusal budget', () => {
  it('_r frames with ids nothing awaits', async () => {
    const { url } = await startServer(SMALL);
    const peer = await RawPeer.connect(url);
    for (let k = 0; k < 20; k++) peer.send({ n: '_r', i: `zz${k}`, p: 1 });
    expect((await peer.closed).code).toBe(CloseCode.POLICY_VIOLATION);
  });

  it('WebSocket pong control frames', async () => {
    const { server, url } = await startServer(SMALL);
    const peer = await RawPeer.connect(url);
    const errors = record<VolleyError>(server.getConnectionById(peer.id!)!, ConnectionEvent.ERROR);
    for (let k = 0; k < 20; k++) peer.socket.pong();
    expect((await peer.closed).code).toBe(CloseCode.POLICY_VIOLATION);
    expect(errors[0]).toMatchObject({ code: ErrorCode.RATE_LIMITED, message: expect.stringContaining('WebSocket pong') });
  });

  it('WebSocket ping control frames', async () => {
    const { url } = await startServer(SMALL);
    const peer = await RawPeer.connect(url);
    for (let k = 0; k < 20; k++) peer.socket.ping();
    expect((await peer.closed).code).toBe(CloseCode.POLICY_VIOLATION);
  });

  it('binary frames, each refused', async () => {
    const { server, url } = await startServer({ maxRefusals: 3, closeTimeout: 200 });
    const peer = await RawPeer.connect(url);
    const errors = record<VolleyError>(server.getConnectionById(peer.id!)!, ConnectionEvent.ERROR);
    for (let k = 0; k < 3; k++) peer.socket.send(Buffer.from([k]));
    expect((await peer.closed).code).toBe(CloseCode.POLICY_VIOLATION);
    expect(errors.map((error) => error.code)).toEqual([ErrorCode.INVALID_FRAME, ErrorCode.INVALID_FRAME, ErrorCode.INVALID_FRAME]);
  });

  it('_p pings before the handshake', async () => {
    const { url } = await startServer(SMALL);
    const peer = await RawPeer.open(url);
    for (let k = 0; k < 20; k++) peer.send({ n: '_p', i: `p${k}` });
    expect((await peer.closed).code).toBe(CloseCode.POLICY_VIOLATION);
    const answers = peer.received.filter((frame) => frame.n === '_r');
    // The first five pass the bucket and are answered; the rest are refused until the close.
    expect(answers.slice(0, 5).map((frame) => frame.p)).toEqual(['pong', 'pong', 'pong', 'pong', 'pong']);
    expect(answers.slice(5).map((frame) => frame.e?.code)).toEqual([ErrorCode.RATE_LIMITED, ErrorCode.RATE_LIMITED, ErrorCode.RATE_LIMITED]);
  });

  it('the handshake takes a token like any frame: with a burst of 2, one request passes after it', async () => {
    const { url } = await startServer({ rateLimit: { rate: 1, burst: 2 } }, serveEcho);
    const peer = await RawPeer.connect(url);
    peer.send({ n: 'echo', p: 'first', i: 'a' });
    peer.send({ n: 'echo', p: 'second', i: 'b' });
    expect((await peer.nextFrame((frame) => frame.i === 'a')).p).toBe('first');
    expect((await peer.nextFrame((frame) => frame.i === 'b')).e?.code).toBe(ErrorCode.RATE_LIMITED);
  });

  it('an answer to a request of the server is taken even over the rate (refusing it would only make it time out)', async () => {
    const { server, url } = await startServer({ rateLimit: { rate: 1, burst: 1 } });
    const client = await connectClient(url);
    client.on('ask', (message) => message.resolve('answer'));
    const connection = server.getConnectionById(client.id!)!;
    // The handshake took the only token: both answers arrive over the rate.
    expect(await Promise.all([connection.send('ask'), connection.send('ask')])).toEqual(['answer', 'answer']);
  });
});

describe('a connection closed for abuse', () => {
  it('is not read any further: its socket is paused at once and cut after closeTimeout', async () => {
    const { server, url } = await startServer(SMALL);
    const peer = await RawPeer.connect(url);
    const connection = server.getConnectionById(peer.id!)!;
    const errors = record<VolleyError>(connection, ConnectionEvent.ERROR);
    const gone = waitFor<{ code: number }>(connection, ConnectionEvent.DISCONNECTED);
    for (let k = 0; k < 3; k++) peer.socket.send(Buffer.from([k]));
    expect((await peer.closed).code).toBe(CloseCode.POLICY_VIOLATION);
    expect(socketOf(connection).isPaused).toBe(true);
    // The peer's close frame is never read, so the server cuts the socket after closeTimeout;
    // the code it reports is the one it sent.
    expect((await gone).code).toBe(CloseCode.POLICY_VIOLATION);
    expect(errors).toHaveLength(3);
  });
});

describe('protections ws provides', () => {
  it('a peer that pings faster than it reads the pongs is terminated by ws, and that is reported on _error', async () => {
    const { server, url } = await startServer();
    const peer = await RawPeer.connect(url);
    const connection = server.getConnectionById(peer.id!)!;
    const errors = record<VolleyError>(connection, ConnectionEvent.ERROR);
    const gone = waitFor<{ code: number }>(connection, ConnectionEvent.DISCONNECTED);
    // More than ws's maxPendingAutoPongs (60) in one read: none of their pongs is written yet.
    writeRaw(peer, Buffer.concat(Array.from({ length: 100 }, () => emptyControlFrame(0x9))));
    await gone;
    expect(errors).toEqual([expect.objectContaining({ code: ErrorCode.WEBSOCKET_ERROR, message: expect.stringContaining('too many pongs pending') })]);
  });

  it('a frame header announcing more than 2^53 - 1 bytes is PAYLOAD_TOO_LARGE and closes with 1009', async () => {
    const { server, url } = await startServer();
    const peer = await RawPeer.connect(url);
    const connection = server.getConnectionById(peer.id!)!;
    const errors = record<VolleyError>(connection, ConnectionEvent.ERROR);
    const gone = waitFor<{ code: number }>(connection, ConnectionEvent.DISCONNECTED);
    // A masked text frame with the 64-bit length 2^53.
    writeRaw(peer, Buffer.from([0x81, 0xff, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]));
    expect((await gone).code).toBe(CloseCode.MESSAGE_TOO_BIG);
    expect(errors.map((error) => error.code)).toEqual([ErrorCode.PAYLOAD_TOO_LARGE]);
  });
});
