import type { Client } from '@volley/client';
import { ErrorCode, type ServerConnection, type ServerOptions, type VolleyError } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanup,
  connectClient,
  RawPeer,
  type ReceivedFrame,
  record,
  serveEcho,
  startServer,
  waitFor,
} from '@volley/test-utils';

afterEach(cleanup);

/**
 * A server with an `echo` handler, a raw peer past its handshake, and another, well-behaved
 * client on the same server.
 */
async function setup(options: Partial<ServerOptions> = {}): Promise<{
  peer: RawPeer;
  connection: ServerConnection;
  errors: VolleyError[];
  other: Client;
}> {
  const { server, url } = await startServer(options);
  serveEcho(server);
  const other = await connectClient(url);
  const peer = await RawPeer.connect(url);
  const connection = server.getConnectionById(peer.id!)!;
  expect(connection.state).toBe('connected');
  return { peer, connection, errors: record<VolleyError>(connection, '_error'), other };
}

/** The error answer to request `id` carrying `code`. */
function errorAnswer(id: string, code: ErrorCode): ReceivedFrame {
  return { n: '_r', i: id, e: expect.objectContaining({ name: 'VolleyError', code, message: expect.any(String) }) };
}

interface BadInput {
  /** What the peer sends. */
  name: string;
  send(peer: RawPeer): void;
  /** Codes the connection's `_error` event reports, in order. */
  errors: ErrorCode[];
  /** Frames the peer gets back (before a ping round trip that follows). */
  answer: ReceivedFrame[];
}

const frame = (value: unknown) => (peer: RawPeer) => peer.sendText(JSON.stringify(value));
const text = (value: string) => (peer: RawPeer) => peer.sendText(value);

const cases: BadInput[] = [
  { name: 'text that is not JSON', send: text('{"n":"echo",'), errors: [ErrorCode.INVALID_JSON], answer: [] },
  { name: 'a JSON number', send: text('42'), errors: [ErrorCode.INVALID_FRAME], answer: [] },
  { name: 'a JSON string', send: text('"echo"'), errors: [ErrorCode.INVALID_FRAME], answer: [] },
  { name: 'JSON null', send: text('null'), errors: [ErrorCode.INVALID_FRAME], answer: [] },
  { name: 'an array of frames', send: frame([{ n: 'echo', p: 1, i: 'a1' }]), errors: [ErrorCode.INVALID_FRAME], answer: [] },
  {
    name: 'a frame without n, with i',
    send: frame({ p: 1, i: 'm1' }),
    errors: [ErrorCode.INVALID_FRAME],
    answer: [errorAnswer('m1', ErrorCode.INVALID_FRAME)],
  },
  { name: 'a frame without n or i', send: frame({ p: 1 }), errors: [ErrorCode.INVALID_FRAME], answer: [] },
  {
    name: 'n that is not a string',
    send: frame({ n: 5, p: 1, i: 'm2' }),
    errors: [ErrorCode.INVALID_FRAME],
    answer: [errorAnswer('m2', ErrorCode.INVALID_FRAME)],
  },
  {
    name: 'an empty n',
    send: frame({ n: '', i: 'm3' }),
    errors: [ErrorCode.INVALID_FRAME],
    answer: [errorAnswer('m3', ErrorCode.INVALID_FRAME)],
  },
  // An id that is not usable cannot be answered.
  { name: 'i of 65 characters', send: frame({ n: 'echo', p: 1, i: 'x'.repeat(65) }), errors: [ErrorCode.INVALID_FRAME], answer: [] },
  { name: 'i that is a number', send: frame({ n: 'echo', p: 1, i: 7 }), errors: [ErrorCode.INVALID_FRAME], answer: [] },
  { name: 'an empty i', send: frame({ n: 'echo', p: 1, i: '' }), errors: [ErrorCode.INVALID_FRAME], answer: [] },
  {
    name: 'i of exactly 64 characters (valid)',
    send: frame({ n: 'echo', p: 1, i: 'y'.repeat(64) }),
    errors: [],
    answer: [{ n: '_r', i: 'y'.repeat(64), p: 1 }],
  },
  {
    name: 'e of the wrong type on a request',
    send: frame({ n: 'echo', p: 1, i: 'm4', e: [1] }),
    errors: [ErrorCode.INVALID_FRAME],
    answer: [errorAnswer('m4', ErrorCode.INVALID_FRAME)],
  },
  // A response is never answered, or two peers could bounce errors forever.
  { name: 'e of the wrong type on a response', send: frame({ n: '_r', i: 'm5', e: 5 }), errors: [ErrorCode.INVALID_FRAME], answer: [] },
  {
    name: 'an unknown reserved name with i',
    send: frame({ n: '_resume', p: 1, i: 'm6' }),
    errors: [ErrorCode.INVALID_FRAME],
    answer: [{ n: '_r', i: 'm6', e: expect.objectContaining({ code: ErrorCode.INVALID_FRAME, message: expect.stringContaining('_resume') }) }],
  },
  { name: 'an unknown reserved name without i', send: frame({ n: '_resume', p: 1 }), errors: [ErrorCode.INVALID_FRAME], answer: [] },
  { name: 'a response to an unknown id', send: frame({ n: '_r', i: 'never-sent', p: 1 }), errors: [], answer: [] },
  { name: 'an error response to an unknown id', send: frame({ n: '_r', i: 'never-sent', e: { name: 'Error', message: 'x' } }), errors: [], answer: [] },
  { name: 'a response without i', send: frame({ n: '_r', p: 1 }), errors: [], answer: [] },
  {
    name: 'a request nobody handles',
    send: frame({ n: 'nobody', p: 1, i: 'm7' }),
    errors: [],
    answer: [errorAnswer('m7', ErrorCode.NO_HANDLER)],
  },
  { name: 'a fire-and-forget message nobody handles', send: frame({ n: 'nobody', p: 1 }), errors: [], answer: [] },
  {
    name: 'a binary frame',
    send: (peer) => peer.socket.send(Buffer.from(JSON.stringify({ n: 'echo', p: 1, i: 'b1' })), { binary: true }),
    errors: [ErrorCode.INVALID_FRAME],
    answer: [],
  },
  {
    name: 'unknown extra keys (valid: ignored)',
    send: frame({ n: 'echo', p: 2, i: 'x1', z: true }),
    errors: [],
    answer: [{ n: '_r', i: 'x1', p: 2 }],
  },
];

describe('bad input from a raw peer after its handshake', () => {
  it.each(cases)('$name', async ({ send, errors: expectedErrors, answer }) => {
    const { peer, connection, errors, other } = await setup();
    send(peer);
    // The ping round trip proves what came back for the frame, and that nothing else did.
    expect(await peer.barrier()).toEqual(answer);
    expect(errors.map((error) => error.code)).toEqual(expectedErrors);

    // The connection survives, and so does everyone else.
    expect(connection.state).toBe('connected');
    peer.send({ n: 'echo', p: 'again', i: 'after' });
    expect(await peer.nextFrame((received) => received.i === 'after')).toEqual({ n: '_r', i: 'after', p: 'again' });
    expect(await other.send('echo', 'alive')).toBe('alive');
  });

  it('a frame over maxPayload closes that socket with 1009 and reports PAYLOAD_TOO_LARGE', async () => {
    const { peer, connection, errors, other } = await setup({ maxPayload: 1024 });
    // Just under the limit is fine.
    peer.send({ n: 'echo', p: 'a'.repeat(900), i: 'fits' });
    expect(await peer.nextFrame((received) => received.i === 'fits')).toEqual({ n: '_r', i: 'fits', p: 'a'.repeat(900) });

    const serverSaw = waitFor<{ code: number }>(connection, '_disconnected');
    peer.send({ n: 'echo', p: 'b'.repeat(2000), i: 'big' });
    expect((await peer.closed).code).toBe(1009);
    expect((await serverSaw).code).toBe(1009);
    expect(errors.map((error) => error.code)).toEqual([ErrorCode.PAYLOAD_TOO_LARGE]);
    expect(peer.received.some((received) => received.i === 'big')).toBe(false);
    expect(connection.state).toBe('disconnected');
    expect(await other.send('echo', 'alive')).toBe('alive');
  });

  it('a burst of every bad frame at once leaves the server and other clients working', async () => {
    const { peer, errors, other } = await setup();
    for (const { send } of cases) send(peer);
    const answers = await peer.barrier();
    expect(answers).toEqual(cases.flatMap((c) => c.answer));
    expect(errors.map((error) => error.code)).toEqual(cases.flatMap((c) => c.errors));
    expect(await other.send('echo', 'alive')).toBe('alive');
  });
});

