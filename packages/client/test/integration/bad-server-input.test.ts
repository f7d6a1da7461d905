import { ErrorCode, type VolleyError } from '@volley/client';
import { cleanup, connectClient, type ReceivedFrame, record, startRawServer, waitFor } from '@volley/test-utils';
import { afterEach, describe, expect, it } from 'vitest';

/* What the client does with frames a (raw, hand-driven) server should never send: reported, never a crash. */

afterEach(cleanup);

/** The error answer to request `id` carrying `code`. */
function errorAnswer(id: string, code: ErrorCode): ReceivedFrame {
  return { n: '_r', i: id, e: expect.objectContaining({ name: 'VolleyError', code, message: expect.any(String) }) };
}

describe('bad input from a raw server to a client', () => {
  it('the client reports it, answers what has a usable id, and stays connected', async () => {
    const { url, sockets } = await startRawServer({ answerPings: true });
    const client = await connectClient(url);
    const errors = record<VolleyError>(client, '_error');
    const { socket, frames } = sockets[0]!;
    socket.send('not json');
    socket.send(JSON.stringify({ p: 1, i: 'q1' }));
    socket.send(JSON.stringify({ n: '_nope', i: 'q2' }));
    socket.send(JSON.stringify({ n: '_r', i: 'unknown', p: 1 }));
    socket.send(JSON.stringify({ n: 'nobody', i: 'q3' }));
    socket.send(Buffer.from('{}'), { binary: true });
    // The client's answers come before the pong of its own ping, sent after these frames arrived.
    while (!frames.some((received) => received.i === 'q3')) await waitFor(socket, 'message');
    await client.ping();

    expect(errors.map((error) => error.code)).toEqual([ErrorCode.INVALID_JSON, ErrorCode.INVALID_FRAME, ErrorCode.INVALID_FRAME, ErrorCode.INVALID_FRAME]);
    const answers = frames.filter((received) => received.n === '_r');
    expect(answers).toEqual([errorAnswer('q1', ErrorCode.INVALID_FRAME), errorAnswer('q2', ErrorCode.INVALID_FRAME), errorAnswer('q3', ErrorCode.NO_HANDLER)]);
    expect(client.state).toBe('connected');
  });
});
