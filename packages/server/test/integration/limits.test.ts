import type { Socket } from 'node:net';
import type { Client } from '@volley/client';
import { ErrorCode, type IncomingMessage, type Server, type ServerConnection, type ServerOptions, type VolleyError } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, connectClient, delay, EVENT_TIMEOUT, RawPeer, type ReceivedFrame, record, rejectionOf, startServer, waitFor } from '@volley/test-utils';

/*
 * The protection limits, each against a raw peer that misbehaves on purpose, with small limits so
 * that the tests stay fast. Every test also checks that a well-behaved client connected to the
 * same server is unaffected.
 */

afterEach(cleanup);

interface Setup {
  server: Server;
  peer: RawPeer;
  connection: ServerConnection;
  /** Everything the peer's connection reported on `_error`. */
  errors: VolleyError[];
  /** Requests to `hold`: never answered unless the test does. */
  held: IncomingMessage[];
  /** Fire-and-forget `note` messages that reached the handler. */
  notes: unknown[];
  /** A well-behaved client on the same server. */
  other: Client;
}

/**
 * A server with `echo` (answers at once), `hold` (never answers by itself) and `note`
 * (fire-and-forget) handlers, a well-behaved client, and a raw peer past its handshake.
 */
async function setup(options: Partial<ServerOptions>): Promise<Setup> {
  const held: IncomingMessage[] = [];
  const notes: unknown[] = [];
  // Pings would add frames of their own to the traffic under test.
  const { server, url } = await startServer({ pingInterval: 0, ...options }, (server) => {
    server.on('connection', (connection) => {
      connection.on('echo', (message) => message.resolve(message.payload));
      connection.on('hold', (message) => held.push(message));
      connection.on('note', (message) => notes.push(message.payload));
    });
  });
  const other = await connectClient(url);
  const peer = await RawPeer.connect(url);
  const connection = server.getConnectionById(peer.id!)!;
  expect(connection.state).toBe('connected');
  return { server, peer, connection, errors: record<VolleyError>(connection, '_error'), held, notes, other };
}

/** The TCP socket under the raw peer's WebSocket. */
function tcpOf(peer: RawPeer): Socket {
  return (peer.socket as unknown as { _socket: Socket })._socket;
}

/** Sends frames in one TCP write, so that the server reads them in one go. */
function sendTogether(peer: RawPeer, frames: object[]): void {
  const tcp = tcpOf(peer);
  tcp.cork();
  for (const frame of frames) peer.send(frame);
  tcp.uncork();
}

/** The error answer to request `id` carrying `code`. */
function errorAnswer(id: string, code: ErrorCode): ReceivedFrame {
  return { n: '_r', i: id, e: expect.objectContaining({ code, message: expect.any(String) }) };
}

/** How the peer's socket closed; fails readably if it stays open. */
function closeOf(peer: RawPeer, timeout = EVENT_TIMEOUT): Promise<{ code: number; reason: string }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`The peer was still open after ${timeout} ms`)), timeout);
  });
  return Promise.race([peer.closed, timedOut]).finally(() => clearTimeout(timer));
}

const codes = (errors: VolleyError[]): string[] => errors.map((error) => error.code);

async function otherStillWorks(other: Client): Promise<void> {
  expect(await other.send('echo', 'alive')).toBe('alive');
}

describe('maxInFlight', () => {
  it('refuses the request past the cap with TOO_MANY_REQUESTS; an answer frees a slot', async () => {
    const { peer, connection, errors, held, notes, other } = await setup({ maxInFlight: 3 });
    sendTogether(peer, [
      { n: 'hold', p: 1, i: 'h1' },
      { n: 'hold', p: 2, i: 'h2' },
      { n: 'hold', p: 3, i: 'h3' },
      { n: 'echo', p: 4, i: 'e4' },
      // Fire-and-forget messages await no answer and do not count.
      { n: 'note', p: 'n1' },
    ]);
    expect(await peer.barrier()).toEqual([errorAnswer('e4', ErrorCode.TOO_MANY_REQUESTS)]);
    expect(held.map((message) => message.payload)).toEqual([1, 2, 3]);
    expect(notes).toEqual(['n1']);
    expect(codes(errors)).toEqual([ErrorCode.TOO_MANY_REQUESTS]);
    expect(errors[0]!.message).toContain('3');

    // Answering one request frees exactly one slot.
    held[0]!.resolve('done');
    expect(await peer.nextFrame((frame) => frame.i === 'h1')).toEqual({ n: '_r', i: 'h1', p: 'done' });
    sendTogether(peer, [
      { n: 'hold', p: 5, i: 'h5' },
      { n: 'echo', p: 6, i: 'e6' },
    ]);
    expect(await peer.barrier()).toEqual([errorAnswer('e6', ErrorCode.TOO_MANY_REQUESTS)]);

    // So does a rejection; a request answered at once takes its slot only while it runs.
    held[1]!.reject(new Error('no'));
    expect(await peer.nextFrame((frame) => frame.i === 'h2')).toMatchObject({ n: '_r', i: 'h2', e: { message: 'no' } });
    peer.send({ n: 'echo', p: 7, i: 'e7' });
    peer.send({ n: 'echo', p: 8, i: 'e8' });
    expect(await peer.barrier()).toEqual([
      { n: '_r', i: 'e7', p: 7 },
      { n: '_r', i: 'e8', p: 8 },
    ]);
    expect(codes(errors)).toEqual([ErrorCode.TOO_MANY_REQUESTS, ErrorCode.TOO_MANY_REQUESTS]);
    expect(connection.state).toBe('connected');
    await otherStillWorks(other);
  });

  it('counts per connection: another client is not refused while one is at its cap', async () => {
    const { peer, held, other } = await setup({ maxInFlight: 2 });
    sendTogether(peer, [
      { n: 'hold', i: 'h1' },
      { n: 'hold', i: 'h2' },
    ]);
    expect(await peer.barrier()).toEqual([]);
    expect(held).toHaveLength(2);
    // The other client may have two requests of its own in flight.
    expect(await Promise.all([other.send('echo', 1), other.send('echo', 2)])).toEqual([1, 2]);
  });
});

describe('rateLimit', () => {
  it('answers RATE_LIMITED past the burst (pings too), and admits again after a refill', async () => {
    // The handshake takes the first of the 6 tokens, like any frame.
    const { peer, connection, errors, notes, other } = await setup({ rateLimit: { rate: 5, burst: 6 } });
    // One TCP write, read in one go: no time for a refill between the frames.
    sendTogether(peer, [
      { n: 'echo', p: 1, i: 'e1' },
      { n: 'echo', p: 2, i: 'e2' },
      { n: 'note', p: 'n3' },
      { n: 'echo', p: 4, i: 'e4' },
      { n: 'echo', p: 5, i: 'e5' },
      { n: 'echo', p: 6, i: 'e6' },
      { n: 'note', p: 'n7' },
      { n: '_p', i: 'p8' },
    ]);
    expect(await peer.nextFrame((frame) => frame.i === 'p8')).toEqual(errorAnswer('p8', ErrorCode.RATE_LIMITED));
    expect(peer.received.slice(1, -1)).toEqual([
      { n: '_r', i: 'e1', p: 1 },
      { n: '_r', i: 'e2', p: 2 },
      { n: '_r', i: 'e4', p: 4 },
      { n: '_r', i: 'e5', p: 5 },
      errorAnswer('e6', ErrorCode.RATE_LIMITED),
    ]);
    // The refused fire-and-forget message is reported, not delivered.
    expect(notes).toEqual(['n3']);
    expect(codes(errors)).toEqual([ErrorCode.RATE_LIMITED, ErrorCode.RATE_LIMITED, ErrorCode.RATE_LIMITED]);
    expect(errors[0]!.message).toContain('5 messages per second');

    // The refill is what is under test: at 5 per second, 250 ms bring back at least one token.
    await delay(250);
    peer.send({ n: 'echo', p: 'again', i: 'after' });
    expect(await peer.nextFrame((frame) => frame.i === 'after')).toEqual({ n: '_r', i: 'after', p: 'again' });
    expect(connection.state).toBe('connected');
    await otherStillWorks(other);
  });

  it('limits each connection on its own', async () => {
    const { peer, other } = await setup({ rateLimit: { rate: 1, burst: 2 } });
    sendTogether(peer, [
      { n: 'echo', i: 'e1' },
      { n: 'echo', i: 'e2' },
      { n: 'echo', i: 'e3' },
    ]);
    expect(await peer.nextFrame((frame) => frame.i === 'e3')).toEqual(errorAnswer('e3', ErrorCode.RATE_LIMITED));
    // The other client still has its own full burst.
    expect(await Promise.all([other.send('echo', 1), other.send('echo', 2)])).toEqual([1, 2]);
  });
});

describe('maxRefusals', () => {
  it('closes with 4207 after that many refusals in a row; an admitted message resets the count', async () => {
    // A peer closed for abuse is not read any more, so its close frame never arrives: the server
    // cuts the socket after closeTimeout.
    const { server, peer, connection, errors, other } = await setup({ maxInFlight: 1, maxRefusals: 3, rateLimit: false, closeTimeout: 200 });
    const disconnected = waitFor<{ code: number }>(connection, '_disconnected');
    sendTogether(peer, [
      { n: 'hold', i: 'h1' },
      { n: 'hold', i: 'h2' },
      { n: 'hold', i: 'h3' },
      // Admitted: the refusals so far were not in a row with the ones that follow.
      { n: 'note', p: 'reset' },
      { n: 'hold', i: 'h4' },
      { n: 'hold', i: 'h5' },
    ]);
    expect(await peer.barrier()).toEqual(['h2', 'h3', 'h4', 'h5'].map((id) => errorAnswer(id, ErrorCode.TOO_MANY_REQUESTS)));
    expect(connection.state).toBe('connected');

    // The third refusal in a row.
    peer.send({ n: 'hold', i: 'h6' });
    expect(await closeOf(peer)).toEqual({ code: 4207, reason: 'Too many refused messages' });
    expect((await disconnected).code).toBe(4207);
    expect(codes(errors).slice(0, 5)).toEqual(Array(5).fill(ErrorCode.TOO_MANY_REQUESTS));
    expect(server.getConnectionById(connection.id)).toBeUndefined();
    await otherStillWorks(other);
  });

  it('counts rate-limit refusals too', async () => {
    // The handshake takes one of the 3 tokens. (closeTimeout: see the test above.)
    const { peer, notes, other } = await setup({ rateLimit: { rate: 1, burst: 3 }, maxRefusals: 3, closeTimeout: 200 });
    sendTogether(
      peer,
      [1, 2, 3, 4, 5].map((p) => ({ n: 'note', p })),
    );
    expect((await closeOf(peer)).code).toBe(4207);
    expect(notes).toEqual([1, 2]);
    await otherStillWorks(other);
  });
});

describe('maxBufferedAmount and backpressure', () => {
  const maxBufferedAmount = 64 * 1024;
  const big = 'x'.repeat(256 * 1024);
  // Loopback buffers in the kernel take a few MB before the socket's own buffer grows.
  const MAX_SENDS = 400;

  /**
   * Sends `big` fire-and-forget messages, one per event-loop turn so that each is handed to the
   * kernel, until a send fails (the peer reads nothing). Returns how many succeeded and the error.
   */
  async function fillUntilRefused(connection: ServerConnection): Promise<{ sent: number; error: VolleyError }> {
    for (let sent = 0; sent < MAX_SENDS; sent++) {
      try {
        await connection.sendWithoutResponse('big', big);
      } catch (error) {
        return { sent, error: error as VolleyError };
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error(`${MAX_SENDS} sends of ${big.length} bytes to a peer that reads nothing all succeeded`);
  }

  /** Waits until the peer has received `count` `big` frames. */
  async function receiveBig(peer: RawPeer, count: number): Promise<void> {
    for (let index = 0; index < count; index++) await peer.nextFrame((frame) => frame.n === 'big', 10_000);
  }

  it("'close': the send rejects BACKPRESSURE, _error reports it, the socket closes with 4208", async () => {
    const { peer, connection, errors, other } = await setup({ maxBufferedAmount, backpressure: 'close' });
    const disconnected = waitFor<{ code: number }>(connection, '_disconnected', 10_000);
    tcpOf(peer).pause();
    const { sent, error } = await fillUntilRefused(connection);
    expect(sent).toBeGreaterThan(0);
    expect(error.code).toBe(ErrorCode.BACKPRESSURE);
    expect(error.message).toContain(String(maxBufferedAmount));
    expect(codes(errors)).toEqual([ErrorCode.BACKPRESSURE]);
    expect(errors[0]).toBe(error);
    // Closing: nothing more is queued.
    expect((await rejectionOf(connection.sendWithoutResponse('big', 'late'))).code).toBe(ErrorCode.DISCONNECTED);

    tcpOf(peer).resume();
    // Everything that was accepted is delivered before the close frame.
    await receiveBig(peer, sent);
    expect(await closeOf(peer)).toEqual({ code: 4208, reason: 'Slow consumer' });
    expect((await disconnected).code).toBe(4208);
    expect(peer.received.filter((frame) => frame.n === 'big')).toHaveLength(sent);
    await otherStillWorks(other);
  });

  it("'error': sends reject BACKPRESSURE while full, broadcasts skip and report it, and the connection recovers", async () => {
    const { server, peer, connection, errors, other } = await setup({ maxBufferedAmount, backpressure: 'error' });
    tcpOf(peer).pause();
    const { sent, error } = await fillUntilRefused(connection);
    expect(sent).toBeGreaterThan(0);
    expect(error.code).toBe(ErrorCode.BACKPRESSURE);
    expect(codes(errors)).toEqual([ErrorCode.BACKPRESSURE]);
    expect(connection.state).toBe('connected');
    // Still full: the next send is refused too, nothing is queued.
    expect((await rejectionOf(connection.sendWithoutResponse('big', 'refused'))).code).toBe(ErrorCode.BACKPRESSURE);

    // A broadcast reaches the others and is reported, not silently dropped, on the full connection.
    const news = waitFor<IncomingMessage>(other, 'news');
    await server.broadcast('news', 'hello');
    expect((await news).payload).toBe('hello');
    expect(codes(errors)).toEqual([ErrorCode.BACKPRESSURE, ErrorCode.BACKPRESSURE, ErrorCode.BACKPRESSURE]);

    // Once the peer has read everything that was accepted, the buffer is empty again.
    tcpOf(peer).resume();
    await receiveBig(peer, sent);
    await connection.sendWithoutResponse('after', 'drained');
    expect(await peer.nextFrame((frame) => frame.n === 'after')).toEqual({ n: 'after', p: 'drained' });
    peer.send({ n: 'echo', p: 'both ways', i: 'e1' });
    expect(await peer.nextFrame((frame) => frame.i === 'e1')).toEqual({ n: '_r', i: 'e1', p: 'both ways' });
    expect(peer.received.some((frame) => frame.n === 'news' || frame.p === 'refused')).toBe(false);
    expect(peer.received.filter((frame) => frame.n === 'big')).toHaveLength(sent);
    expect(connection.state).toBe('connected');
    expect(codes(errors)).toHaveLength(3);
    await otherStillWorks(other);
  });
});

describe('maxPayload', () => {
  it('closes with 1009 and reports PAYLOAD_TOO_LARGE naming the limit', async () => {
    const { peer, connection, errors, other } = await setup({ maxPayload: 4321 });
    const disconnected = waitFor(connection, '_disconnected');
    peer.send({ n: 'echo', p: 'y'.repeat(5000), i: 'big' });
    expect((await closeOf(peer)).code).toBe(1009);
    await disconnected;
    expect(codes(errors)).toEqual([ErrorCode.PAYLOAD_TOO_LARGE]);
    expect(errors[0]!.message).toContain('4321');
    await otherStillWorks(other);
  });
});
