import type { IncomingMessage as HttpRequest } from 'node:http';
import { DeadlineQueue } from '@volley/session';
import { type Handshake, type IncomingMessage, Server, type ServerConnection } from '@volley/server';
import { EventEmitter } from 'eventemitter3';
import { argumentName, type ChatCommandName, chatCommandNames, commandArguments, fromPayload, type LoginResult, toPayload } from './chat-api.js';
import { AnswerBudgets } from './answer-budget.js';
import { ChatError, ChatErrorCode } from './chat-error.js';
import { ChatService, throwIfExpired } from './chat-service.js';
import type { ChatStore, RoomChanges } from './chat-store.js';
import { CommandValidator, MAX_ARGUMENT_DEPTH, nestedDeeperThan } from './command-validation.js';
import { commands, deleteRoom, newRoomState } from './commands.js';
import type { CommandContext } from './hooks.js';
import { MemoryChatStore } from './memory-chat-store.js';
import { Notifier, userChannel } from './notifier.js';
import { type ChatServerOptions, type ResolvedChatOptions, resolveChatOptions } from './options.js';

/** Events of {@link ChatServer} (Krmx's names and order of arguments). */
export interface ChatServerEvents {
  /**
   * A connection is about to log in as `userName` (after the authenticate hook). Call
   * `reject(reason)` to refuse it; `info.auth` is the handshake payload.
   */
  authenticate: [userName: string, info: { isNewUser: boolean; auth: unknown }, reject: (reason?: unknown) => void];
  /** A user the chat did not know logged in for the first time (or was added by the server API). */
  join: [userName: string];
  /** A user was deleted (server API). */
  leave: [userName: string];
  /** A connection logged in as `userName`. */
  link: [userName: string, connectionId: string];
  /** A logged-in connection closed. */
  unlink: [userName: string, connectionId: string];
  /** A user sent a command (valid payload, before hooks). */
  message: [userName: string, message: { command: ChatCommandName; args: unknown[]; connectionId: string }];
  /** The server listens (port undefined with `noServer`). */
  listen: [port: number | undefined];
  /** The server stopped. */
  close: [];
  /** Something failed that no client request could be told about: a leave or disconnect hook, a delivery, a hook's internal error. */
  error: [error: unknown];
}

/** Who the server API runs a command as. */
export interface CommandTarget {
  userName: string;
  /** One of the user's connections; needed by `roomJoin` / `roomLeave`. */
  connectionId?: string;
  /** Skip permission checks. @default false */
  bypassPermissions?: boolean;
}

/** Options of {@link ChatServer.addUser}. */
export interface AddUserOptions {
  whitelistOnly?: boolean;
  blacklist?: string[];
  whitelist?: string[];
}

/** Options of {@link ChatServer.addRoom}. */
export interface AddRoomOptions {
  owner?: string | null;
  whitelistOnly?: boolean;
  visible?: boolean;
  presence?: boolean;
  data?: Record<string, unknown>;
  historyMaxSize?: number;
  enableUserlistUpdates?: boolean;
  enableAccessListsUpdates?: boolean;
  adminlist?: string[];
  whitelist?: string[];
  blacklist?: string[];
}

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
  private readonly validator = new CommandValidator();
  private readonly answerBudgets = new AnswerBudgets();
  /** Logged-in connections of this node → their user. */
  private readonly users = new Map<ServerConnection, string>();
  private readonly ownsServer: boolean;
  /** Every command's `commandTimeout`, on one timer (all share the same delay). */
  private readonly deadlines: DeadlineQueue<CommandDeadline> | undefined;
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
    const timeout = this.options.commandTimeout;
    this.deadlines = timeout > 0 ? new DeadlineQueue<CommandDeadline>(timeout, (deadline) => deadline.expire()) : undefined;
    this.store = this.options.store ?? new MemoryChatStore();
    const reportError = (error: unknown): void => {
      this.emit('error', error);
    };
    this.service = new ChatService(this.store, this.options, new Notifier(this.volley, reportError), this.options.hooks ?? {}, this.volley, reportError);
    this.volley.on('handshake', this.onHandshake);
    // One handler per command for every connection, not one closure per command per connection.
    for (const command of chatCommandNames) this.volley.handle(command, this.onCommand);
    this.volley.on('disconnected', this.onDisconnected);
  }

  private readonly onHandshake = (connection: ServerConnection, handshake: Handshake, request: HttpRequest | undefined): void => {
    void this.login(connection, handshake, request);
  };

  private readonly onCommand = (message: IncomingMessage, connection: ServerConnection): void => {
    void this.handle(connection, message.name as ChatCommandName, message);
  };

  private readonly onDisconnected = (connection: ServerConnection): void => {
    void this.logout(connection);
  };

  /** Starts the Volley server (if not started) and emits `listen`. */
  async start(): Promise<void> {
    await this.volley.start();
    this.emit('listen', this.volley.port);
  }

  /**
   * Stops the server the chat created and the default store; emits `close`. A server given in the
   * options keeps running: the chat removes its listeners and command handlers from it.
   */
  async stop(): Promise<void> {
    if (this.ownsServer) {
      await this.volley.stop();
    } else {
      // The server is the application's and keeps running: the chat only leaves it. Its
      // connections stay open; their chat commands now get NO_HANDLER.
      this.volley.off('handshake', this.onHandshake);
      for (const command of chatCommandNames) this.volley.unhandle(command, this.onCommand);
      this.volley.off('disconnected', this.onDisconnected);
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
  async execUserCommand(target: CommandTarget | string, command: string, ...args: unknown[]): Promise<unknown> {
    const { userName, connectionId, bypassPermissions = false } = typeof target === 'string' ? { userName: target } : target;
    if (!Object.hasOwn(commandArguments, command)) throw new ChatError(ChatErrorCode.NO_COMMAND, [command]);
    const name = command as ChatCommandName;
    const argumentNames = commandArguments[name] as readonly string[];
    const required = argumentNames.filter((arg) => !arg.endsWith('?')).length;
    if (args.length < required || args.length > argumentNames.length) {
      throw new ChatError(ChatErrorCode.WRONG_ARGUMENTS_COUNT, [command, argumentNames.map(argumentName)]);
    }
    const checked = fromPayload(argumentNames, this.validator.validate(name, toPayload(argumentNames, args)));
    if (!(await this.store.hasUser(userName))) throw new ChatError(ChatErrorCode.NO_USER, [userName]);
    if (connectionId !== undefined && !(await this.store.getConnections(userName)).includes(connectionId)) {
      throw new ChatError(ChatErrorCode.INVALID_SOCKET, [connectionId]);
    }
    return this.run({ userName, connectionId, bypassPermissions }, name, checked);
  }

  /** Creates a user (who may then be listed or messaged before it ever logs in). Rejects `invalidName`, `userExists`. */
  async addUser(userName: string, options: AddUserOptions = {}): Promise<void> {
    this.service.checkName(userName);
    for (const name of [...(options.blacklist ?? []), ...(options.whitelist ?? [])]) this.service.checkName(name);
    const limit = this.options.directListSizeLimit;
    // Refused before the user exists, so that a failed addUser leaves nothing behind.
    checkListSizes({ blacklist: options.blacklist, whitelist: options.whitelist }, limit);
    if (!(await this.store.addUser(userName))) throw new ChatError(ChatErrorCode.USER_EXISTS, [userName]);
    if (options.blacklist?.length) await this.store.addToDirectList(userName, 'blacklist', options.blacklist, limit);
    if (options.whitelist?.length) await this.store.addToDirectList(userName, 'whitelist', options.whitelist, limit);
    if (options.whitelistOnly) await this.store.setDirectWhitelistMode(userName, true);
    this.emit('join', userName);
  }

  /** Deletes an offline user. Rejects `noUser`, `userOnline`. */
  async deleteUser(userName: string): Promise<void> {
    if (!(await this.store.hasUser(userName))) throw new ChatError(ChatErrorCode.NO_USER, [userName]);
    if ((await this.store.getConnections(userName)).length > 0) throw new ChatError(ChatErrorCode.USER_ONLINE, [userName]);
    await this.store.deleteUser(userName);
    this.emit('leave', userName);
  }

  /** Whether the user exists. */
  hasUser(userName: string): Promise<boolean> {
    return this.store.hasUser(userName);
  }

  /** Ids of the user's open connections (on every node). */
  getUserConnections(userName: string): Promise<string[]> {
    return this.store.getConnections(userName);
  }

  /** Closes every connection of the user on this node. */
  async disconnectUser(userName: string, code = 1000, reason = ''): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [connection, user] of this.users) if (user === userName) closing.push(connection.close(code, reason));
    await Promise.all(closing);
  }

  /** Creates a room. Rejects `invalidName`, `roomExists`, `listLimitExceeded`, `badArgument` (data nested too deep). */
  async addRoom(roomName: string, options: AddRoomOptions = {}): Promise<void> {
    const { owner = null, adminlist = [], whitelist = [], blacklist = [], ...settings } = options;
    for (const name of [roomName, ...(owner === null ? [] : [owner]), ...adminlist, ...whitelist, ...blacklist]) this.service.checkName(name);
    if (settings.historyMaxSize !== undefined) checkSize(settings.historyMaxSize);
    if (nestedDeeperThan(settings.data, MAX_ARGUMENT_DEPTH)) {
      throw new ChatError(ChatErrorCode.BAD_ARGUMENT, ['data', `must not be nested deeper than ${MAX_ARGUMENT_DEPTH} levels`]);
    }
    const limit = this.options.roomListSizeLimit;
    // Refused before the room exists, so that a failed addRoom leaves nothing behind.
    checkListSizes({ adminlist, whitelist, blacklist }, limit);
    if (!(await this.store.createRoom(newRoomState(this.service, roomName, owner, settings)))) throw new ChatError(ChatErrorCode.ROOM_EXISTS, [roomName]);
    if (adminlist.length > 0) await this.store.addToRoomList(roomName, 'adminlist', adminlist, limit);
    if (whitelist.length > 0) await this.store.addToRoomList(roomName, 'whitelist', whitelist, limit);
    if (blacklist.length > 0) await this.store.addToRoomList(roomName, 'blacklist', blacklist, limit);
  }

  /** Deletes a room; its members get `roomAccessRemoved`. Rejects `noRoom`. */
  deleteRoom(roomName: string): Promise<void> {
    return deleteRoom(this.service, roomName);
  }

  /** Whether the room exists. */
  async hasRoom(roomName: string): Promise<boolean> {
    return (await this.store.getRoom(roomName)) !== undefined;
  }

  /** Gives the room a new owner (or none); the old owner keeps access only if the lists allow. */
  async changeRoomOwner(roomName: string, owner: string | null): Promise<void> {
    const room = await this.service.room(roomName);
    if (owner !== null) this.service.checkName(owner);
    await this.store.updateRoom(roomName, { owner });
    if (room.owner !== null) await this.service.revalidate(roomName, [room.owner]);
  }

  /** Changes how many messages the room keeps, trimming the oldest. */
  async changeRoomHistoryMaxSize(roomName: string, historyMaxSize: number): Promise<void> {
    checkSize(historyMaxSize);
    if (!(await this.store.setHistoryMaxSize(roomName, historyMaxSize))) throw new ChatError(ChatErrorCode.NO_ROOM, [roomName]);
  }

  /** Changes a room's settings: notifications, visibility, presence. */
  async changeRoomSettings(roomName: string, changes: Pick<RoomChanges, 'enableUserlistUpdates' | 'enableAccessListsUpdates' | 'visible' | 'presence'>): Promise<void> {
    const { enableUserlistUpdates, enableAccessListsUpdates, visible, presence } = changes;
    if (!(await this.store.updateRoom(roomName, { enableUserlistUpdates, enableAccessListsUpdates, visible, presence }))) {
      throw new ChatError(ChatErrorCode.NO_ROOM, [roomName]);
    }
  }

  private async login(connection: ServerConnection, handshake: Handshake, request: HttpRequest | undefined): Promise<void> {
    let login: LoginResult;
    try {
      login = await this.authenticate(connection.id, handshake.payload, request);
    } catch (reason) {
      handshake.reject(reason);
      return;
    }
    const { userName } = login;
    try {
      this.users.set(connection, userName);
      const nconnected = await this.store.addConnection(userName, connection.id);
      if (!handshake.resolve(login)) {
        // The socket went away during the login: nothing may stay behind for it.
        this.users.delete(connection);
        await this.store.removeConnection(userName, connection.id, Date.now());
        return;
      }
      await connection.joinRoom(userChannel(userName));
      this.emit('link', userName, connection.id);
      void this.service.notifier.toUser(userName, connection.id, 'socketConnectEcho', connection.id, nconnected);
    } catch (error) {
      this.emit('error', error);
      if (!handshake.ended) handshake.reject(new ChatError(ChatErrorCode.INTERNAL_ERROR, []));
    }
  }

  /** Handshake payload → user, or throws the reason for `loginRejected`. */
  private async authenticate(connectionId: string, payload: unknown, request: HttpRequest | undefined): Promise<LoginResult> {
    const hook = this.service.hooks.authenticate;
    let userName: unknown;
    let authData: Record<string, unknown> = {};
    if (hook !== undefined) {
      const result = await hook(payload, { connectionId, request });
      userName = result?.userName;
      authData = result?.authData ?? {};
    } else {
      userName = (payload as { userName?: unknown } | undefined)?.userName;
    }
    if (userName === undefined || userName === null) throw new ChatError(ChatErrorCode.NO_LOGIN, []);
    if (typeof userName !== 'string') throw new ChatError(ChatErrorCode.INVALID_NAME, [String(userName)]);
    const name = userName;
    // Past the hook only the reason given to `reject` goes to the client as is: a store or listener
    // failure is reported here and the client gets internalError, never its text.
    let rejection: { reason: unknown } | undefined;
    await this.guard(async () => {
      this.service.checkName(name);
      const isNewUser = !(await this.store.hasUser(name));
      this.emit('authenticate', name, { isNewUser, auth: payload }, (reason) => {
        rejection ??= { reason: reason ?? new ChatError(ChatErrorCode.NOT_ALLOWED, []) };
      });
    });
    if (rejection !== undefined) throw rejection.reason;
    await this.guard(async () => {
      if (await this.store.addUser(name)) this.emit('join', name);
      const { role, displayName } = authData;
      if (typeof role === 'string' || typeof displayName === 'string') {
        await this.store.setUserInfo(name, {
          ...(typeof role === 'string' ? { role } : {}),
          ...(typeof displayName === 'string' ? { displayName } : {}),
        });
      }
    });
    return { userName: name, authData: { ...authData, id: connectionId } };
  }

  private async handle(connection: ServerConnection, command: ChatCommandName, message: IncomingMessage): Promise<void> {
    const userName = this.users.get(connection);
    const answerBudget = this.answerBudgets.for(connection);
    try {
      if (userName === undefined) throw new ChatError(ChatErrorCode.NO_LOGIN, []);
      const args = fromPayload(commandArguments[command], this.validator.validate(command, message.payload));
      if (this.listenerCount('message') > 0) this.emit('message', userName, { command, args, connectionId: connection.id });
      const result = await this.run({ userName, connectionId: connection.id, bypassPermissions: false, answerBudget }, command, args);
      // Encoded and handed to the socket here: what the answer reserved is free again after.
      if (message.isRequest) message.resolve(result);
    } catch (error) {
      if (message.isRequest) message.reject(error);
    } finally {
      answerBudget.release();
    }
  }

  /** Runs a command with its hooks and the command timeout; every failure comes out as a ChatError. */
  private run(context: CommandContext, command: ChatCommandName, args: unknown[]): Promise<unknown> {
    const deadlines = this.deadlines;
    if (deadlines === undefined) return this.runHooked(context, command, args);
    const controller = new AbortController();
    return new Promise((resolve, reject) => {
      const deadline: CommandDeadline = {
        expire: () => {
          // Late work sees the signal and stops before it changes state (see throwIfExpired).
          controller.abort();
          reject(new ChatError(ChatErrorCode.TIMEOUT, [command]));
        },
      };
      deadlines.add(deadline);
      this.runHooked({ ...context, signal: controller.signal }, command, args).then(
        (result) => {
          deadlines.delete(deadline);
          resolve(result);
        },
        (error: unknown) => {
          deadlines.delete(deadline);
          reject(error);
        },
      );
    });
  }

  private async runHooked(context: CommandContext, command: ChatCommandName, args: unknown[]): Promise<unknown> {
    const hooks = this.service.hooks;
    type Hook = (...hookArgs: unknown[]) => unknown;
    let current = args;
    const before = hooks.before?.[command] as Hook | undefined;
    if (before !== undefined) {
      const answer = (await this.guard(() => before(context, current))) as { args?: unknown[]; result?: unknown } | undefined;
      if (answer !== undefined && answer !== null && 'result' in answer) return answer.result;
      if (answer?.args !== undefined) current = answer.args;
      throwIfExpired(context, command);
    }
    const outcome: { result?: unknown; error?: ChatError } = {};
    try {
      const implementation = commands[command] as unknown as (...commandArgs: unknown[]) => Promise<unknown>;
      outcome.result = await implementation(this.service, context, ...current);
    } catch (error) {
      outcome.error = this.toChatError(error);
    }
    const after = hooks.after?.[command] as Hook | undefined;
    if (after !== undefined) {
      const answer = (await this.guard(() => after(context, current, outcome))) as { result?: unknown } | undefined;
      if (answer !== undefined && answer !== null && 'result' in answer) return answer.result;
    }
    if (outcome.error !== undefined) throw outcome.error;
    return outcome.result;
  }

  private async guard(hook: () => unknown): Promise<unknown> {
    try {
      return await hook();
    } catch (error) {
      throw this.toChatError(error);
    }
  }

  /** A ChatError stays; anything else is reported and becomes `internalError` (its text stays on the server). */
  private toChatError(error: unknown): ChatError {
    if (error instanceof ChatError) return error;
    this.emit('error', error);
    return new ChatError(ChatErrorCode.INTERNAL_ERROR, [], { cause: error });
  }

  private async logout(connection: ServerConnection): Promise<void> {
    const userName = this.users.get(connection);
    if (userName === undefined) return;
    this.users.delete(connection);
    const id = connection.id;
    try {
      const removal = await this.store.removeConnection(userName, id, Date.now());
      for (const { roomName, njoined } of removal.rooms) {
        const room = await this.store.getRoom(roomName);
        if (room !== undefined) await this.service.left(room, userName, id, njoined);
      }
      void this.service.notifier.toUser(userName, id, 'socketDisconnectEcho', id, removal.nconnected);
      await this.service.hooks.disconnect?.(userName, id);
    } catch (error) {
      this.emit('error', error);
    }
    this.emit('unlink', userName, id);
  }
}

/** Throws `listLimitExceeded` for the first list with more distinct names than `limit` (the lists start empty). */
function checkListSizes(lists: Record<string, string[] | undefined>, limit: number): void {
  for (const [listName, names] of Object.entries(lists)) {
    if (names !== undefined && new Set(names).size > limit) throw new ChatError(ChatErrorCode.LIST_LIMIT_EXCEEDED, [listName]);
  }
}

/** A running command's place in the timeout queue. */
interface CommandDeadline {
  expire(): void;
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new ChatError(ChatErrorCode.BAD_ARGUMENT, ['historyMaxSize', 'must be a non-negative integer']);
}
