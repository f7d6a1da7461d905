import type { IncomingMessage as HttpRequest } from 'node:http';
import { CloseCode, type Handshake, type IncomingMessage, Server, type ServerConnection } from '@volley/server';
import { EventEmitter } from 'eventemitter3';
import { type AddRoomOptions, type AddUserOptions, ChatAdmin, type CommandTarget } from './admin-api.js';
import { type ChatCommandName, chatCommandNames, type UserSummary } from './chat-api.js';
import type { ChatServerEvents } from './chat-events.js';
import { ChatService } from './chat-service.js';
import type { ChatStore, RoomChanges } from './chat-store.js';
import { CommandPipeline } from './command-pipeline.js';
import { deleteRoom } from './commands.js';
import { Logins } from './login.js';
import { MemoryChatStore } from './memory-chat-store.js';
import { Notifier } from './notifier.js';
import { type AppMessageHandler, type UserBroadcastOptions, UserApi } from './user-api.js';
import { type ChatServerOptions, type ResolvedChatOptions, resolveChatOptions } from './options.js';

export type { AddRoomOptions, AddUserOptions, CommandTarget } from './admin-api.js';
export type { ChatServerEvents } from './chat-events.js';
export type { AppMessageHandler, MessageSender, UserBroadcastOptions } from './user-api.js';

/**
 * The chat service: users log in through the Volley handshake, then send the commands of
 * {@link ChatCommands} as requests and receive {@link ChatNotifications}. State lives in a
 * {@link ChatStore}; several nodes share it through a shared store and the Volley server's adapter.
 *
 * @example
 * const chat = new ChatServer({
 *   port: 8080,
 *   enableRoomsManagement: true,
 *   hooks: {
 *     async authenticate(payload) {
 *       const user = await users.byToken((payload as { token: string }).token);
 *       if (!user) throw new ChatError(ChatErrorCode.NOT_ALLOWED, []);
 *       return { userName: user.name, authData: { role: user.role } };
 *     },
 *   },
 * });
 * await chat.start();
 * await chat.addRoom('lobby', { visible: true });
 */
export class ChatServer extends EventEmitter<ChatServerEvents> {
  /** The Volley server the chat runs on. */
  readonly volley: Server;
  /** Where the chat state lives. */
  readonly store: ChatStore;
  private readonly options: ResolvedChatOptions;
  private readonly service: ChatService;
  private readonly pipeline: CommandPipeline;
  private readonly logins: Logins;
  private readonly admin: ChatAdmin;
  private readonly users: UserApi;
  /** What logins read at run time. */
  private readonly settings: { acceptNewUsers: boolean; authenticateTimeout: number };
  private readonly ownsServer: boolean;
  private readonly ownsStore: boolean;

  /** @throws TypeError for invalid options. */
  constructor(options: ChatServerOptions) {
    super();
    this.options = resolveChatOptions(options);
    this.ownsServer = this.options.server === undefined;
    this.volley =
      this.options.server ??
      new Server({ ...this.options.serverOptions, port: this.options.port, host: this.options.host, path: this.options.path });
    this.ownsStore = this.options.store === undefined;
    this.store = this.options.store ?? new MemoryChatStore();
    const reportError = (error: unknown): void => {
      this.emit('error', error);
    };
    this.service = new ChatService(this.store, this.options, new Notifier(this.volley, reportError), this.options.hooks ?? {}, this.volley, reportError);
    this.pipeline = new CommandPipeline(this.service, this);
    this.settings = { acceptNewUsers: this.options.acceptNewUsers, authenticateTimeout: this.options.authenticateTimeout };
    this.logins = new Logins(this.service, this.pipeline, this, this.settings);
    this.users = new UserApi(this.service, this.volley, this.logins, this, this.pipeline);
    this.admin = new ChatAdmin(this.service, this.pipeline, this);
    this.volley.on('handshake', this.onHandshake);
    // One handler per command for every connection, not one closure per command per connection.
    for (const command of chatCommandNames) this.volley.handle(command, this.onCommand);
    this.volley.on('disconnected', this.onDisconnected);
    this.volley.on('connectionLost', this.onConnectionLost);
  }

  private readonly onHandshake = (connection: ServerConnection, handshake: Handshake, request: HttpRequest | undefined): void => {
    void this.logins.login(connection, handshake, request);
  };

  private readonly onCommand = (message: IncomingMessage, connection: ServerConnection): void => {
    void this.pipeline.handle(connection, this.logins.userOf(connection), message.name as ChatCommandName, message);
  };

  private readonly onDisconnected = (connection: ServerConnection): void => {
    void this.logins.logout(connection);
  };

  // Returned: the server awaits it, and a cluster adapter hands the connection over again if it fails.
  private readonly onConnectionLost = (id: string): Promise<void> => this.logins.logoutLost(id);

  /** Starts the Volley server (if not started) and emits `listen`. */
  async start(): Promise<void> {
    await this.volley.start();
    this.emit('listen', this.volley.port);
  }

  /**
   * Stops the server the chat created and the default store; emits `close` once the logouts of
   * the closed connections (their `unlink` events) are done. A server given in the options keeps
   * running: the chat removes its listeners and handlers from it.
   */
  async stop(): Promise<void> {
    if (this.ownsServer) {
      await this.volley.stop();
      await this.logins.settled();
    } else {
      this.users.close();
      // The server is the application's and keeps running: the chat only leaves it. Its
      // connections stay open; their chat commands now get NO_HANDLER.
      this.volley.off('handshake', this.onHandshake);
      for (const command of chatCommandNames) this.volley.unhandle(command, this.onCommand);
      this.volley.off('disconnected', this.onDisconnected);
      this.volley.off('connectionLost', this.onConnectionLost);
    }
    if (this.ownsStore) await this.store.close();
    this.emit('close');
  }

  /** Port the created server listens on. */
  get port(): number | undefined {
    return this.volley.port;
  }

  /**
   * Runs a command as a user, with its before/after hooks: positional arguments as on the client.
   * Rejects `noCommand`, `wrongArgumentsCount`, `badArgument`, `noUser`, `invalidSocket`, or the
   * command's own error.
   *
   * @example
   * await chat.execUserCommand({ userName: 'bot', bypassPermissions: true }, 'roomMessage', 'lobby', { textMessage: 'hi' });
   */
  execUserCommand(target: CommandTarget | string, command: string, ...args: unknown[]): Promise<unknown> {
    return this.admin.execUserCommand(target, command, ...args);
  }

  /** Creates a user (who may then be listed or messaged before it ever logs in). Rejects `invalidName`, `userExists`, `listLimitExceeded`. */
  addUser(userName: string, options: AddUserOptions = {}): Promise<void> {
    return this.admin.addUser(userName, options);
  }

  /** Deletes an offline user. Rejects `noUser`, `userOnline`. */
  deleteUser(userName: string): Promise<void> {
    return this.admin.deleteUser(userName);
  }

  /** Whether the user exists. */
  hasUser(userName: string): Promise<boolean> {
    return this.store.hasUser(userName);
  }

  /** Ids of the user's open connections (on every node). */
  getUserConnections(userName: string): Promise<string[]> {
    return this.store.getConnections(userName);
  }

  /** Whether users the chat does not know yet may log in (option `acceptNewUsers`); settable at any time. */
  get acceptNewUsers(): boolean {
    return this.settings.acceptNewUsers;
  }

  set acceptNewUsers(accept: boolean) {
    if (typeof accept !== 'boolean') throw new TypeError('acceptNewUsers must be a boolean');
    this.settings.acceptNewUsers = accept;
  }

  /**
   * A page of the users in name order, each with its number of open connections on every node
   * (0: known but offline), after `after`, at most `limit`.
   *
   * @example
   * for (const { userName, connections } of await chat.listUsers()) console.log(userName, connections > 0 ? 'online' : 'offline');
   */
  listUsers(after?: string, limit?: number): Promise<UserSummary[]> {
    return this.users.listUsers(after, limit);
  }

  /** Pushes an application message (not a chat notification name) to every connection of a user, on every node. */
  sendToUser(userName: string, name: string, payload?: unknown): Promise<void> {
    return this.users.sendToUser(userName, name, payload);
  }

  /** Pushes an application message to every logged-in connection, except those of `options.exceptUser`. */
  broadcastToUsers(name: string, payload?: unknown, options?: UserBroadcastOptions): Promise<void> {
    return this.users.broadcast(name, payload, options);
  }

  /**
   * Handles application message `name` sent by logged-in users (`chatClient.send(name, payload)`);
   * the handler's result is the answer. A `ChatError` it throws (or rejects with) reaches the
   * client as one; any other throw is reported on `error` and the client gets `internalError`.
   *
   * @example
   * chat.handle('move', async (payload, { userName }) => game.move(userName, payload));
   */
  handle(name: string, handler: AppMessageHandler): this {
    this.users.handle(name, handler);
    return this;
  }

  /**
   * Removes a user: closes its connections on every node with code 4209 (its clients do not
   * reconnect), waits for this node's logouts (`unlink`), then deletes it (`leave`). Rejects `noUser`.
   */
  kick(userName: string, reason?: string): Promise<void> {
    return this.users.kick(userName, reason);
  }

  /** Closes every connection of the user, on every node. */
  async disconnectUser(userName: string, code: number = CloseCode.NORMAL, reason = ''): Promise<void> {
    const ids = await this.store.getConnections(userName);
    await Promise.all(ids.map((id) => this.volley.connection(id).close(code, reason)));
  }

  /** Creates a room. Rejects `invalidName`, `roomExists`, `listLimitExceeded`, `badArgument` (data nested too deep). */
  addRoom(roomName: string, options: AddRoomOptions = {}): Promise<void> {
    return this.admin.addRoom(roomName, options);
  }

  /** Deletes a room; its members get `roomAccessRemoved`. Rejects `noRoom`. */
  deleteRoom(roomName: string): Promise<void> {
    return deleteRoom(this.service, roomName);
  }

  /** Whether the room exists. */
  async hasRoom(roomName: string): Promise<boolean> {
    return (await this.store.getRoom(roomName)) !== undefined;
  }

  /** Gives the room a new owner (or none); the old owner keeps access only if the lists allow. Rejects `noRoom`, `invalidName`. */
  changeRoomOwner(roomName: string, owner: string | null): Promise<void> {
    return this.admin.changeRoomOwner(roomName, owner);
  }

  /** Changes how many messages the room keeps, trimming the oldest. Rejects `noRoom`, `badArgument`. */
  changeRoomHistoryMaxSize(roomName: string, historyMaxSize: number): Promise<void> {
    return this.admin.changeRoomHistoryMaxSize(roomName, historyMaxSize);
  }

  /** Changes a room's settings: notifications, visibility, presence. Rejects `noRoom`. */
  changeRoomSettings(roomName: string, changes: Pick<RoomChanges, 'enableUserlistUpdates' | 'enableAccessListsUpdates' | 'visible' | 'presence'>): Promise<void> {
    return this.admin.changeRoomSettings(roomName, changes);
  }
}
