import { createServer, type IncomingMessage as HttpRequest, type Server as HttpServer, type ServerOptions as HttpServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type AnyApi,
  type Api,
  DeadlineQueue,
  declineUpgradeHandshake,
  decodeUpgradeHandshake,
  encodeMessage,
  ErrorCode,
  isApplicationName,
  MessageHandlers,
  type NameOf,
  sharedWriteBatcher,
  SUBPROTOCOL,
  UPGRADE_ANSWER_HEADER,
  UPGRADE_ANSWER_SUBPROTOCOL,
  VolleyError,
} from '@volley/protocol';
import { createFrameValidator } from '@volley/protocol/validation';
import { EventEmitter } from 'eventemitter3';
import { WebSocket, WebSocketServer } from 'ws';
import { randomConnectionId } from './connection-ids.js';
import { Handshake } from './handshake.js';
import { type ResolvedServerOptions, resolveServerOptions, type ServerOptions } from './options.js';
import type { Adapter, AdapterMember } from './rooms/adapter.js';
import { InMemoryAdapter } from './rooms/in-memory-adapter.js';
import { Room, type RoomHost } from './rooms/room.js';
import { type AnyConnection, type ConnectionContext, type DisconnectInfo, ServerConnection, type SharedMessageHandler } from './server-connection.js';

/*
 * States:
 *   idle --start()--> started --stop()--> stopping --all sockets closed--> stopped
 *   stopped --start()--> started (a server can be restarted)
 */
/** Lifecycle state of a {@link Server}. */
export type ServerState = 'idle' | 'started' | 'stopping' | 'stopped';

/** Events of {@link Server}. */
export interface ServerEvents<A extends Api = AnyApi> {
  /**
   * A client sent its handshake. Call `handshake.resolve(data)` or `handshake.reject(reason)`,
   * optionally `connection.setId(id)` first. Without a listener every handshake resolves.
   * `request` is the HTTP upgrade request (headers, cookies), only available here.
   */
  handshake: [connection: ServerConnection<A>, handshake: Handshake, request: HttpRequest | undefined];
  /** A connection completed its handshake. */
  connection: [connection: ServerConnection<A>];
  /** A connected connection closed. */
  disconnected: [connection: ServerConnection<A>, info: DisconnectInfo];
  /** A server-level error: the HTTP server failed, an adapter call failed, a handshake listener threw. */
  error: [error: VolleyError];
}

/**
 * The WebSocket ws creates for the upgrade being completed. ws creates it before it asks which
 * subprotocol to select, and the server needs it there (see `selectProtocol`); ws's whole upgrade
 * is synchronous, so one slot for the process is enough.
 */
let upgrading: WebSocket | undefined;

/** ws's WebSocket, remembering each instance ws creates for an upgrade in `upgrading`. */
class UpgradingWebSocket extends WebSocket {
  // ws calls it as `new WebSocket(null, undefined, options)`; the declared types have no such overload.
  constructor(address: null, protocols?: undefined, options?: WebSocket.ClientOptions) {
    super(address as never, protocols, options);
    upgrading = this;
  }
}

/** Options of {@link Server.broadcast}. */
export interface BroadcastOptions {
  /** A connection (or its id) to leave out. */
  except?: { id: string } | string;
}

/**
 * A Volley server: accepts WebSocket clients, runs their handshake, and lets both sides send
 * awaited requests. Listens on its own port, attaches to an `http.Server`, or takes upgrades from
 * any framework (`noServer` + {@link handleUpgrade}).
 *
 * @example
 * const server = new Server({ port: 8080 });
 * server.on('handshake', (connection, handshake) => {
 *   const user = users.byToken(handshake.payload?.token);
 *   if (!user) return handshake.reject(new Error('invalid token'));
 *   connection.setId(user.id);
 *   handshake.resolve({ name: user.name });
 * });
 * server.on('connection', (connection) => {
 *   connection.on('sum', (message) => message.resolve(message.payload.a + message.payload.b));
 * });
 * await server.start();
 */
export class Server<A extends Api = AnyApi> extends EventEmitter<ServerEvents<A>> implements RoomHost {
  private readonly options: ResolvedServerOptions;
  private readonly wss: WebSocketServer;
  private readonly adapter: Adapter;
  private readonly context: ConnectionContext;
  /** Every open socket's connection, by id (awaiting handshake or connected). */
  private readonly byId = new Map<string, ServerConnection<A>>();
  /** Connected connections, in the order they connected. */
  private readonly connected = new Set<ServerConnection<A>>();
  /** Handlers of `handle()`, shared by every connection. */
  private readonly sharedHandlers = new MessageHandlers();
  /**
   * The connection whose handshake ran during the upgrade being completed, from protocol
   * selection to `accept`: ws calls both synchronously within one `handleUpgrade`.
   */
  private opening: ServerConnection<A> | undefined;
  /** The value of the upgrade answer header for the 101 being written, if any. */
  private upgradeAnswer: string | undefined;
  /** The TCP socket of the upgrade being completed, and whether it was corked for it. */
  private upgradingSocket: Duplex | undefined;
  private upgradingCorked = false;
  private httpServer: HttpServer | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private currentState: ServerState = 'idle';
  private stopping: Promise<void> | undefined;
  private readonly onUpgrade = (request: HttpRequest, socket: Duplex, head: Buffer): void =>
    this.handleUpgrade(request, socket, head);
  private readonly onUpgraded = (ws: WebSocket, request: HttpRequest): void => this.accept(ws, request);
  private readonly onHeaders = (headers: string[]): void => this.writingHeaders(headers);

  /** @throws TypeError for invalid options. */
  constructor(options: ServerOptions) {
    super();
    this.options = resolveServerOptions(options);
    this.adapter = this.options.adapter ?? new InMemoryAdapter();
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.options.maxPayload,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (protocols, request) => this.selectProtocol(protocols, request),
      WebSocket: UpgradingWebSocket as unknown as typeof WebSocket,
    });
    this.wss.on('headers', this.onHeaders);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const server = this as Server<any>;
    this.context = {
      handshakeDeadlines:
        this.options.handshakeTimeout > 0
          ? new DeadlineQueue<AnyConnection>(this.options.handshakeTimeout, (connection) => connection.handshakeExpired())
          : undefined,
      closeTimeout: this.options.closeTimeout,
      maxPayload: this.options.maxPayload,
      maxBufferedAmount: this.options.maxBufferedAmount,
      backpressure: this.options.backpressure,
      sessionOptions: {
        responseTimeout: this.options.responseTimeout,
        validate: createFrameValidator(),
        maxInFlight: this.options.maxInFlight,
        rateLimit: this.options.rateLimit === false ? undefined : this.options.rateLimit,
        maxRefusals: this.options.maxRefusals,
      },
      batcher: this.options.batchWrites ? sharedWriteBatcher : undefined,
      sharedHandlers: this.sharedHandlers,
      beginHandshake: (connection, handshake, request) => server.beginHandshake(connection, handshake, request),
      connected: (connection) => {
        server.connected.add(connection);
        server.callListeners('connection', [connection], (thrown) => server.listenerFailed('connection', thrown));
      },
      renamed: (connection, oldId) => {
        server.byId.delete(oldId);
        server.byId.set(connection.id, connection);
      },
      hasId: (id) => server.byId.has(id),
      closed: (connection, info) => server.connectionClosed(connection, info),
      joinRoom: (connection, room) => server.adapterCall(() => server.adapter.join(connection, room)),
      leaveRoom: (connection, room) => server.adapterCall(() => server.adapter.leave(connection, room)),
      roomsOf: (connection) => server.adapterCall(() => server.adapter.roomsOf(connection)),
    };
  }

  /** Current lifecycle state. */
  get state(): ServerState {
    return this.currentState;
  }

  /** The port listened on (own server or attached one), once started. */
  get port(): number | undefined {
    const address = (this.httpServer ?? this.options.server)?.address();
    return address !== null && typeof address === 'object' ? address.port : undefined;
  }

  /**
   * Starts accepting connections: listens on `port`, or hooks the given server's upgrades.
   * Resolves once listening. Rejects if the port cannot be bound.
   */
  async start(): Promise<void> {
    if (this.currentState === 'started') return;
    if (this.currentState === 'stopping') await this.stopping;
    await this.adapter.attach({
      connections: () => this.connected as Iterable<AdapterMember>,
      connection: (id) => {
        const connection = this.byId.get(id);
        return connection !== undefined && connection.state === 'connected' ? connection : undefined;
      },
    });
    if (this.options.port !== undefined) {
      const http = createServer(upgradeTimeouts(this.options.handshakeTimeout), (_request, response) => {
        response.writeHead(426, { 'Content-Type': 'text/plain' }).end('Upgrade Required');
      });
      http.on('upgrade', this.onUpgrade);
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(this.options.port, this.options.host, () => {
          http.off('error', reject);
          resolve();
        });
      });
      http.on('error', (error) => this.emit('error', new VolleyError(ErrorCode.INTERNAL_ERROR, error.message, { cause: error })));
      this.httpServer = http;
    } else if (this.options.server !== undefined) {
      this.options.server.on('upgrade', this.onUpgrade);
    }
    if (this.options.pingInterval > 0) {
      this.pingTimer = setInterval(() => {
        for (const connection of this.connected) connection.tick();
      }, this.options.pingInterval);
      this.pingTimer.unref();
    }
    this.currentState = 'started';
  }

  /**
   * Stops: refuses new sockets, closes every connection (1001) and resolves once all are closed
   * and the own HTTP server (if any) is closed. Pending requests reject with `DISCONNECTED`.
   */
  stop(): Promise<void> {
    if (this.currentState === 'stopping') return this.stopping!;
    if (this.currentState !== 'started') return Promise.resolve();
    this.currentState = 'stopping';
    this.stopping = (async () => {
      if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
      this.pingTimer = undefined;
      this.options.server?.off('upgrade', this.onUpgrade);
      const http = this.httpServer;
      const httpClosed = http === undefined ? Promise.resolve() : new Promise<void>((resolve) => http.close(() => resolve()));
      await Promise.all([...this.byId.values()].map((connection) => connection.close(1001, 'Server stopping')));
      http?.closeAllConnections();
      await httpClosed;
      this.httpServer = undefined;
      this.context.handshakeDeadlines?.clear();
      await this.adapter.close();
      this.currentState = 'stopped';
    })();
    return this.stopping;
  }

  /**
   * Takes an HTTP upgrade from any framework (use with `noServer: true`, or let Volley hook it).
   * Applies the path and origin checks, then runs the WebSocket handshake.
   *
   * @example
   * const server = new Server({ noServer: true });
   * await server.start();
   * httpServer.on('upgrade', (req, socket, head) => {
   *   if (req.url === '/ws') server.handleUpgrade(req, socket, head);
   * });
   */
  handleUpgrade(request: HttpRequest, socket: Duplex, head: Buffer): void {
    if (this.currentState !== 'started') return refuse(socket, 503, 'Service Unavailable');
    const path = this.options.path;
    if (path !== undefined && (request.url ?? '/').split('?', 1)[0] !== path) {
      // An attached server may have other upgrade handlers for other paths: leave it to them.
      if (this.options.server !== undefined) return;
      return refuse(socket, 404, 'Not Found');
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !this.originAllowed(origin)) return refuse(socket, 403, 'Forbidden');
    // ws selects the subprotocol, writes the 101 and calls back, all synchronously: a handshake
    // carried in the upgrade runs at the selection (see selectProtocol), and what it writes
    // leaves with the 101, in its header or in the same system call.
    this.upgradingSocket = socket;
    try {
      this.wss.handleUpgrade(request, socket, head, this.onUpgraded);
    } finally {
      // Only when something threw between protocol selection and accept (a listener of
      // `connection`, say): that connection's socket will never open.
      const abandoned = this.opening;
      if (abandoned !== undefined) {
        socket.destroy();
        abandoned.closed(1006, 'The upgrade failed');
      }
      this.opening = undefined;
      this.upgradeAnswer = undefined;
      this.upgradingSocket = undefined;
      upgrading = undefined;
      if (this.upgradingCorked) {
        this.upgradingCorked = false;
        socket.uncork();
      }
    }
  }

  /**
   * Handles application message `name` for every connection, with one handler registered once
   * (no closure per connection): it gets the message and the connection that sent it. A
   * connection's own handlers (`connection.on(name)`) take precedence; without either, requests
   * are answered with `NO_HANDLER`. Like `connection.on`, the handler may be `async`: a
   * rejection rejects the request.
   * @throws VolleyError `INVALID_NAME` for an empty name or one starting with `_`.
   *
   * @example
   * server.handle('sum', (message, connection) => message.resolve(message.payload.a + message.payload.b));
   */
  handle<K extends NameOf<A['server']>>(name: K, handler: SharedMessageHandler<A, K>): this {
    if (!isApplicationName(name)) throw new VolleyError(ErrorCode.INVALID_NAME, `Invalid message name ${JSON.stringify(name)}`);
    this.sharedHandlers.on(name, handler as never);
    return this;
  }

  /** Removes a handler of {@link handle}, or every one of `name` when none is given. */
  unhandle(name: string, handler?: SharedMessageHandler<A, string>): this {
    this.sharedHandlers.off(name, handler as never);
    return this;
  }

  /** Every open connection: connected ones and those still in their handshake. */
  getConnections(): ServerConnection<A>[] {
    return [...this.byId.values()];
  }

  /** The open connection with this id, if any. */
  getConnectionById(id: string): ServerConnection<A> | undefined {
    return this.byId.get(id);
  }

  /**
   * Sends a fire-and-forget message to every connected client (through the adapter, so to every
   * node), encoded once. Rejects `INVALID_NAME` / `INVALID_JSON`.
   */
  broadcast(name: string, payload?: unknown, options: BroadcastOptions = {}): Promise<void> {
    const except = options.except;
    return this.broadcastTo(undefined, name, payload, typeof except === 'string' ? except : except?.id);
  }

  /** A handle on room `name` (it need not exist yet). */
  getRoom(name: string): Room {
    return new Room(this, name);
  }

  /** Names of the rooms that have members. */
  getRooms(): Promise<string[]> {
    return this.adapterCall(() => this.adapter.rooms());
  }

  /** Rooms a connection is in. */
  getRoomsOf(connection: ServerConnection<A>): Promise<string[]> {
    return connection.getRooms();
  }

  /** @internal Encodes once and hands the bytes to the adapter. */
  broadcastTo(room: string | undefined, name: string, payload: unknown, except: string | undefined): Promise<void> {
    if (!isApplicationName(name)) {
      return Promise.reject(new VolleyError(ErrorCode.INVALID_NAME, `Invalid message name ${JSON.stringify(name)}`));
    }
    let frame: Buffer;
    try {
      frame = Buffer.from(encodeMessage(name, payload));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.adapterCall(() => this.adapter.broadcast(frame, { room, except }));
  }

  /** @internal */
  roomMembers(room: string): Promise<string[]> {
    return this.adapterCall(() => this.adapter.members(room));
  }

  /** ws set the socket up and wrote the 101 (or corked it with what follows). */
  private accept(ws: WebSocket, request: HttpRequest): void {
    // A handshake carried in the upgrade made the connection already, with this ws (selectProtocol).
    const connection = this.opening ?? this.createConnection(ws, request);
    this.opening = undefined;
    connection.opened();
  }

  private createConnection(ws: WebSocket, request: HttpRequest): ServerConnection<A> {
    let id = randomConnectionId();
    while (this.byId.has(id)) id = randomConnectionId();
    const connection = new ServerConnection<A>(this.context, ws, id, request);
    this.byId.set(id, connection);
    return connection;
  }

  /**
   * Picks the subprotocol. When the client carried its handshake in the upgrade and it decodes,
   * the handshake runs here, before ws writes the 101: `volley.1-answer` when the client reads
   * the 101's headers (it offered that) and the handshake was accepted at once, its answer then
   * going in a header of the 101; else `volley.1`, the answer (when given at once) following the
   * 101 in the same write. Otherwise never the `volley-h.` entry, which would echo the client's
   * payload in the 101 (see declineUpgradeHandshake).
   */
  private selectProtocol(protocols: Set<string>, request: HttpRequest): string | false {
    const ws = upgrading;
    upgrading = undefined;
    if (this.options.upgradeHandshake && ws !== undefined && protocols.has(SUBPROTOCOL)) {
      for (const protocol of protocols) {
        const handshake = decodeUpgradeHandshake(protocol);
        if (handshake === undefined) continue;
        const connection = this.createConnection(ws, request);
        this.opening = connection;
        connection.receiveUpgradeHandshake(handshake.payload);
        if (this.options.upgradeAnswer && protocols.has(UPGRADE_ANSWER_SUBPROTOCOL)) {
          const answer = connection.takeUpgradeAnswer();
          if (answer !== undefined) {
            this.upgradeAnswer = answer;
            return UPGRADE_ANSWER_SUBPROTOCOL;
          }
        }
        return SUBPROTOCOL;
      }
    }
    return declineUpgradeHandshake(protocols);
  }

  /** ws is about to write the 101 response's `headers`. */
  private writingHeaders(headers: string[]): void {
    const answer = this.upgradeAnswer;
    if (answer !== undefined) {
      this.upgradeAnswer = undefined;
      headers.push(`${UPGRADE_ANSWER_HEADER}: ${answer}`);
    }
    // Frames written during the handshake follow the 101 in the same system call (and segment).
    const socket = this.upgradingSocket;
    if (socket !== undefined && this.opening?.hasEarlyFrames === true && !this.upgradingCorked) {
      this.upgradingCorked = true;
      socket.cork();
    }
  }

  private beginHandshake(connection: AnyConnection, handshake: Handshake, request: HttpRequest | undefined): void {
    if (this.listenerCount('handshake') === 0) {
      // Resolving emits `connection`, whose listeners callListeners() keeps from throwing here.
      handshake.resolve();
      return;
    }
    this.callListeners('handshake', [connection as ServerConnection<A>, handshake, request], (thrown) => {
      this.listenerFailed('handshake', thrown);
      if (!handshake.ended) handshake.reject(thrown);
    });
  }

  /**
   * Calls each listener of `event` in turn, rather than through emit(): these events are emitted
   * from ws's socket callbacks, where a listener's throw would crash the process, and one
   * listener's throw (or rejected promise) must neither skip the listeners after it (the chat
   * module listens to these events too) nor become an unhandled rejection. `failed` gets it.
   */
  private callListeners<E extends 'handshake' | 'connection' | 'disconnected'>(
    event: E,
    args: Parameters<EventEmitter.EventListener<ServerEvents<A>, E>>,
    failed: (thrown: unknown) => void,
  ): void {
    for (const listener of this.listeners(event)) {
      // A `once` listener is removed before it runs, as emit() would.
      this.removeListener(event, listener, undefined, true);
      try {
        const result: unknown = (listener as (...values: unknown[]) => unknown).apply(this, args);
        if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
          (result as PromiseLike<unknown>).then(undefined, failed);
        }
      } catch (thrown) {
        failed(thrown);
      }
    }
  }

  private listenerFailed(event: string, thrown: unknown): void {
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    this.emit('error', new VolleyError(ErrorCode.INTERNAL_ERROR, `A "${event}" listener failed: ${message}`, { cause: thrown }));
  }

  private connectionClosed(connection: AnyConnection, info: DisconnectInfo): void {
    const typed = connection as ServerConnection<A>;
    if (this.byId.get(connection.id) === typed) this.byId.delete(connection.id);
    if (this.connected.delete(typed)) {
      void this.adapterCall(() => this.adapter.leaveAll(connection)).catch(() => undefined);
      this.callListeners('disconnected', [typed, info], (thrown) => this.listenerFailed('disconnected', thrown));
    }
  }

  private originAllowed(origin: string): boolean {
    const allowed = this.options.allowedOrigins;
    if (allowed === undefined) return true;
    return typeof allowed === 'function' ? allowed(origin) : allowed.includes(origin);
  }

  /** Runs an adapter operation as a promise; failures are also reported as server errors. */
  private adapterCall<T>(operation: () => T | Promise<T>): Promise<T> {
    let result: T | Promise<T>;
    try {
      result = operation();
    } catch (error) {
      return Promise.reject(this.adapterError(error));
    }
    if (result instanceof Promise) return result.catch((error: unknown) => Promise.reject(this.adapterError(error)));
    return Promise.resolve(result);
  }

  private adapterError(error: unknown): VolleyError {
    const wrapped = error instanceof VolleyError ? error : new VolleyError(ErrorCode.INTERNAL_ERROR, `Adapter failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
    this.emit('error', wrapped);
    return wrapped;
  }
}

/**
 * Options of the HTTP server Volley creates, so that a socket which never completes its upgrade
 * request (a slowloris, or a port scan that connects and waits) is cut after `handshakeTimeout`
 * like a socket that never sends its handshake, not after Node's `headersTimeout` (60 s, checked
 * every 30 s). Node checks the timeouts on an interval: a tenth of the timeout keeps the cut
 * within 10 % of it. None for a `handshakeTimeout` of 0 (no limit asked for).
 */
function upgradeTimeouts(handshakeTimeout: number): HttpServerOptions {
  if (handshakeTimeout === 0) return {};
  return {
    headersTimeout: handshakeTimeout,
    // Node refuses a headersTimeout above a non-zero requestTimeout (default 300 s).
    requestTimeout: Math.max(handshakeTimeout, 300_000),
    connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(handshakeTimeout / 10))),
  };
}

function refuse(socket: Duplex, status: number, text: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
