import type { IncomingMessage as HttpRequest } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type AnyApi,
  type Api,
  CloseCode,
  type HandshakeAnswerOf,
  type HandshakePayloadOf,
  ErrorCode,
  invalidNameError,
  isApplicationName,
  type NameOf,
  type PayloadArgs,
  type ResultOf,
  VolleyError,
} from '@volley/protocol';
import { DeadlineQueue, MessageHandlers } from '@volley/session';
import { sharedWriteBatcher } from '@volley/session/node';
import { createFrameValidator } from '@volley/protocol/validation';
import { EventEmitter } from 'eventemitter3';
import type { WebSocket } from 'ws';
import { callListeners } from './call-listeners.js';
import { ConnectionRegistry } from './connection-registry.js';
import type { Handshake } from './handshake.js';
import { HttpListener } from './http-listener.js';
import { type ResolvedServerOptions, resolveServerOptions, type ServerOptions } from './options.js';
import { ConnectionHandle } from './rooms/connection-handle.js';
import { LocalNode } from './rooms/local-node.js';
import { InMemoryAdapter } from './rooms/in-memory-adapter.js';
import { broadcastTarget, Room, type RoomBroadcastOptions } from './rooms/room.js';
import { RoomOperations } from './rooms/room-operations.js';
import type { AnyConnection, ConnectionContext, DisconnectInfo, SharedMessageHandler } from './connection-types.js';
import { ServerConnection } from './server-connection.js';
import { UpgradeAcceptor } from './upgrade-acceptor.js';
import { UpgradeHandshakeAcceptor } from './upgrade-handshake-acceptor.js';

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
  handshake: [connection: ServerConnection<A>, handshake: Handshake<HandshakePayloadOf<A>, HandshakeAnswerOf<A>>, request: HttpRequest | undefined];
  /** A connection completed its handshake. */
  connection: [connection: ServerConnection<A>];
  /** A connected connection closed. */
  disconnected: [connection: ServerConnection<A>, info: DisconnectInfo];
  /**
   * A connection of another node ended without closing: its node died. Emitted on the one node
   * that removed it from the cluster (cluster adapters only), so that the application can clean
   * up after it as after `disconnected`. A listener may return a promise, which is awaited. When
   * a listener throws or rejects (reported on `error`), or the node dies before its listeners
   * finish, the connection is handed over again, on the next heartbeat, to every listener: make
   * them safe to run twice for one connection.
   */
  connectionLost: [connectionId: string];
  /** A server-level error: the HTTP server failed, an adapter call failed, a handshake listener threw. */
  error: [error: VolleyError];
}

/** Options of {@link Server.broadcast}. */
export type BroadcastOptions = RoomBroadcastOptions;

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
export class Server<A extends Api = AnyApi> extends EventEmitter<ServerEvents<A>> {
  private readonly options: ResolvedServerOptions;
  private readonly acceptor: UpgradeAcceptor;
  private readonly roomOperations: RoomOperations;
  /** This server as its adapter and connection handles see it. */
  private readonly node: LocalNode;
  private readonly context: ConnectionContext;
  private readonly registry = new ConnectionRegistry<ServerConnection<A>>();
  /** Handlers of `handle()`, shared by every connection. */
  private readonly sharedHandlers = new MessageHandlers();
  private readonly http = new HttpListener();
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private currentState: ServerState = 'idle';
  private stopping: Promise<void> | undefined;
  private readonly onUpgrade = (request: HttpRequest, socket: Duplex, head: Buffer): void =>
    this.handleUpgrade(request, socket, head);

  /** @throws TypeError for invalid options. */
  constructor(options: ServerOptions) {
    super();
    this.options = resolveServerOptions(options);
    this.roomOperations = new RoomOperations(this.options.adapter ?? new InMemoryAdapter(), (error) => this.emit('error', error));
    // The node works on connections whatever their API: it sees them untyped.
    this.node = new LocalNode(this.registry as unknown as ConnectionRegistry<ServerConnection>, this.roomOperations, this.options.responseTimeout, (id) => this.connectionLost(id));
    const host = { createConnection: (ws: WebSocket, request: HttpRequest) => this.createConnection(ws, request) };
    this.acceptor = this.options.upgradeHandshake
      ? new UpgradeHandshakeAcceptor(host, this.options.maxPayload, this.options.binary, this.options.upgradeAnswer)
      : new UpgradeAcceptor(host, this.options.maxPayload, this.options.binary);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const server = this as Server<any>;
    const rooms = this.roomOperations;
    this.context = {
      handshakeDeadlines:
        this.options.handshakeTimeout > 0
          ? new DeadlineQueue<AnyConnection>(this.options.handshakeTimeout, (connection) => connection.handshakeExpired())
          : undefined,
      closeTimeout: this.options.closeTimeout,
      maxPayload: this.options.maxPayload,
      maxBufferedAmount: this.options.maxBufferedAmount,
      backpressure: this.options.backpressure,
      sessionOptions: { responseTimeout: this.options.responseTimeout, validate: createFrameValidator() },
      admissionLimits: {
        maxInFlight: this.options.maxInFlight,
        rateLimit: this.options.rateLimit === false ? undefined : this.options.rateLimit,
        maxRefusals: this.options.maxRefusals,
      },
      batcher: this.options.batchWrites ? sharedWriteBatcher : undefined,
      ownFraming: this.options.ownFraming,
      sharedHandlers: this.sharedHandlers,
      beginHandshake: (connection, handshake, request) => server.beginHandshake(connection, handshake, request),
      connected: (connection) => {
        server.registry.markConnected(connection);
        rooms.connected(connection);
        callListeners(server, 'connection', [connection], (thrown) => server.listenerFailed('connection', thrown));
      },
      renamed: (connection, oldId) => server.registry.renamed(connection, oldId),
      hasId: (id) => server.registry.has(id) || rooms.hasRemoteId(id),
      closed: (connection, info) => server.connectionClosed(connection, info),
      joinRoom: (connection, room) => rooms.join(connection, room),
      leaveRoom: (connection, room) => rooms.leave(connection, room),
      roomsOf: (connection) => rooms.roomsOf(connection),
    };
  }

  /** Current lifecycle state. */
  get state(): ServerState {
    return this.currentState;
  }

  /** The port listened on (own server or attached one), once started. */
  get port(): number | undefined {
    if (this.options.server === undefined) return this.http.port;
    const address = this.options.server.address();
    return address !== null && typeof address === 'object' ? address.port : undefined;
  }

  /**
   * Starts accepting connections: listens on `port`, or hooks the given server's upgrades.
   * Resolves once listening. Rejects if the port cannot be bound.
   */
  async start(): Promise<void> {
    if (this.currentState === 'started') return;
    if (this.currentState === 'stopping') await this.stopping;
    const registry = this.registry;
    await this.roomOperations.attach(this.node);
    if (this.options.port !== undefined) {
      await this.http.listen(
        { port: this.options.port, host: this.options.host, handshakeTimeout: this.options.handshakeTimeout },
        this.onUpgrade,
        (error) => this.emit('error', new VolleyError(ErrorCode.INTERNAL_ERROR, error.message, { cause: error })),
      );
    } else if (this.options.server !== undefined) {
      this.options.server.on('upgrade', this.onUpgrade);
    }
    if (this.options.pingInterval > 0) {
      this.pingTimer = setInterval(() => {
        for (const connection of registry.connected) connection.tick();
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
      await this.http.close(() => Promise.all(this.registry.all().map((connection) => connection.close(CloseCode.GOING_AWAY, 'Server stopping'))));
      this.context.handshakeDeadlines?.clear();
      await this.roomOperations.close();
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
    this.acceptor.upgrade(request, socket, head);
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
    if (!isApplicationName(name)) throw invalidNameError(name);
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
    return this.registry.all();
  }

  /** The open connection with this id, if any. */
  getConnectionById(id: string): ServerConnection<A> | undefined {
    return this.registry.get(id);
  }

  /**
   * Sends a fire-and-forget message to every connected client (through the adapter, so to every
   * node), encoded once. Rejects `INVALID_NAME` / `INVALID_JSON`.
   */
  broadcast(name: string, payload?: unknown, options: BroadcastOptions = {}): Promise<void> {
    return this.roomOperations.broadcastTo(name, payload, broadcastTarget(undefined, options));
  }

  /**
   * Sends a request to the connection with this id, on this node or, with a cluster adapter such as
   * `@volley/redis`'s, on any node, and resolves with its client's answer. Rejects as
   * `connection.send()` does: `MESSAGE_TIMEOUT`, `MESSAGE_REJECTED` (the client's error in
   * `payload`), `DISCONNECTED` (no such connection, or its node is gone), `INVALID_NAME`,
   * `INVALID_JSON`. The argument after the payload is the timeout in ms (default
   * `responseTimeout`; 0 waits forever).
   */
  send<K extends NameOf<A['client']>>(
    connectionId: string,
    name: K,
    ...args: [...PayloadArgs<A['client'], K>, timeout?: number]
  ): Promise<ResultOf<A['client'], K>> {
    const local = this.registry.get(connectionId);
    if (local !== undefined) return local.send(name, ...args);
    if (!isApplicationName(name)) return Promise.reject(invalidNameError(name));
    const timeout = (args[1] as number | undefined) ?? this.options.responseTimeout;
    return this.roomOperations.request(connectionId, name, args[0], timeout) as Promise<ResultOf<A['client'], K>>;
  }

  /**
   * A handle on the connection with this id, on this node or, with a cluster adapter, on any
   * node: send it a message, join it to a room or take it out, close it.
   *
   * @example
   * await server.connection(id).joinRoom('lobby'); // false when no node has it
   */
  connection(id: string): ConnectionHandle {
    return new ConnectionHandle(this.node, id);
  }

  /** A handle on room `name` (it need not exist yet). */
  getRoom(name: string): Room {
    return new Room(this.roomOperations, name);
  }

  /** Names of the rooms that have members. */
  getRooms(): Promise<string[]> {
    return this.roomOperations.rooms();
  }

  /** Rooms a connection of this node is in, at once (see {@link ServerConnection.getRooms}). */
  getRoomsOf(connection: ServerConnection<A>): string[] {
    return connection.getRooms();
  }

  private createConnection(ws: WebSocket, request: HttpRequest): ServerConnection<A> {
    const connection = new ServerConnection<A>(this.context, ws, this.registry.newId(), request);
    this.registry.add(connection);
    return connection;
  }

  private beginHandshake(connection: AnyConnection, handshake: Handshake, request: HttpRequest | undefined): void {
    if (this.listenerCount('handshake') === 0) {
      // Resolving emits `connection`, whose listeners callListeners() keeps from throwing here.
      handshake.resolve();
      return;
    }
    callListeners(this, 'handshake', [connection, handshake, request], (thrown) => {
      this.listenerFailed('handshake', thrown);
      if (!handshake.ended) handshake.reject(thrown);
    });
  }

  /**
   * The `connectionLost` listeners of `id`, awaited: rejects once they have all finished when one
   * failed (reported on `error` too), so that the cluster adapter hands the connection over again.
   */
  private async connectionLost(id: string): Promise<void> {
    let failed = false;
    const pending = callListeners(this, 'connectionLost', [id], (thrown) => {
      failed = true;
      this.listenerFailed('connectionLost', thrown);
    });
    if (pending !== undefined) await Promise.all(pending);
    if (failed) throw new VolleyError(ErrorCode.INTERNAL_ERROR, `A "connectionLost" listener failed for "${id}"`);
  }

  private listenerFailed(event: string, thrown: unknown): void {
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    this.emit('error', new VolleyError(ErrorCode.INTERNAL_ERROR, `A "${event}" listener failed: ${message}`, { cause: thrown }));
  }

  private connectionClosed(connection: AnyConnection, info: DisconnectInfo): void {
    const typed = connection as ServerConnection<A>;
    if (this.registry.remove(typed)) {
      this.roomOperations.leaveAll(connection);
      this.roomOperations.disconnected(connection);
      callListeners(this, 'disconnected', [typed, info], (thrown) => this.listenerFailed('disconnected', thrown));
    }
  }

  private originAllowed(origin: string): boolean {
    const allowed = this.options.allowedOrigins;
    if (allowed === undefined) return true;
    return typeof allowed === 'function' ? allowed(origin) : allowed.includes(origin);
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
