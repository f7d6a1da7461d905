import { ErrorCode, type Handshake, type ServerConnection, type VolleyError } from '@volley/server';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanup,
  connectClient,
  deferred,
  connectionOf,
  makeClient,
  RawPeer,
  record,
  rejectionOf,
  serveEcho,
  startServer,
  waitFor,
  waitForArgs,
} from '@volley/test-utils';

afterEach(cleanup);

describe('handshake resolved', () => {
  it('connect() resolves with the data the server resolved with, and the server sees the payload', async () => {
    const { server, url } = await startServer();
    const payloads: unknown[] = [];
    server.on('handshake', (_connection, handshake) => {
      payloads.push(handshake.payload);
      handshake.resolve({ welcome: 'ann', rooms: ['a'] });
    });
    const connected = waitFor<ServerConnection>(server, 'connection');
    const client = makeClient(url, { handshake: { payload: { token: 't1' } } });
    expect(await client.connect()).toEqual({ welcome: 'ann', rooms: ['a'] });
    expect(payloads).toEqual([{ token: 't1' }]);
    expect(client.state).toBe('connected');
    const connection = await connected;
    expect(connection.state).toBe('connected');
    expect(connection.id).toBe(client.id);
  });

  it('resolves on its own with no data when the server has no handshake listener', async () => {
    const { server, url } = await startServer();
    serveEcho(server);
    const client = makeClient(url, { handshake: { payload: 'ignored' } });
    expect(await client.connect()).toBeUndefined();
    expect(typeof client.id).toBe('string');
    expect(connectionOf(server, client).state).toBe('connected');
    expect(await client.send('echo', 1)).toBe(1);
  });

  it('may resolve later, asynchronously', async () => {
    const { server, url } = await startServer();
    server.on('handshake', (_connection, handshake) => {
      void Promise.resolve().then(() => handshake.resolve('later'));
    });
    expect(await connectClient(url).then((client) => client.state)).toBe('connected');
  });
});

describe('handshake rejected', () => {
  it('rejects connect() with HANDSHAKE_REJECTED, closes with 4203 and does not reconnect', async () => {
    const { server, url } = await startServer();
    const handshakes: Handshake[] = [];
    const serverClosed = deferred<number>();
    server.on('handshake', (connection, handshake) => {
      handshakes.push(handshake);
      connection.on('_disconnected', ({ code }) => serverClosed.resolve(code));
      handshake.reject(Object.assign(new Error('invalid token'), { code: 'E_TOKEN' }));
    });
    const client = makeClient(url, {
      handshake: { payload: { token: 'bad' } },
      reconnect: true,
      reconnectOptions: { initialDelay: 1, maxDelay: 5, jitter: 0 },
    });
    const connecting = record(client, '_connecting');
    const reconnecting = record(client, '_reconnecting');
    const disconnected = waitFor<{ code: number; willReconnect: boolean }>(client, '_disconnected');

    const error = await rejectionOf(client.connect());
    expect(error.code).toBe(ErrorCode.HANDSHAKE_REJECTED);
    expect(error.payload).toMatchObject({ message: 'invalid token', code: 'E_TOKEN' });

    const info = await disconnected;
    expect(info.code).toBe(4203);
    expect(info.willReconnect).toBe(false);
    // A reconnection is scheduled in the same turn as the close (state `reconnecting`, a
    // `_reconnecting` event): none was, so no attempt can follow.
    expect(reconnecting).toEqual([]);
    expect(connecting).toHaveLength(1);
    expect(handshakes).toHaveLength(1);
    expect(await serverClosed.promise).toBe(4203);
    expect(client.state).toBe('disconnected');
    expect(server.getConnections()).toEqual([]);
  });

  it('stops reconnecting when the handshake of a reconnection attempt is rejected', async () => {
    const { server, url } = await startServer();
    let handshakes = 0;
    server.on('handshake', (_connection, handshake) => {
      handshakes += 1;
      if (handshakes === 1) handshake.resolve('welcome');
      else handshake.reject(new Error('token expired'));
    });
    const client = makeClient(url, { reconnect: true, reconnectOptions: { initialDelay: 1, maxDelay: 5, jitter: 0 } });
    expect(await client.connect()).toBe('welcome');
    const reconnecting = record(client, '_reconnecting');
    const closes = record<{ code: number; willReconnect: boolean }>(client, '_disconnected');
    const errors = record<VolleyError>(client, '_error');
    const rejected = new Promise<void>((resolve) => {
      client.on('_disconnected', ({ code }) => {
        if (code === 4203) resolve();
      });
    });

    await connectionOf(server, client).close(4000, 'drop');
    await rejected;
    // A further attempt would have been scheduled in the same turn as this close: none was.
    expect(handshakes).toBe(2);
    expect(reconnecting).toHaveLength(1);
    expect(closes).toEqual([
      { code: 4000, reason: 'drop', willReconnect: true },
      { code: 4203, reason: expect.any(String), willReconnect: false },
    ]);
    expect(errors.map((e) => e.code)).toContain(ErrorCode.HANDSHAKE_REJECTED);
    expect(client.state).toBe('disconnected');
  });

  it('a throwing handshake listener rejects the handshake and reports a server error', async () => {
    const { server, url } = await startServer();
    server.on('handshake', () => {
      throw new Error('listener bug');
    });
    const serverErrors = record<VolleyError>(server, 'error');
    const error = await rejectionOf(makeClient(url).connect());
    expect(error.code).toBe(ErrorCode.HANDSHAKE_REJECTED);
    expect((error.payload as { message: string }).message).toBe('listener bug');
    expect(serverErrors.map((e) => e.code)).toEqual([ErrorCode.INTERNAL_ERROR]);
  });
});

describe('handshake timeout', () => {
  it('closes a socket that never sends _h with 4202', async () => {
    const { server, url } = await startServer({ handshakeTimeout: 100 });
    const peer = await RawPeer.open(url);
    const [connection] = server.getConnections();
    expect(connection?.state).toBe('awaiting-handshake');
    const serverSaw = waitFor<{ code: number }>(connection!, '_disconnected');
    expect((await peer.closed).code).toBe(4202);
    expect((await serverSaw).code).toBe(4202);
    expect(server.getConnections()).toEqual([]);
  });

  it('does not close a connection that completed its handshake in time', async () => {
    const { server, url } = await startServer({ handshakeTimeout: 100 });
    serveEcho(server);
    const client = await connectClient(url);
    const closed = record(client, '_disconnected');
    // Deadlines expire in the order they were set: once a socket opened after the client's is
    // closed for its timeout, the client's deadline, had it been kept, would have fired first.
    const late = await RawPeer.open(url);
    expect((await late.closed).code).toBe(4202);
    expect(closed).toEqual([]);
    expect(await client.send('echo', 'still here')).toBe('still here');
  });
});

describe('setId', () => {
  it('before resolving: the client gets the id and getConnectionById finds the connection', async () => {
    const { server, url } = await startServer();
    let randomId: string | undefined;
    server.on('handshake', (connection, handshake) => {
      randomId = connection.id;
      connection.setId('ann');
      handshake.resolve();
    });
    const client = await connectClient(url);
    expect(client.id).toBe('ann');
    const connection = server.getConnectionById('ann');
    expect(connection?.id).toBe('ann');
    expect(connection?.state).toBe('connected');
    expect(randomId).not.toBe('ann');
    expect(server.getConnectionById(randomId!)).toBeUndefined();
  });

  it('after the handshake throws HANDSHAKE_ENDED, both right after resolve() and once connected', async () => {
    const { server, url } = await startServer();
    const errors: unknown[] = [];
    server.on('handshake', (connection, handshake) => {
      handshake.resolve();
      try {
        connection.setId('too-late-1');
      } catch (error) {
        errors.push(error);
      }
    });
    const client = await connectClient(url);
    const connection = connectionOf(server, client);
    expect(() => connection.setId('too-late-2')).toThrow(expect.objectContaining({ code: ErrorCode.HANDSHAKE_ENDED }));
    expect(errors).toEqual([expect.objectContaining({ code: ErrorCode.HANDSHAKE_ENDED })]);
    expect(connection.id).toBe(client.id);
    expect(server.getConnectionById('too-late-1')).toBeUndefined();
  });

  it('throws ID_CONFLICT when another connection has the id', async () => {
    const { server, url } = await startServer();
    const outcomes: unknown[] = [];
    server.on('handshake', (connection, handshake) => {
      try {
        connection.setId('ann');
        outcomes.push('set');
      } catch (error) {
        outcomes.push((error as VolleyError).code);
      }
      handshake.resolve();
    });
    const first = await connectClient(url);
    const second = await connectClient(url);
    expect(outcomes).toEqual(['set', ErrorCode.ID_CONFLICT]);
    expect(first.id).toBe('ann');
    expect(second.id).not.toBe('ann');
    expect(server.getConnectionById('ann')).toBe(connectionOf(server, first));
  });
});

describe('gate', () => {
  it('answers application frames sent before the handshake with an error; handlers never see them', async () => {
    const { server, url } = await startServer();
    const peer = await RawPeer.open(url);
    const [connection] = server.getConnections();
    const handled: unknown[] = [];
    connection!.on('sum', (message) => {
      handled.push(message.payload);
      message.resolve(message.payload.a + message.payload.b);
    });
    const errors = record<VolleyError>(connection!, '_error');

    peer.send({ n: 'sum', p: { a: 1, b: 2 }, i: 'early' });
    peer.send({ n: 'sum', p: { a: 3, b: 4 } });
    const answers = await peer.barrier();
    expect(answers).toEqual([{ n: '_r', i: 'early', e: expect.objectContaining({ code: ErrorCode.HANDSHAKE_PENDING }) }]);
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.HANDSHAKE_PENDING, ErrorCode.HANDSHAKE_PENDING]);
    expect(handled).toEqual([]);

    // The same handler works once the handshake is done, so the refusal above was the gate.
    expect((await peer.handshake()).p).toEqual({ id: connection!.id });
    peer.send({ n: 'sum', p: { a: 5, b: 6 }, i: 'late' });
    expect(await peer.nextFrame((frame) => frame.i === 'late')).toEqual({ n: '_r', i: 'late', p: 11 });
    expect(handled).toEqual([{ a: 5, b: 6 }]);
  });

  it('answers a second _h after success with an error and stays connected', async () => {
    const { server, url } = await startServer();
    serveEcho(server);
    let handshakes = 0;
    server.on('handshake', (_connection, handshake) => {
      handshakes += 1;
      handshake.resolve('hi');
    });
    const peer = await RawPeer.connect(url, { payload: 'first' });
    const again = await peer.handshake('second', 'hs2');
    expect(again.e).toMatchObject({ code: ErrorCode.HANDSHAKE_ENDED });
    expect(again.p).toBeUndefined();
    expect(handshakes).toBe(1);
    peer.send({ n: 'echo', p: 'ok', i: 'e1' });
    expect(await peer.nextFrame((frame) => frame.i === 'e1')).toEqual({ n: '_r', i: 'e1', p: 'ok' });
  });

  it('answers a second _h sent while the first is still pending with an error', async () => {
    const { server, url } = await startServer();
    const pending: Handshake[] = [];
    server.on('handshake', (_connection, handshake) => void pending.push(handshake));
    const peer = await RawPeer.open(url);
    peer.send({ n: '_h', i: 'h1' });
    const again = await peer.handshake(undefined, 'h2');
    expect(again.e).toMatchObject({ code: ErrorCode.HANDSHAKE_ENDED });
    expect(pending).toHaveLength(1);
    pending[0]!.resolve('done');
    expect(await peer.nextFrame((frame) => frame.i === 'h1')).toMatchObject({ n: '_r', p: { payload: 'done' } });
  });
});

describe('server events', () => {
  it('emits handshake with the upgrade request, then connection', async () => {
    const { server, url } = await startServer();
    const handshakeSeen = waitForArgs<[ServerConnection, Handshake, { headers: Record<string, unknown> } | undefined]>(server, 'handshake');
    const connectionSeen = waitFor<ServerConnection>(server, 'connection');
    const client = makeClient(url);
    const connecting = client.connect();
    const [connection, handshake, request] = await handshakeSeen;
    expect(request?.headers.host).toBe(new URL(url).host);
    expect(connection.state).toBe('awaiting-handshake');
    handshake.resolve('ok');
    expect(await connecting).toBe('ok');
    expect(await connectionSeen).toBe(connection);
  });
});

describe('throwing server listeners never crash the server', () => {
  type HandshakeListener = (connection: ServerConnection, handshake: Handshake) => void;
  const handshakeModes: [string, HandshakeListener | undefined][] = [
    ['no handshake listener (the default resolve)', undefined],
    ['a handshake listener resolving at once', (_connection, handshake) => handshake.resolve()],
    ['a handshake listener resolving later', (_connection, handshake) => void Promise.resolve().then(() => handshake.resolve())],
  ];
  const cases = handshakeModes.flatMap(([mode, listener]) =>
    [true, false].flatMap((viaUpgrade) =>
      (['throws', 'rejects'] as const).map((failure) => [`${mode}, handshake ${viaUpgrade ? 'in the upgrade' : 'as a frame'}, a listener that ${failure}`, listener, viaUpgrade, failure] as const),
    ),
  );

  it.each(cases)('connection: %s', async (_label, handshakeListener, viaUpgrade, failure) => {
    const { server, url } = await startServer({}, (srv) => srv.handle('echo', (message) => message.resolve(message.payload)));
    if (handshakeListener !== undefined) server.on('handshake', handshakeListener);
    const errors = record<VolleyError>(server, 'error');
    server.on('connection', () => {
      if (failure === 'throws') throw new Error('listener bug');
      return Promise.reject(new Error('listener bug'));
    });
    const seen: string[] = [];
    server.on('connection', (connection) => seen.push(`on ${connection.id}`));
    server.once('connection', (connection) => seen.push(`once ${connection.id}`));
    const reported = waitFor(server, 'error');
    const first = await connectClient(url, { handshake: { viaUpgrade } });
    await reported;
    const second = await connectClient(url, { handshake: { viaUpgrade } });
    expect(errors.map((error) => error.message)).toEqual(['A "connection" listener failed: listener bug', 'A "connection" listener failed: listener bug'].slice(0, errors.length));
    expect(seen).toEqual([`on ${first.id}`, `once ${first.id}`, `on ${second.id}`]);
    expect(await first.send('echo', 'still served')).toBe('still served');
  });

  it('disconnected: a listener that throws is reported, and the listeners after it still run', async () => {
    const { server, url } = await startServer();
    const errors = record<VolleyError>(server, 'error');
    server.on('disconnected', () => {
      throw new Error('listener bug');
    });
    const gone = waitForArgs<[ServerConnection]>(server, 'disconnected');
    const client = await connectClient(url);
    const id = client.id;
    await client.disconnect();
    const [connection] = await gone;
    expect(connection.id).toBe(id);
    expect(errors.map((error) => error.message)).toEqual(['A "disconnected" listener failed: listener bug']);
    expect((await connectClient(url)).state).toBe('connected');
  });
});

describe('connection state', () => {
  it('awaiting-handshake while the listener decides, then connected, then disconnected, each change reported once', async () => {
    const changes: string[] = [];
    const states: string[] = [];
    const { server, url } = await startServer({}, (srv) =>
      srv.on('handshake', (connection, handshake) => {
        connection.on('_stateChange', ({ oldState, newState }) => changes.push(`${oldState} → ${newState}`));
        states.push(connection.state);
        handshake.resolve();
        states.push(connection.state);
      }),
    );
    const client = await connectClient(url);
    const connection = server.getConnectionById(client.id!)!;
    const gone = waitFor(connection, '_disconnected');
    await client.disconnect();
    await gone;
    expect(states).toEqual(['awaiting-handshake', 'connected']);
    expect(changes).toEqual(['awaiting-handshake → connected', 'connected → disconnected']);
    expect(connection.state).toBe('disconnected');
  });

  it('a rejected handshake goes from awaiting-handshake to disconnected, never connected', async () => {
    const changes: string[] = [];
    const gone = deferred();
    const { url } = await startServer({}, (srv) =>
      srv.on('handshake', (connection, handshake) => {
        connection.on('_stateChange', ({ oldState, newState }) => changes.push(`${oldState} → ${newState}`));
        connection.on('_disconnected', () => gone.resolve());
        handshake.reject(new Error('no'));
        // Answered: the id can no longer change, and the connection never counted as connected.
        expect(() => connection.setId('late')).toThrow(/before the handshake is resolved/);
        expect(connection.state).toBe('awaiting-handshake');
      }),
    );
    const error = await rejectionOf(makeClient(url).connect());
    expect(error.code).toBe(ErrorCode.HANDSHAKE_REJECTED);
    await gone.promise;
    expect(changes).toEqual(['awaiting-handshake → disconnected']);
  });
});
