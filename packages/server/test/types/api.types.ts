/**
 * Compile-time checks of the `Api` typing of Server, ServerConnection and Client. Nothing here
 * runs: `test/unit/types.test.ts` compiles this file and demands zero diagnostics, so every
 * `@ts-expect-error` below must still catch a real error (an unused one is a diagnostic too).
 * Keep each misuse on the line right after its directive, and make it fail for one reason only.
 */
import { Client, type ClientDisconnectInfo, type IncomingMessage as ClientIncomingMessage } from '@volley/client';
import { type Handshake, type IncomingMessage, Server, type ServerConnection } from '@volley/server';
import { WebSocket } from 'ws';

/** The API of the protocol document's sample session. */
interface MathApi {
  /** Handled by the server, sent by clients. */
  server: { sum: { payload: { a: number; b: number }; result: number } };
  /** Handled by clients, sent by the server. */
  client: { confirm: { payload: { q: string }; result: boolean }; news: { payload: string } };
}

/** Compile-time equality: `Expect<Equal<A, B>>` fails to compile unless A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export function serverSide(): void {
  const server = new Server<MathApi>({ port: 0 });

  server.on('handshake', (connection, handshake) => {
    const typed: ServerConnection<MathApi> = connection;
    const shake: Handshake = handshake;
    typed.setId('ann');
    shake.resolve({ user: 'ann' });
  });

  server.handle('sum', (message, connection) => {
    type _shared = Expect<Equal<typeof message, IncomingMessage<{ a: number; b: number }, number>>>;
    type _sender = Expect<Equal<typeof connection, ServerConnection<MathApi>>>;
    message.resolve(message.payload.a + message.payload.b);
    // @ts-expect-error the result of sum is a number
    message.resolve('3');
  });
  // @ts-expect-error unknown message name
  server.handle('product', () => undefined);
  // @ts-expect-error confirm is handled by clients, not by the server
  server.handle('confirm', () => undefined);

  server.on('connection', async (connection) => {
    type _connection = Expect<Equal<typeof connection, ServerConnection<MathApi>>>;
    // A connection's rooms are local: known at once, no promise.
    type _rooms = Expect<Equal<ReturnType<typeof connection.getRooms>, string[]>>;

    connection.on('sum', (message) => {
      type _message = Expect<Equal<typeof message, IncomingMessage<{ a: number; b: number }, number>>>;
      const a: number = message.payload.a;
      message.resolve(a + message.payload.b);
      // @ts-expect-error the result of sum is a number
      message.resolve('3');
      // @ts-expect-error the result of sum is required
      message.resolve();
      // @ts-expect-error the payload of sum has no c
      message.payload.c;
      // @ts-expect-error a is a number, not a string
      const text: string = message.payload.a;
      void text;
    });
    // @ts-expect-error unknown message name
    connection.on('product', () => undefined);
    // @ts-expect-error confirm is handled by clients, not by the server
    connection.on('confirm', () => undefined);

    connection.on('_disconnected', ({ code, reason }) => void [code.toFixed(), reason.trim()]);
    connection.on('_stateChange', ({ newState }) => void newState);
    // @ts-expect-error _disconnected gives { code, reason }, not a number
    connection.on('_disconnected', (code: number) => void code);

    const ok: boolean = await connection.send('confirm', { q: 'delete?' });
    const okWithTimeout: boolean = await connection.send('confirm', { q: 'delete?' }, 5000);
    void [ok, okWithTimeout];
    await connection.sendWithoutResponse('news', 'hello');
    type _newsResult = Expect<Equal<Awaited<ReturnType<typeof connection.send<'news'>>>, void>>;

    // @ts-expect-error q must be a string
    await connection.send('confirm', { q: 1 });
    // @ts-expect-error the payload of confirm is required
    await connection.send('confirm');
    // @ts-expect-error unknown message name
    await connection.send('confirmm', { q: 'x' });
    // @ts-expect-error sum is handled by the server, so the server cannot send it
    await connection.send('sum', { a: 1, b: 2 });
    // @ts-expect-error confirm resolves with a boolean, not a string
    const answer: string = await connection.send('confirm', { q: 'x' });
    // @ts-expect-error the payload of news is a string
    await connection.sendWithoutResponse('news', 42);
    // @ts-expect-error the timeout is a number
    await connection.send('confirm', { q: 'x' }, '5s');
    void answer;
  });

  server.on('disconnected', (connection, { code }) => {
    const typed: ServerConnection<MathApi> = connection;
    void [typed, code];
  });
  // @ts-expect-error the server has no such event
  server.on('connected', () => undefined);
}

export async function clientSide(): Promise<void> {
  const client = new Client<MathApi>('ws://127.0.0.1:8080', { WebSocket, handshake: { payload: { token: 't1' } } });
  const welcome: unknown = await client.connect();
  void welcome;

  const three: number = await client.send('sum', { a: 1, b: 2 });
  const threeWithTimeout: number = await client.send('sum', { a: 1, b: 2 }, 1000);
  void [three, threeWithTimeout];
  await client.sendWithoutResponse('sum', { a: 1, b: 2 });

  // @ts-expect-error b must be a number
  await client.send('sum', { a: 1, b: '2' });
  // @ts-expect-error the payload of sum is required
  await client.send('sum');
  // @ts-expect-error unknown message name
  await client.send('product', { a: 1, b: 2 });
  // @ts-expect-error confirm is handled by the client, so the client cannot send it
  await client.send('confirm', { q: 'x' });
  // @ts-expect-error sum resolves with a number, not a string
  const text: string = await client.send('sum', { a: 1, b: 2 });
  // @ts-expect-error the result is a number: no string methods
  (await client.send('sum', { a: 1, b: 2 })).toUpperCase();
  void text;

  client.on('confirm', (message) => {
    type _message = Expect<Equal<typeof message, ClientIncomingMessage<{ q: string }, boolean>>>;
    const question: string = message.payload.q;
    message.resolve(question.length > 0);
    // @ts-expect-error the result of confirm is a boolean
    message.resolve('yes');
  });
  client.on('news', (message) => {
    const headline: string = message.payload;
    void headline;
  });
  // @ts-expect-error the payload of news is a string, not a number
  client.on('news', (message: ClientIncomingMessage<number>) => void message);
  // @ts-expect-error sum is handled by the server, not by the client
  client.on('sum', () => undefined);
  // @ts-expect-error unknown message name
  client.once('headlines', () => undefined);

  client.on('_disconnected', (info) => {
    type _info = Expect<Equal<typeof info, ClientDisconnectInfo>>;
    void info.willReconnect;
  });
  client.on('_reconnecting', ({ attempt, delay }) => void (attempt + delay));
  // @ts-expect-error _reconnecting gives { attempt, delay }, not a string
  client.on('_reconnecting', (info: string) => void info);

  // @ts-expect-error the URL is a string
  new Client<MathApi>(8080, { WebSocket });
  // @ts-expect-error reconnect is a boolean
  new Client<MathApi>('ws://127.0.0.1:8080', { WebSocket, reconnect: 'yes' });
}

/** Without a type argument everything is allowed: the untyped default keeps working. */
export async function untyped(connection: ServerConnection, client: Client): Promise<void> {
  const anything: string = await client.send('whatever', { any: 'thing' });
  const more: number = await connection.send('other', 1, 500);
  connection.on('x', (message) => message.resolve(message.payload.deep.field));
  void [anything, more];
}

/** The README's quick start, as written: it compiles under strict with no type argument. */
export async function readmeQuickStart(): Promise<void> {
  const server = new Server({ port: 8080 });
  server.on('handshake', (connection, handshake) => {
    if (handshake.payload?.token !== 'secret') return handshake.reject(new Error('bad token'));
    handshake.resolve({ motd: 'welcome' });
  });
  const client = new Client('ws://localhost:8080', { WebSocket, handshake: { payload: { token: 'secret' } } });
  const welcome = await client.connect();
  void welcome.motd;
}

/** An API that types its handshake: the payload on both sides, and the answer connect() gets. */
interface TokenApi {
  server: MathApi['server'];
  client: MathApi['client'];
  handshake: { payload: { token: string }; answer: { motd: string } };
}

export async function typedHandshake(): Promise<void> {
  const server = new Server<TokenApi>({ port: 0 });
  server.on('handshake', (_connection, handshake) => {
    type _payload = Expect<Equal<typeof handshake.payload, { token: string }>>;
    if (handshake.payload.token !== 'secret') return handshake.reject(new Error('bad token'));
    // @ts-expect-error the answer is { motd: string }
    handshake.resolve({ motd: 42 });
    handshake.resolve({ motd: 'welcome' });
  });
  const client = new Client<TokenApi>('ws://127.0.0.1:8080', { WebSocket, handshake: { payload: { token: 'secret' } } });
  const answer = await client.connect();
  type _answer = Expect<Equal<typeof answer, { motd: string }>>;
  // @ts-expect-error the token is a string
  new Client<TokenApi>('ws://127.0.0.1:8080', { WebSocket, handshake: { payload: { token: 7 } } });

  // An API without a handshake spec: payload and answer are unknown, and must be checked.
  const plain = new Server<MathApi>({ port: 0 });
  plain.on('handshake', (_connection, handshake) => {
    type _unknown = Expect<Equal<typeof handshake.payload, unknown>>;
  });
}
