import { CloseCode, ConnectionEvent, ErrorCode, type VolleyError } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, connectClient, RawPeer, record, serveEcho, startServer, waitFor } from '@volley/test-utils';

afterEach(cleanup);

describe('refusals count every refused frame', () => {
  it('closes with 4207 a peer that keeps sending malformed frames', async () => {
    const { url } = await startServer({ maxRefusals: 3, closeTimeout: 200 });
    const peer = await RawPeer.connect(url);
    peer.sendText('not json');
    peer.sendText('[1,2]');
    peer.send({ n: '_nope', i: 'x' });
    expect((await peer.closed).code).toBe(CloseCode.POLICY_VIOLATION);
  });

  it('closes with 4207 a peer that keeps sending application frames before its handshake', async () => {
    const { url } = await startServer({ maxRefusals: 3, closeTimeout: 200 }, serveEcho);
    const peer = await RawPeer.open(url);
    for (let i = 0; i < 3; i++) peer.send({ n: 'echo', p: i, i: `r${i}` });
    expect((await peer.closed).code).toBe(CloseCode.POLICY_VIOLATION);
    const refused = peer.received.filter((frame) => frame.n === '_r' && frame.e?.code === ErrorCode.HANDSHAKE_PENDING);
    expect(refused.length).toBeGreaterThanOrEqual(2);
  });
});

describe('closing', () => {
  it('hands no frame to handlers once a close has begun', async () => {
    const seen: unknown[] = [];
    const { server, url } = await startServer({}, (s) =>
      s.on('connection', (connection) => {
        connection.on('note', (message) => seen.push(message.payload));
      }),
    );
    const peer = await RawPeer.connect(url);
    const connection = server.getConnectionById(peer.id!)!;
    peer.send({ n: 'note', p: 'before' });
    await peer.barrier();
    const closing = connection.close(1000, 'bye', 200);
    // The server stops reading at once even though the close frame leaves 200 ms later.
    peer.send({ n: 'note', p: 'after' });
    await closing;
    expect(seen).toEqual(['before']);
  });
});

describe('close codes of dead peers', () => {
  it('reports the code the server sent (4201) when a frozen peer never echoes the close', async () => {
    const { server, url } = await startServer({ pingInterval: 50, responseTimeout: 100, closeTimeout: 100 });
    const peer = await RawPeer.connect(url, { autoPong: false });
    const connection = server.getConnectionById(peer.id!)!;
    const gone = waitFor<{ code: number }>(connection, ConnectionEvent.DISCONNECTED);
    // A frozen peer: it neither reads nor answers, so no close frame ever comes back.
    (peer.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    expect((await gone).code).toBe(CloseCode.PING_FAILED);
  });
});

describe('throwing lifecycle listeners', () => {
  it('reports a throwing _disconnected listener on _error and still completes the close', async () => {
    const { server, url } = await startServer();
    const client = await connectClient(url);
    const connection = server.getConnectionById(client.id!)!;
    const errors = record<VolleyError>(connection, ConnectionEvent.ERROR);
    connection.on(ConnectionEvent.DISCONNECTED, () => {
      throw new Error('listener bug');
    });
    const serverSeen = waitFor(server, 'disconnected');
    await connection.close();
    await serverSeen;
    expect(connection.state).toBe('disconnected');
    expect(errors.map((error) => error.message)).toEqual(['A "_disconnected" listener threw: listener bug']);
  });
});
