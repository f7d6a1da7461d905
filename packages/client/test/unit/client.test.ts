import {
  Client,
  ClientEvent,
  type ClientOptions,
  type ClientState,
  CloseCode,
  ErrorCode,
  type IncomingMessage,
  VolleyError,
} from '@volley/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from './fake-web-socket.js';

const URL = 'ws://volley.test/socket';

/** Every lifecycle event a client emitted, in order, with its argument. */
type EventLog = [name: string, arg: unknown][];

function record(client: Client): EventLog {
  const log: EventLog = [];
  client.on(ClientEvent.CONNECTING, () => log.push([ClientEvent.CONNECTING, undefined]));
  client.on(ClientEvent.CONNECTED, (payload) => log.push([ClientEvent.CONNECTED, payload]));
  client.on(ClientEvent.DISCONNECTED, (info) => log.push([ClientEvent.DISCONNECTED, info]));
  client.on(ClientEvent.RECONNECTING, (info) => log.push([ClientEvent.RECONNECTING, info]));
  client.on(ClientEvent.ERROR, (error) => log.push([ClientEvent.ERROR, error]));
  client.on(ClientEvent.STATE_CHANGE, (change) => log.push([ClientEvent.STATE_CHANGE, change]));
  return log;
}

function named(log: EventLog, name: string): unknown[] {
  return log.filter(([event]) => event === name).map(([, arg]) => arg);
}

function errorCodes(log: EventLog): string[] {
  return named(log, ClientEvent.ERROR).map((error) => (error as VolleyError).code);
}

/** Resolves with the error `promise` rejects with; fails the test if it resolves. Attaches at once, so no unhandled rejection. */
function rejection(promise: Promise<unknown>): Promise<VolleyError> {
  return promise.then(
    (value) => {
      throw new Error(`Expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error as VolleyError,
  );
}

/** Watches a promise without awaiting it, to assert that it is still pending. */
function watch(promise: Promise<unknown>): { settled: boolean } {
  const state = { settled: false };
  const done = (): void => {
    state.settled = true;
  };
  promise.then(done, done);
  return state;
}

/** Lets promise callbacks run (no timers advance). */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function newClient(options: ClientOptions = {}): { client: Client; log: EventLog } {
  const client = new Client(URL, { WebSocket: FakeWebSocket, ...options });
  return { client, log: record(client) };
}

/** A client whose handshake succeeded on a fake socket. */
async function connectedClient(
  options: ClientOptions = {},
  welcome: unknown = { hello: 'ann' },
): Promise<{ client: Client; socket: FakeWebSocket; log: EventLog }> {
  const { client, log } = newClient(options);
  const connecting = client.connect();
  const socket = FakeWebSocket.last();
  socket.open();
  socket.acceptHandshake(welcome);
  await connecting;
  return { client, socket, log };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('options', () => {
  it.each([
    ['http://volley.test'],
    ['volley.test:8080'],
    [''],
    [42 as unknown as string],
  ])('rejects the URL %o with a TypeError', (url) => {
    expect(() => new Client(url, { WebSocket: FakeWebSocket })).toThrow(TypeError);
  });

  it('accepts ws:// and wss:// URLs in any case', () => {
    expect(new Client('ws://a', { WebSocket: FakeWebSocket }).url).toBe('ws://a');
    expect(new Client('WSS://a', { WebSocket: FakeWebSocket }).url).toBe('WSS://a');
  });

  it.each<[string, ClientOptions]>([
    ['handshake.timeout', { handshake: { timeout: -1 } }],
    ['responseTimeout', { responseTimeout: -5 }],
    ['pingInterval', { pingInterval: -1 }],
    ['responseTimeout', { responseTimeout: Number.NaN }],
    ['pingInterval', { pingInterval: Infinity }],
    ['closeTimeout', { closeTimeout: -1 }],
    ['closeTimeout', { closeTimeout: 2 ** 31 }],
    ['maxPayload', { maxPayload: 0 }],
    ['maxPayload', { maxPayload: 1.5 }],
    ['initialDelay', { reconnectOptions: { initialDelay: -1 } }],
    ['jitter', { reconnectOptions: { jitter: 2 } }],
  ])('throws a TypeError naming %s', (name, options) => {
    expect(() => new Client(URL, { WebSocket: FakeWebSocket, ...options })).toThrow(TypeError);
    expect(() => new Client(URL, { WebSocket: FakeWebSocket, ...options })).toThrow(name);
  });

  it('accepts 0 for the timeouts and the ping interval (meaning "none")', () => {
    expect(() => new Client(URL, { WebSocket: FakeWebSocket, handshake: { timeout: 0 }, responseTimeout: 0, pingInterval: 0 })).not.toThrow();
  });

  it('throws a TypeError when no WebSocket class is given and the platform has none', () => {
    vi.stubGlobal('WebSocket', undefined);
    expect(() => new Client(URL)).toThrow(TypeError);
    expect(() => new Client(URL)).toThrow(/WebSocket/);
  });

  it('uses globalThis.WebSocket when no class is given (the browser case)', () => {
    vi.stubGlobal('WebSocket', FakeWebSocket);
    const client = new Client(URL, { protocols: ['volley.1'] });
    const connecting = rejection(client.connect());
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(FakeWebSocket.last().url).toBe(URL);
    expect(FakeWebSocket.last().protocols).toEqual(['volley.1']);
    FakeWebSocket.last().finishClose(1006);
    return connecting;
  });
});

describe('connect()', () => {
  it('sends _h with the handshake payload, resolves with the server data and takes the connection id', async () => {
    const { client, log } = newClient({ handshake: { payload: { token: 't1' } } });
    expect(client.state).toBe('disconnected');
    const connecting = client.connect();
    expect(client.state).toBe('connecting');
    const socket = FakeWebSocket.last();
    expect(socket.url).toBe(URL);
    expect(socket.rawSent).toEqual([]); // nothing before the socket opens
    socket.open();
    const handshake = socket.handshakeRequest();
    expect(socket.sent).toEqual([{ n: '_h', p: { token: 't1' }, i: handshake.i }]);
    expect(typeof handshake.i).toBe('string');
    socket.receive({ n: '_r', i: handshake.i, p: { payload: { user: 'ann' }, id: 'ann' } });
    await expect(connecting).resolves.toEqual({ user: 'ann' });
    expect(client.id).toBe('ann');
    expect(client.state).toBe('connected');
    expect(named(log, ClientEvent.CONNECTING)).toHaveLength(1);
    expect(named(log, ClientEvent.CONNECTED)).toEqual([{ user: 'ann' }]);
  });

  it('omits p from _h when there is no handshake payload', () => {
    const { client } = newClient();
    const connecting = rejection(client.connect());
    const socket = FakeWebSocket.last();
    socket.open();
    expect(Object.keys(socket.handshakeRequest())).toEqual(['n', 'i']);
    socket.finishClose(1006);
    return connecting;
  });

  it('returns the same promise while connecting and the cached data once connected', async () => {
    const { client } = newClient();
    const first = client.connect();
    expect(client.connect()).toBe(first);
    const socket = FakeWebSocket.last();
    socket.open();
    socket.acceptHandshake('hi');
    expect(await first).toBe('hi');
    expect(await client.connect()).toBe('hi');
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(socket.sentNamed('_h')).toHaveLength(1);
  });

  it('rejects HANDSHAKE_REJECTED with the server reason and never reconnects', async () => {
    const { client, log } = newClient();
    const failure = rejection(client.connect());
    const socket = FakeWebSocket.last();
    socket.open();
    const reason = { name: 'Error', message: 'invalid token', code: 'AUTH' };
    socket.receive({ n: '_r', i: socket.handshakeRequest().i, e: reason });
    const error = await failure;
    expect(error).toBeInstanceOf(VolleyError);
    expect(error.code).toBe(ErrorCode.HANDSHAKE_REJECTED);
    expect(error.payload).toEqual(reason);
    expect(error.message).toContain('invalid token');
    // The server closes a rejected socket itself; the client must not close it first.
    expect(socket.closeCalls).toEqual([]);
    socket.finishClose(CloseCode.HANDSHAKE_REJECTED, 'Handshake rejected');
    expect(named(log, ClientEvent.DISCONNECTED)).toEqual([{ code: 4203, reason: 'Handshake rejected', willReconnect: false }]);
    expect(client.state).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(named(log, ClientEvent.RECONNECTING)).toEqual([]);
  });

  it('takes a plain-string rejection reason too (line-socket servers may send one)', async () => {
    const { client } = newClient();
    const failure = rejection(client.connect());
    const socket = FakeWebSocket.last();
    socket.open();
    socket.receive({ n: '_r', i: socket.handshakeRequest().i, e: 'banned' });
    const error = await failure;
    expect(error.code).toBe(ErrorCode.HANDSHAKE_REJECTED);
    expect(error.payload).toBe('banned');
  });

  it('fails with HANDSHAKE_ERROR and closes 4202 when the answer does not come in time', async () => {
    const { client } = newClient({ handshake: { timeout: 5000 } });
    const failure = rejection(client.connect());
    const socket = FakeWebSocket.last();
    socket.open();
    await vi.advanceTimersByTimeAsync(4999);
    expect(socket.closeCalls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    const error = await failure;
    expect(error.code).toBe(ErrorCode.HANDSHAKE_ERROR);
    expect(socket.closeCalls).toEqual([{ code: CloseCode.HANDSHAKE_FAILED, reason: 'Handshake failed' }]);
    expect(client.state).toBe('connecting');
    socket.finishClientClose();
    expect(client.state).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('waits 30 s for the handshake answer by default', async () => {
    const { client } = newClient();
    const connecting = client.connect();
    const state = watch(connecting);
    const failure = rejection(connecting);
    FakeWebSocket.last().open();
    await vi.advanceTimersByTimeAsync(29_999);
    expect(state.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await failure).code).toBe(ErrorCode.HANDSHAKE_ERROR);
  });

  it('fails with HANDSHAKE_ERROR and aborts the socket when it does not open within the timeout', async () => {
    const { client } = newClient({ handshake: { timeout: 5000 } });
    const failure = rejection(client.connect());
    const socket = FakeWebSocket.last();
    await vi.advanceTimersByTimeAsync(4999);
    expect(socket.closeCalls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect((await failure).code).toBe(ErrorCode.HANDSHAKE_ERROR);
    expect(socket.closeCalls).toEqual([{ code: undefined, reason: undefined }]);
    socket.finishClose(1006);
    expect(client.state).toBe('disconnected');
  });

  it('bounds opening and handshake together by the timeout', async () => {
    const { client } = newClient({ handshake: { timeout: 5000 } });
    const connecting = client.connect();
    const state = watch(connecting);
    const failure = rejection(connecting);
    await vi.advanceTimersByTimeAsync(3000);
    FakeWebSocket.last().open();
    await vi.advanceTimersByTimeAsync(1999);
    expect(state.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await failure).code).toBe(ErrorCode.HANDSHAKE_ERROR);
  });

  it.each([
    ['a string', 'hello'],
    ['null', null],
    ['no id', { payload: 1 }],
    ['a numeric id', { payload: 1, id: 5 }],
    ['no payload at all', undefined],
  ])('fails with HANDSHAKE_ERROR and closes 4202 on a malformed answer (%s)', async (_, answer) => {
    const { client, log } = newClient();
    const failure = rejection(client.connect());
    const socket = FakeWebSocket.last();
    socket.open();
    socket.receive({ n: '_r', i: socket.handshakeRequest().i, ...(answer === undefined ? {} : { p: answer }) });
    const error = await failure;
    expect(error.code).toBe(ErrorCode.HANDSHAKE_ERROR);
    expect(socket.closeCalls).toEqual([{ code: CloseCode.HANDSHAKE_FAILED, reason: 'Handshake failed' }]);
    expect(client.state).toBe('connecting');
    expect(client.id).toBeUndefined();
    expect(named(log, ClientEvent.CONNECTED)).toEqual([]);
    socket.finishClientClose();
    expect(client.state).toBe('disconnected');
  });

  it('fails with HANDSHAKE_ERROR when the socket closes before the answer, without reconnecting', async () => {
    const { client, log } = newClient();
    const failure = rejection(client.connect());
    FakeWebSocket.last().finishClose(1006); // e.g. nothing listens on the port
    const error = await failure;
    expect(error.code).toBe(ErrorCode.HANDSHAKE_ERROR);
    expect(error.message).toContain('1006');
    expect(client.state).toBe('disconnected');
    expect(named(log, ClientEvent.DISCONNECTED)).toEqual([{ code: 1006, reason: '', willReconnect: false }]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('fails with HANDSHAKE_ERROR and returns to disconnected when the WebSocket constructor throws', async () => {
    class Throwing extends FakeWebSocket {
      constructor(url: string) {
        super(url);
        throw new SyntaxError('bad URL');
      }
    }
    const client = new Client(URL, { WebSocket: Throwing });
    const error = await rejection(client.connect());
    expect(error.code).toBe(ErrorCode.HANDSHAKE_ERROR);
    expect(error.message).toContain('bad URL');
    expect(client.state).toBe('disconnected');
  });

  it('schedules the next attempt when the WebSocket constructor throws during a reconnection', async () => {
    let failNext = false;
    class Flaky extends FakeWebSocket {
      constructor(url: string) {
        super(url);
        if (failNext) {
          failNext = false;
          throw new Error('offline');
        }
      }
    }
    const { client, log } = newClient({ WebSocket: Flaky, reconnectOptions: { jitter: 0 } });
    const connecting = client.connect();
    FakeWebSocket.last().open();
    FakeWebSocket.last().acceptHandshake(null);
    await connecting;
    failNext = true;
    FakeWebSocket.last().finishClose(1006);
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(client.state).toBe('reconnecting');
    expect(named(log, ClientEvent.RECONNECTING)).toEqual([
      { attempt: 1, delay: 1000 },
      { attempt: 2, delay: 1500 },
    ]);
    await vi.advanceTimersByTimeAsync(1500);
    FakeWebSocket.last().open();
    FakeWebSocket.last().acceptHandshake('back');
    await flush();
    expect(client.state).toBe('connected');
  });

  it('dispatches a request that arrives in the same read right after the handshake answer', async () => {
    const { client, log } = newClient();
    const confirms: IncomingMessage[] = [];
    client.on('confirm', (message) => {
      confirms.push(message);
      message.resolve(true);
    });
    const connecting = client.connect();
    const socket = FakeWebSocket.last();
    socket.open();
    // Two frames delivered back to back, with no chance for promise callbacks in between.
    socket.acceptHandshake({ ok: 1 }, 'ann');
    socket.receive({ n: 'confirm', p: { q: 'sure?' }, i: 's1' });
    expect(confirms.map((m) => m.payload)).toEqual([{ q: 'sure?' }]);
    expect(socket.lastSent()).toEqual({ n: '_r', i: 's1', p: true });
    expect(errorCodes(log)).toEqual([]);
    await expect(connecting).resolves.toEqual({ ok: 1 });
  });

  it('keeps a successful handshake when a _connected listener throws, reporting the error', async () => {
    const { client, log } = newClient({ reconnectOptions: { jitter: 0, maxAttempts: 2 } });
    client.on(ClientEvent.CONNECTED, () => {
      throw new Error('listener bug');
    });
    const connecting = client.connect();
    const socket = FakeWebSocket.last();
    socket.open();
    socket.acceptHandshake('welcome');
    expect(await connecting).toBe('welcome');
    expect(client.state).toBe('connected');
    expect(socket.closeCalls).toEqual([]);
    const errors = named(log, ClientEvent.ERROR) as VolleyError[];
    expect(errors.map((error) => error.message)).toEqual(['A "_connected" listener threw: listener bug']);
  });

  it('refuses an application request that arrives before the handshake answer', async () => {
    const { client, log } = newClient();
    const handler = vi.fn();
    client.on('confirm', handler);
    const connecting = client.connect();
    const socket = FakeWebSocket.last();
    socket.open();
    socket.receive({ n: 'confirm', p: { q: 'too early' }, i: 's1' });
    expect(handler).not.toHaveBeenCalled();
    const answer = socket.lastSent();
    expect(answer).toMatchObject({ n: '_r', i: 's1', e: { name: 'VolleyError', code: ErrorCode.HANDSHAKE_PENDING } });
    expect(errorCodes(log)).toEqual([ErrorCode.HANDSHAKE_PENDING]);
    socket.acceptHandshake(null);
    await connecting;
  });
});

describe('reconnection', () => {
  it('after a drop: _disconnected, _reconnecting with the backoff delay, a new socket, the same handshake', async () => {
    const { client, socket, log } = await connectedClient({ handshake: { payload: { token: 't1' } }, reconnectOptions: { jitter: 0 } });
    log.length = 0;
    socket.finishClose(1006, '');
    expect(log.slice(0, 3)).toEqual([
      [ClientEvent.DISCONNECTED, { code: 1006, reason: '', willReconnect: true }],
      [ClientEvent.STATE_CHANGE, { oldState: 'connected', newState: 'reconnecting' }],
      [ClientEvent.RECONNECTING, { attempt: 1, delay: 1000 }],
    ]);
    expect(client.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeWebSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(client.state).toBe('connecting');
    const second = FakeWebSocket.last();
    expect(second).not.toBe(socket);
    expect(second.url).toBe(URL);
    second.open();
    expect(second.sent).toEqual([{ n: '_h', p: { token: 't1' }, i: second.handshakeRequest().i }]);
    second.acceptHandshake({ hello: 'again' }, 'ann-2');
    await flush();
    expect(client.state).toBe('connected');
    expect(client.id).toBe('ann-2');
    expect(named(log, ClientEvent.CONNECTED)).toEqual([{ hello: 'again' }]);
  });

  it('grows the delay ×1.5 per failed attempt and starts over after a success', async () => {
    const { socket, log } = await connectedClient({ reconnectOptions: { jitter: 0 } });
    socket.finishClose(1006);
    for (const delay of [1000, 1500, 2250]) {
      await vi.advanceTimersByTimeAsync(delay);
      FakeWebSocket.last().finishClose(1006); // the server is still down
    }
    expect(named(log, ClientEvent.RECONNECTING)).toEqual([
      { attempt: 1, delay: 1000 },
      { attempt: 2, delay: 1500 },
      { attempt: 3, delay: 2250 },
      { attempt: 4, delay: 3375 },
    ]);
    await vi.advanceTimersByTimeAsync(3375);
    const back = FakeWebSocket.last();
    back.open();
    back.acceptHandshake('back');
    await flush();
    back.finishClose(1006);
    expect(named(log, ClientEvent.RECONNECTING).at(-1)).toEqual({ attempt: 1, delay: 1000 });
    expect(FakeWebSocket.instances).toHaveLength(5);
  });

  it('applies jitter with the default options', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const { socket, log } = await connectedClient();
    socket.finishClose(1006);
    // 1000 × (1 − 0.5 × 0.5)
    expect(named(log, ClientEvent.RECONNECTING)).toEqual([{ attempt: 1, delay: 750 }]);
    await vi.advanceTimersByTimeAsync(749);
    expect(FakeWebSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('retries after a handshake timeout during a reconnection attempt', async () => {
    const { socket, log } = await connectedClient({ handshake: { timeout: 2000 }, reconnectOptions: { jitter: 0 } });
    socket.finishClose(1006);
    await vi.advanceTimersByTimeAsync(1000);
    const second = FakeWebSocket.last();
    second.open();
    await vi.advanceTimersByTimeAsync(2000);
    expect(second.closeCalls).toEqual([{ code: CloseCode.HANDSHAKE_FAILED, reason: 'Handshake failed' }]);
    second.finishClientClose();
    expect(named(log, ClientEvent.RECONNECTING)).toEqual([
      { attempt: 1, delay: 1000 },
      { attempt: 2, delay: 1500 },
    ]);
  });

  it('stops for good when the server rejects the handshake of a reconnection attempt', async () => {
    const { client, socket, log } = await connectedClient({ reconnectOptions: { jitter: 0 } });
    socket.finishClose(1006);
    await vi.advanceTimersByTimeAsync(1000);
    const second = FakeWebSocket.last();
    second.open();
    second.receive({ n: '_r', i: second.handshakeRequest().i, e: { name: 'Error', message: 'token expired' } });
    await flush();
    const rejected = named(log, ClientEvent.ERROR) as VolleyError[];
    expect(rejected.map((e) => e.code)).toEqual([ErrorCode.HANDSHAKE_REJECTED]);
    expect(rejected[0]!.payload).toEqual({ name: 'Error', message: 'token expired' });
    second.finishClose(CloseCode.HANDSHAKE_REJECTED, 'Handshake rejected');
    expect(named(log, ClientEvent.DISCONNECTED).at(-1)).toEqual({ code: 4203, reason: 'Handshake rejected', willReconnect: false });
    expect(client.state).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('gives up after maxAttempts failed attempts', async () => {
    const { client, socket, log } = await connectedClient({ reconnectOptions: { jitter: 0, maxAttempts: 2 } });
    socket.finishClose(1006);
    await vi.advanceTimersByTimeAsync(1000);
    FakeWebSocket.last().finishClose(1006);
    await vi.advanceTimersByTimeAsync(1500);
    FakeWebSocket.last().finishClose(1006);
    expect(named(log, ClientEvent.RECONNECTING)).toEqual([
      { attempt: 1, delay: 1000 },
      { attempt: 2, delay: 1500 },
    ]);
    expect(named(log, ClientEvent.DISCONNECTED).map((info) => (info as { willReconnect: boolean }).willReconnect)).toEqual([true, true, false]);
    expect(client.state).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(3);
  });

  it('does not reconnect when reconnect is false', async () => {
    const { client, socket, log } = await connectedClient({ reconnect: false });
    socket.finishClose(1006);
    expect(named(log, ClientEvent.DISCONNECTED)).toEqual([{ code: 1006, reason: '', willReconnect: false }]);
    expect(client.state).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('connect() during the backoff wait connects at once and cancels the scheduled attempt', async () => {
    // No pings: the fake server never answers them, and a failed ping would end the connection.
    const { client, socket } = await connectedClient({ pingInterval: 0, reconnectOptions: { jitter: 0 } });
    socket.finishClose(1006);
    const connecting = client.connect();
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last().open();
    FakeWebSocket.last().acceptHandshake('now');
    expect(await connecting).toBe('now');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('keeps message handlers across reconnections', async () => {
    const { client, socket } = await connectedClient({ reconnectOptions: { jitter: 0 } });
    const seen: unknown[] = [];
    client.on('news', (message) => seen.push(message.payload));
    socket.receive({ n: 'news', p: 'one' });
    socket.finishClose(1006);
    await vi.advanceTimersByTimeAsync(1000);
    const second = FakeWebSocket.last();
    second.open();
    second.acceptHandshake(null);
    second.receive({ n: 'news', p: 'two' });
    expect(seen).toEqual(['one', 'two']);
  });
});

describe('requests', () => {
  it('sends a request and resolves with the answer', async () => {
    const { client, socket } = await connectedClient();
    const three = client.send('sum', { a: 1, b: 2 });
    const frame = socket.lastSent();
    expect(frame).toEqual({ n: 'sum', p: { a: 1, b: 2 }, i: frame.i });
    expect(client.pendingRequests).toBe(1);
    socket.receive({ n: '_r', i: frame.i, p: 3 });
    expect(await three).toBe(3);
    expect(client.pendingRequests).toBe(0);
  });

  it('rejects MESSAGE_REJECTED with the server error, and MESSAGE_TIMEOUT after responseTimeout', async () => {
    const { client, socket } = await connectedClient({ responseTimeout: 500 });
    const rejected = rejection(client.send('sum', { a: 1, b: 2 }));
    socket.receive({ n: '_r', i: socket.lastSent().i, e: { name: 'Error', message: 'no' } });
    expect(await rejected).toMatchObject({ code: ErrorCode.MESSAGE_REJECTED, payload: { name: 'Error', message: 'no' } });
    const timedOut = rejection(client.send('sum', { a: 1, b: 2 }));
    await vi.advanceTimersByTimeAsync(500);
    expect((await timedOut).code).toBe(ErrorCode.MESSAGE_TIMEOUT);
  });

  it('sends fire-and-forget messages without an id', async () => {
    const { client, socket } = await connectedClient();
    await client.sendWithoutResponse('hello', 'world');
    expect(socket.lastSent()).toEqual({ n: 'hello', p: 'world' });
  });

  it('rejects every pending request with DISCONNECTED when the socket drops', async () => {
    const { client, socket } = await connectedClient();
    const first = rejection(client.send('slow', 1));
    const second = rejection(client.send('slow', 2, 0)); // 0: no timeout, only the drop ends it
    expect(client.pendingRequests).toBe(2);
    socket.finishClose(1006);
    expect((await first).code).toBe(ErrorCode.DISCONNECTED);
    expect((await second).code).toBe(ErrorCode.DISCONNECTED);
    expect(client.pendingRequests).toBe(0);
  });

  it('rejects DISCONNECTED when not connected: before connect(), during the backoff wait, after disconnect()', async () => {
    const { client } = newClient({ reconnectOptions: { jitter: 0 } });
    expect((await rejection(client.send('sum', 1))).code).toBe(ErrorCode.DISCONNECTED);
    expect((await rejection(client.sendWithoutResponse('sum', 1))).code).toBe(ErrorCode.DISCONNECTED);
    expect((await rejection(client.ping())).code).toBe(ErrorCode.DISCONNECTED);

    const connecting = client.connect();
    const socket = FakeWebSocket.last();
    socket.open();
    // Connecting but not yet handshaken.
    expect((await rejection(client.send('sum', 1))).code).toBe(ErrorCode.DISCONNECTED);
    socket.acceptHandshake(null);
    await connecting;

    socket.finishClose(1006);
    expect(client.state).toBe('reconnecting');
    expect((await rejection(client.send('sum', 1))).code).toBe(ErrorCode.DISCONNECTED);

    await client.disconnect();
    expect((await rejection(client.send('sum', 1))).code).toBe(ErrorCode.DISCONNECTED);
    expect(socket.sentNamed('sum')).toEqual([]);
  });

  it('rejects reserved and empty names with INVALID_NAME', async () => {
    const { client } = await connectedClient();
    expect((await rejection(client.send('_h', 1))).code).toBe(ErrorCode.INVALID_NAME);
    expect((await rejection(client.send('', 1))).code).toBe(ErrorCode.INVALID_NAME);
  });

  it('answers NO_HANDLER for a server request nobody handles, and rejects one whose handler throws', async () => {
    const { client, socket, log } = await connectedClient();
    socket.receive({ n: 'unknown', i: 'x1' });
    expect(socket.lastSent()).toMatchObject({ n: '_r', i: 'x1', e: { code: ErrorCode.NO_HANDLER } });
    client.on('explode', () => {
      throw new Error('boom');
    });
    socket.receive({ n: 'explode', i: 'x2' });
    expect(socket.lastSent()).toMatchObject({ n: '_r', i: 'x2', e: { name: 'Error', message: 'boom' } });
    expect(errorCodes(log)).toEqual([ErrorCode.INTERNAL_ERROR]);
  });

  it('reports an invalid inbound frame and keeps working', async () => {
    const { client, socket, log } = await connectedClient();
    socket.receive('{not json');
    socket.receive({ n: 5 });
    socket.receiveBinary(new Uint8Array([1, 2]));
    expect(errorCodes(log)).toEqual([ErrorCode.INVALID_JSON, ErrorCode.INVALID_FRAME, ErrorCode.INVALID_FRAME]);
    const three = client.send('sum', { a: 1, b: 2 });
    socket.receive({ n: '_r', i: socket.lastSent().i, p: 3 });
    expect(await three).toBe(3);
  });
});

describe('disconnect()', () => {
  it('closes with 1000, resolves only once the socket has closed, and does not reconnect', async () => {
    const { client, socket, log } = await connectedClient();
    const done = client.disconnect();
    const state = watch(done);
    expect(socket.closeCalls).toEqual([{ code: 1000, reason: '' }]);
    await flush();
    expect(state.settled).toBe(false);
    socket.finishClientClose();
    await done;
    expect(named(log, ClientEvent.DISCONNECTED)).toEqual([{ code: 1000, reason: '', willReconnect: false }]);
    expect(client.state).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('ends the connection after closeTimeout when the server never echoes the close, cutting a ws socket', async () => {
    const { client, socket, log } = await connectedClient({ closeTimeout: 1000 });
    let terminated = 0;
    (socket as unknown as { terminate: () => void }).terminate = () => {
      terminated += 1;
    };
    const pending = rejection(client.send('slow', undefined, 0));
    const done = client.disconnect();
    const state = watch(done);
    await vi.advanceTimersByTimeAsync(999);
    expect(state.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(terminated).toBe(1);
    expect((await pending).code).toBe(ErrorCode.DISCONNECTED);
    expect(named(log, ClientEvent.DISCONNECTED)).toEqual([{ code: 1000, reason: '', willReconnect: false }]);
    expect(client.state).toBe('disconnected');
    // The socket's own close, if it ever comes, changes nothing.
    socket.finishClientClose();
    expect(named(log, ClientEvent.DISCONNECTED)).toHaveLength(1);
  });

  it('leaves no timer behind when the close is echoed in time', async () => {
    const { client, socket } = await connectedClient({ closeTimeout: 1000, pingInterval: 0 });
    const done = client.disconnect();
    socket.finishClientClose();
    await done;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes its code and reason on', async () => {
    const { client, socket } = await connectedClient();
    const done = client.disconnect(CloseCode.CLIENT_DISPOSED, 'bye');
    expect(socket.closeCalls).toEqual([{ code: 4205, reason: 'bye' }]);
    socket.finishClientClose();
    await done;
  });

  it('does not reconnect even when the close event reports an abnormal code', async () => {
    const { client, socket, log } = await connectedClient();
    const done = client.disconnect();
    socket.finishClose(1006);
    await done;
    expect(named(log, ClientEvent.DISCONNECTED)).toEqual([{ code: 1006, reason: '', willReconnect: false }]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(client.state).toBe('disconnected');
  });

  it('cancels a scheduled reconnection and resolves at once', async () => {
    const { client, socket } = await connectedClient();
    socket.finishClose(1006);
    expect(client.state).toBe('reconnecting');
    await client.disconnect();
    expect(client.state).toBe('disconnected');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('resolves at once when never connected, and a later connect() works', async () => {
    const { client } = newClient();
    await client.disconnect();
    expect(client.state).toBe('disconnected');
    const connecting = client.connect();
    FakeWebSocket.last().open();
    FakeWebSocket.last().acceptHandshake('ok');
    expect(await connecting).toBe('ok');
  });

  it('connect() right after disconnect() waits for the close, then connects anew', async () => {
    const { client, socket } = await connectedClient({}, 'first');
    const done = client.disconnect();
    const again = client.connect();
    const state = watch(again);
    await flush();
    expect(state.settled).toBe(false); // not the old connection's data
    expect(FakeWebSocket.instances).toHaveLength(1);
    socket.finishClientClose();
    await done;
    await flush();
    expect(FakeWebSocket.instances).toHaveLength(2);
    const second = FakeWebSocket.last();
    second.open();
    second.acceptHandshake('second');
    expect(await again).toBe('second');
    expect(client.state).toBe('connected');
  });

  it('makes a pending connect() reject with HANDSHAKE_ERROR', async () => {
    const { client } = newClient();
    const failure = rejection(client.connect());
    const socket = FakeWebSocket.last();
    socket.open();
    const done = client.disconnect();
    socket.finishClientClose();
    await done;
    expect((await failure).code).toBe(ErrorCode.HANDSHAKE_ERROR);
    expect(client.state).toBe('disconnected');
  });
});

describe('ping', () => {
  it('pings after a quiet period and closes 4201 when the ping is not answered', async () => {
    const { socket, log } = await connectedClient({ pingInterval: 1000, responseTimeout: 500 });
    await vi.advanceTimersByTimeAsync(999);
    expect(socket.sentNamed('_p')).toEqual([]); // never before a full interval of quiet
    // The handshake answer counts as traffic, so the first ping comes within two intervals.
    await vi.advanceTimersByTimeAsync(1001);
    const pings = socket.sentNamed('_p');
    expect(pings).toHaveLength(1);
    expect(Object.keys(pings[0]!)).toEqual(['n', 'i']);
    expect(socket.closeCalls).toEqual([]);
    await vi.advanceTimersByTimeAsync(500);
    expect(socket.closeCalls).toEqual([{ code: CloseCode.PING_FAILED, reason: 'Ping failed' }]);
    expect(errorCodes(log)).toEqual([ErrorCode.PING_ERROR]);
    socket.finishClientClose();
    expect(named(log, ClientEvent.DISCONNECTED)).toEqual([{ code: 4201, reason: 'Ping failed', willReconnect: true }]);
  });

  it('terminates a ws-like socket whose ping failed, so no close timer lingers', async () => {
    const { socket } = await connectedClient({ pingInterval: 1000, responseTimeout: 500 });
    let terminated = 0;
    (socket as unknown as { terminate: () => void }).terminate = () => {
      terminated += 1;
    };
    await vi.advanceTimersByTimeAsync(2499);
    expect(terminated).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(terminated).toBe(1);
  });

  it('ends the connection when a ping fails, without waiting for the dead peer to echo the close', async () => {
    const { client, socket, log } = await connectedClient({ pingInterval: 1000, responseTimeout: 500, reconnectOptions: { jitter: 0 } });
    const pending = rejection(client.send('slow', undefined, 0));
    await vi.advanceTimersByTimeAsync(2500);
    expect(socket.closeCalls).toEqual([{ code: CloseCode.PING_FAILED, reason: 'Ping failed' }]);
    expect((await pending).code).toBe(ErrorCode.DISCONNECTED);
    expect(named(log, ClientEvent.DISCONNECTED)).toEqual([{ code: 4201, reason: 'Ping failed', willReconnect: true }]);
    expect(client.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeWebSocket.instances).toHaveLength(2);
    // The old socket's close, whenever it comes, changes nothing.
    socket.finishClientClose();
    expect(named(log, ClientEvent.DISCONNECTED)).toHaveLength(1);
  });

  it('keeps the connection when the ping is answered, and pings again after the next quiet period', async () => {
    const { socket, log } = await connectedClient({ pingInterval: 1000, responseTimeout: 500 });
    await vi.advanceTimersByTimeAsync(2000);
    const first = socket.sentNamed('_p');
    expect(first).toHaveLength(1);
    socket.receive({ n: '_r', i: first[0]!.i, p: 'pong' });
    // The pong counts as traffic: the next tick skips, the one after pings.
    await vi.advanceTimersByTimeAsync(1000);
    expect(socket.sentNamed('_p')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    const pings = socket.sentNamed('_p');
    expect(pings).toHaveLength(2);
    expect(pings[1]!.i).not.toBe(pings[0]!.i);
    socket.receive({ n: '_r', i: pings[1]!.i, p: 'pong' });
    await vi.advanceTimersByTimeAsync(1500);
    expect(socket.closeCalls).toEqual([]);
    expect(errorCodes(log)).toEqual([]);
  });

  it('does not ping while frames keep arriving', async () => {
    const { socket } = await connectedClient({ pingInterval: 1000 });
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(900);
      socket.receive({ n: 'news', p: i });
    }
    expect(socket.sentNamed('_p')).toEqual([]);
  });

  it('does not ping with pingInterval 0', async () => {
    const { socket } = await connectedClient({ pingInterval: 0 });
    await vi.advanceTimersByTimeAsync(600_000);
    expect(socket.sentNamed('_p')).toEqual([]);
  });

  it('pings every 20 s of quiet by default', async () => {
    const { socket } = await connectedClient();
    await vi.advanceTimersByTimeAsync(19_999);
    expect(socket.sentNamed('_p')).toEqual([]);
    await vi.advanceTimersByTimeAsync(20_001);
    expect(socket.sentNamed('_p')).toHaveLength(1);
  });

  it('ping() resolves on pong', async () => {
    const { client, socket } = await connectedClient();
    const pinged = client.ping();
    socket.receive({ n: '_r', i: socket.lastSent().i, p: 'pong' });
    await expect(pinged).resolves.toBeUndefined();
  });

  it("answers the server's ping with pong", async () => {
    const { socket } = await connectedClient();
    socket.receive({ n: '_p', i: 'p1' });
    expect(socket.lastSent()).toEqual({ n: '_r', i: 'p1', p: 'pong' });
  });

  it('stops pinging once disconnected', async () => {
    const { client, socket } = await connectedClient({ pingInterval: 1000, reconnect: false });
    const done = client.disconnect();
    socket.finishClientClose();
    await done;
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('maxPayload', () => {
  it('reports PAYLOAD_TOO_LARGE and closes 1009 for a longer frame; a frame of exactly maxPayload passes', async () => {
    const { client, socket, log } = await connectedClient({ maxPayload: 100 });
    const news: unknown[] = [];
    client.on('news', (message) => news.push(message.payload));
    const fits = JSON.stringify({ n: 'news', p: 'x'.repeat(100 - '{"n":"news","p":""}'.length) });
    expect(fits).toHaveLength(100);
    socket.receive(fits);
    expect(news).toHaveLength(1);
    expect(socket.closeCalls).toEqual([]);
    const tooLong = JSON.stringify({ n: 'news', p: 'x'.repeat(101 - '{"n":"news","p":""}'.length) });
    socket.receive(tooLong);
    expect(news).toHaveLength(1);
    expect(errorCodes(log)).toEqual([ErrorCode.PAYLOAD_TOO_LARGE]);
    expect(socket.closeCalls).toEqual([{ code: CloseCode.MESSAGE_TOO_BIG, reason: 'Frame too large' }]);
  });

  it('defaults to 1 MiB', async () => {
    const { socket, log } = await connectedClient();
    socket.receive(JSON.stringify({ n: 'news', p: 'x'.repeat(1024 * 1024) }));
    expect(errorCodes(log)).toEqual([ErrorCode.PAYLOAD_TOO_LARGE]);
    expect(socket.closeCalls).toEqual([{ code: 1009, reason: 'Frame too large' }]);
  });
});

describe('_stateChange', () => {
  it('reports every transition in order through connect, drop, failed retry, reconnect and disconnect', async () => {
    const { client, log } = newClient({ reconnectOptions: { jitter: 0 } });
    const connecting = client.connect();
    const first = FakeWebSocket.last();
    first.open();
    first.acceptHandshake(null);
    await connecting;
    first.finishClose(1006);
    await vi.advanceTimersByTimeAsync(1000);
    FakeWebSocket.last().finishClose(1006); // first retry fails
    await vi.advanceTimersByTimeAsync(1500);
    const third = FakeWebSocket.last();
    third.open();
    third.acceptHandshake(null);
    await flush();
    const done = client.disconnect();
    third.finishClientClose();
    await done;

    const transitions = (named(log, ClientEvent.STATE_CHANGE) as { oldState: ClientState; newState: ClientState }[]).map(
      ({ oldState, newState }) => `${oldState}>${newState}`,
    );
    expect(transitions).toEqual([
      'disconnected>connecting',
      'connecting>connected',
      'connected>reconnecting',
      'reconnecting>connecting',
      'connecting>reconnecting',
      'reconnecting>connecting',
      'connecting>connected',
      'connected>closing',
      'closing>disconnected',
    ]);
    // The lifecycle events interleave with the state changes in this order.
    expect(log.filter(([name]) => name !== ClientEvent.STATE_CHANGE).map(([name]) => name)).toEqual([
      '_connecting',
      '_connected',
      '_disconnected',
      '_reconnecting',
      '_connecting',
      '_disconnected',
      '_reconnecting',
      '_connecting',
      '_connected',
      '_disconnected',
    ]);
  });
});

describe('closing', () => {
  it('is the state from disconnect() until the socket closes; a second disconnect() awaits the same close', async () => {
    const { client, socket } = await connectedClient();
    const first = watch(client.disconnect());
    expect(client.state).toBe('closing');
    const second = watch(client.disconnect());
    expect(socket.closeCalls).toEqual([{ code: 1000, reason: '' }]);
    await flush();
    expect([first.settled, second.settled]).toEqual([false, false]);
    socket.finishClientClose();
    await flush();
    expect([first.settled, second.settled, client.state]).toEqual([true, true, 'disconnected']);
  });

  it('connect() while closing waits for the close, then opens a new socket', async () => {
    const { client, socket } = await connectedClient();
    const closed = client.disconnect();
    const reconnecting = client.connect();
    expect(FakeWebSocket.instances).toHaveLength(1);
    socket.finishClientClose();
    await closed;
    await flush();
    expect(FakeWebSocket.instances).toHaveLength(2);
    const next = FakeWebSocket.last();
    next.open();
    next.acceptHandshake({ again: true });
    await expect(reconnecting).resolves.toEqual({ again: true });
    expect(client.state).toBe('connected');
  });
});
