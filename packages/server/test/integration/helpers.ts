/**
 * Shared helpers of the server's integration tests: real servers on 127.0.0.1 port 0, real
 * clients over `ws`, a raw `ws` peer that speaks frames by hand, a raw `ws` server that plays a
 * minimal Volley server, event helpers, and one cleanup registry that every test file drains in
 * `afterEach(cleanup)`.
 */
import { Client, type ClientOptions } from '@volley/client';
import { Server, type ServerConnection, type ServerOptions, type VolleyError } from '@volley/server';
import { WebSocket, WebSocketServer, type ClientOptions as WsClientOptions, type RawData } from 'ws';

/** How long an awaited event may take before the test fails with a readable message. */
export const EVENT_TIMEOUT = 3000;

// ---------------------------------------------------------------------------------------------
// Cleanup registry

const cleanups: (() => unknown)[] = [];

/** Registers a cleanup step; steps run last-registered first (clients before their server). */
export function onCleanup(step: () => unknown): void {
  cleanups.push(step);
}

/**
 * Runs and clears every registered cleanup step. Use as `afterEach(cleanup)`. Every step runs even
 * if an earlier one fails; the first failure is rethrown at the end.
 */
export async function cleanup(): Promise<void> {
  let failure: unknown;
  while (cleanups.length > 0) {
    const step = cleanups.pop()!;
    try {
      await step();
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
}

// ---------------------------------------------------------------------------------------------
// Events

/** Anything with `once`/`off`: eventemitter3, Node's EventEmitter, Volley's connection and client. */
export interface Emitter {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  once(event: any, listener: (...args: any[]) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  off(event: any, listener?: (...args: any[]) => void): unknown;
}

/** Resolves with every argument of the next `event`; rejects after `timeout` ms. */
export function waitForArgs<T extends unknown[] = unknown[]>(emitter: Emitter, event: string, timeout = EVENT_TIMEOUT): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const listener = (...args: unknown[]): void => {
      clearTimeout(timer);
      resolve(args as T);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`Timed out after ${timeout} ms waiting for "${event}"`));
    }, timeout);
    emitter.once(event, listener);
  });
}

/** Resolves with the first argument of the next `event`; rejects after `timeout` ms. */
export async function waitFor<T = unknown>(emitter: Emitter, event: string, timeout = EVENT_TIMEOUT): Promise<T> {
  const [first] = await waitForArgs<[T]>(emitter, event, timeout);
  return first;
}

/** Collects the first argument of every `event` into an array, from now on. */
export function record<T = unknown>(emitter: { on(event: any, listener: (...args: any[]) => void): unknown }, event: string): T[] {
  const seen: T[] = [];
  emitter.on(event, (value: T) => seen.push(value));
  return seen;
}

/** Resolves with the rejection of `promise` (a Volley API's VolleyError); fails if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<VolleyError> {
  try {
    await promise;
  } catch (error) {
    return error as VolleyError;
  }
  throw new Error('Expected the promise to reject, but it resolved');
}

/**
 * Waits `ms` milliseconds. Only for pacing traffic, or for proving that something does NOT happen
 * within a window (no reconnection, no ping) — never where an event can be awaited instead.
 */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `action` after `ms` ms unless cleanup comes first (delayed answers in handlers). */
export function later(ms: number, action: () => void): void {
  const timer = setTimeout(action, ms);
  onCleanup(() => clearTimeout(timer));
}

/** A promise and its resolve function, for signals from handlers to the test body. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

// ---------------------------------------------------------------------------------------------
// Volley server and clients

/**
 * Starts a Volley server on 127.0.0.1, port 0 unless given; it is stopped in cleanup. `prepare`
 * runs before `start()`, for listeners that must be in place before the first client can arrive.
 */
export async function startServer(options: Partial<ServerOptions> = {}, prepare?: (server: Server) => void): Promise<{ server: Server; url: string }> {
  const server = new Server({ port: 0, host: '127.0.0.1', ...options });
  prepare?.(server);
  await server.start();
  onCleanup(() => server.stop());
  return { server, url: `ws://127.0.0.1:${server.port}` };
}

/** A client over `ws` (no automatic reconnection unless asked); disconnected in cleanup. */
export function makeClient(url: string, options: ClientOptions = {}): Client {
  const client = new Client(url, { WebSocket, reconnect: false, ...options });
  onCleanup(() => client.disconnect());
  return client;
}

/** A client that has completed its handshake. */
export async function connectClient(url: string, options: ClientOptions = {}): Promise<Client> {
  const client = makeClient(url, options);
  await client.connect();
  return client;
}

/** The server-side connection of a connected client. */
export function connectionOf(server: Server, client: Client): ServerConnection {
  const connection = client.id === undefined ? undefined : server.getConnectionById(client.id);
  if (connection === undefined) throw new Error(`No server connection for client id ${String(client.id)}`);
  return connection;
}

/** Registers an `echo` request handler on every connection: answers with its payload. */
export function serveEcho(server: Server): void {
  server.on('connection', (connection) => {
    connection.on('echo', (message) => message.resolve(message.payload));
  });
}

// ---------------------------------------------------------------------------------------------
// Raw peer: a `ws` client that speaks frames by hand

/** A frame as a raw peer received it: parsed JSON, or `{ raw }` for text that is not JSON. */
export type ReceivedFrame = { n?: unknown; p?: unknown; i?: unknown; e?: any; raw?: string; binary?: boolean };

/** Options of {@link RawPeer.open}. */
export interface RawPeerOptions extends WsClientOptions {
  /** Answer the server's `_p` frames with a pong. @default true */
  autoPong?: boolean;
}

/**
 * A WebSocket peer driven frame by frame. It records every received frame; `nextFrame` consumes
 * them in order, and `barrier` proves what did (or did not) arrive before a ping round trip.
 */
export class RawPeer {
  /** Every frame received, in order. */
  readonly received: ReceivedFrame[] = [];
  /** The connection id the server gave in its handshake answer. */
  id: string | undefined;
  /** Resolves when the socket closes. */
  readonly closed: Promise<{ code: number; reason: string }>;
  private mark = 0;
  private barriers = 0;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly socket: WebSocket,
    private readonly autoPong: boolean,
  ) {
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    socket.on('message', (data: RawData, isBinary) => this.receive(data, isBinary));
  }

  /** Opens a raw socket to `url` (no handshake yet); terminated in cleanup. */
  static async open(url: string, options: RawPeerOptions = {}): Promise<RawPeer> {
    const { autoPong = true, ...wsOptions } = options;
    const socket = new WebSocket(url, wsOptions);
    const peer = new RawPeer(socket, autoPong);
    onCleanup(() => peer.terminate());
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return peer;
  }

  /** Opens a raw socket and completes the handshake; resolves with the server's answer `p`. */
  static async connect(url: string, options: RawPeerOptions & { payload?: unknown } = {}): Promise<RawPeer> {
    const { payload, ...rest } = options;
    const peer = await RawPeer.open(url, rest);
    const answer = await peer.handshake(payload);
    if (answer.e !== undefined) throw new Error(`Handshake rejected: ${JSON.stringify(answer.e)}`);
    return peer;
  }

  /** Sends an object as one JSON text frame. */
  send(frame: object): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** Sends text as is. */
  sendText(text: string): void {
    this.socket.send(text);
  }

  /** Sends `_h` and resolves with the `_r` that answers it; a successful answer sets {@link id}. */
  async handshake(payload?: unknown, id = 'hs'): Promise<ReceivedFrame> {
    this.send(payload === undefined ? { n: '_h', i: id } : { n: '_h', p: payload, i: id });
    const answer = await this.nextFrame((frame) => frame.n === '_r' && frame.i === id);
    const connectionId = (answer.p as { id?: unknown } | undefined)?.id;
    if (answer.e === undefined && typeof connectionId === 'string') this.id = connectionId;
    return answer;
  }

  /**
   * Resolves with the next not yet consumed frame that matches, consuming it and every frame
   * before it.
   */
  async nextFrame(match: (frame: ReceivedFrame) => boolean = () => true, timeout = EVENT_TIMEOUT): Promise<ReceivedFrame> {
    const { frame } = await this.take(match, timeout);
    return frame;
  }

  /**
   * Sends a ping and waits for its pong. The server handles frames in order, so whatever it sent
   * in answer to earlier frames arrives before the pong: the result is every frame received since
   * the last consumed one, without the pong.
   */
  async barrier(): Promise<ReceivedFrame[]> {
    const id = `barrier-${++this.barriers}`;
    this.send({ n: '_p', i: id });
    const { skipped } = await this.take((frame) => frame.n === '_r' && frame.i === id, EVENT_TIMEOUT);
    return skipped;
  }

  /** Closes the socket with a close handshake. */
  close(code?: number): void {
    this.socket.close(code);
  }

  /** Destroys the socket at once (no close frame). */
  terminate(): void {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.terminate();
  }

  private take(match: (frame: ReceivedFrame) => boolean, timeout: number): Promise<{ frame: ReceivedFrame; skipped: ReceivedFrame[] }> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let index = this.mark; index < this.received.length; index++) {
          const frame = this.received[index]!;
          if (match(frame)) {
            const skipped = this.received.slice(this.mark, index);
            this.mark = index + 1;
            resolve({ frame, skipped });
            return true;
          }
        }
        return false;
      };
      if (check()) return;
      const waiter = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`Timed out after ${timeout} ms waiting for a frame; unconsumed: ${JSON.stringify(this.received.slice(this.mark))}`));
      }, timeout);
      this.waiters.add(waiter);
    });
  }

  private receive(data: RawData, isBinary: boolean): void {
    const text = data.toString();
    let frame: ReceivedFrame;
    if (isBinary) {
      frame = { raw: text, binary: true };
    } else {
      try {
        const parsed: unknown = JSON.parse(text);
        frame = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as ReceivedFrame) : { raw: text };
      } catch {
        frame = { raw: text };
      }
    }
    this.received.push(frame);
    if (this.autoPong && frame.n === '_p' && typeof frame.i === 'string') this.send({ n: '_r', i: frame.i, p: 'pong' });
    for (const waiter of [...this.waiters]) waiter();
  }
}

/**
 * Tries a WebSocket upgrade that the server must refuse; resolves with the HTTP status of the
 * refusal. Fails if the upgrade succeeds.
 */
export function refusedStatus(url: string, options: WsClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    onCleanup(() => socket.terminate());
    const timer = setTimeout(() => reject(new Error('The upgrade got no answer')), EVENT_TIMEOUT);
    socket.once('open', () => {
      clearTimeout(timer);
      reject(new Error('The upgrade was accepted'));
    });
    socket.once('unexpected-response', (_request, response) => {
      clearTimeout(timer);
      resolve(response.statusCode ?? 0);
      // With this listener, ws leaves the failed attempt to us.
      response.resume();
      socket.terminate();
    });
    // Some refusals also surface as an error after the response; the status is what counts.
    socket.on('error', () => undefined);
  });
}

// ---------------------------------------------------------------------------------------------
// Raw server: a `ws` server that plays a minimal Volley server by hand

/** One socket accepted by a {@link RawServer}, with the frames it sent. */
export interface RawServerSocket {
  socket: WebSocket;
  frames: ReceivedFrame[];
}

/**
 * A `ws` server on 127.0.0.1:0 that answers the handshake (`_h`) with
 * `{ payload: null, id: 'raw-<n>' }`, answers pings only if `answerPings`, and nothing else.
 */
export async function startRawServer(
  options: { answerPings?: boolean } = {},
): Promise<{ url: string; wss: WebSocketServer; sockets: RawServerSocket[] }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const sockets: RawServerSocket[] = [];
  wss.on('connection', (socket) => {
    const entry: RawServerSocket = { socket, frames: [] };
    sockets.push(entry);
    socket.on('message', (data: RawData) => {
      const frame = JSON.parse(data.toString()) as ReceivedFrame;
      entry.frames.push(frame);
      if (frame.n === '_h') socket.send(JSON.stringify({ n: '_r', i: frame.i, p: { payload: null, id: `raw-${sockets.length}` } }));
      if (frame.n === '_p' && options.answerPings === true) socket.send(JSON.stringify({ n: '_r', i: frame.i, p: 'pong' }));
    });
  });
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const { socket } of sockets) socket.terminate();
        wss.close(() => resolve());
      }),
  );
  const address = wss.address();
  if (typeof address !== 'object' || address === null) throw new Error('The raw server has no port');
  return { url: `ws://127.0.0.1:${address.port}`, wss, sockets };
}
