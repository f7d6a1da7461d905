import { Client, type ClientDisconnectInfo, ClientEvent, type ClientOptions, type ClientState, ErrorCode, VolleyError } from '@volley/client';
import { EventListeners } from '@volley/session';
import {
  type AuthData,
  type ChatCommandName,
  type ChatCommands,
  type ChatNotifications,
  chatCommandNames,
  commandArguments,
  fromPayload,
  isChatName,
  type LoginResult,
  notificationArguments,
  toPayload,
  wireNotificationNames,
} from './chat-api.js';
import { ChatError } from './chat-error.js';

/** Options of {@link ChatClient}: the Volley client's, plus the login payload. */
export interface ChatClientOptions extends Omit<ClientOptions, 'handshake'> {
  /** What the server's authenticate hook gets (a token, or `{userName}` without a hook). @default undefined */
  auth?: unknown;
  /** Time opening the socket and logging in may take. @default 30000 */
  loginTimeout?: number;
  /**
   * Carry the login payload in the WebSocket upgrade (the Volley client's `handshake.viaUpgrade`):
   * one round trip less per login. @default true
   */
  loginViaUpgrade?: boolean;
  /**
   * With `loginViaUpgrade`, take the login's answer from a header of the 101 response when the
   * server gives it at once (the Volley client's `handshake.answerInUpgrade`): no frame on login.
   * Turn it off behind a proxy that drops unknown response headers.
   * @default true with ws in Node, false in browsers
   */
  loginAnswerInUpgrade?: boolean;
  /** After a reconnection, join again the rooms this client had joined. @default true */
  rejoin?: boolean;
}

/** Events of {@link ChatClient}: every notification, plus the connection's lifecycle. */
export type ChatClientEvents = ChatNotifications & {
  /** The socket closed; `willReconnect` tells whether a new login will follow. */
  disconnected(info: ClientDisconnectInfo): void;
  /** A reconnection attempt is scheduled. */
  reconnecting(info: { attempt: number; delay: number }): void;
  /** A local error: a transport failure no command could be told about, or a failed rejoin. */
  error(error: Error): void;
};

/** Promise-returning command methods, one per {@link ChatCommands} entry. */
export type ChatCommandMethods = {
  [K in ChatCommandName]: (...args: Parameters<ChatCommands[K]>) => Promise<ReturnType<ChatCommands[K]>>;
};

/**
 * The chat client, for browsers and Node: a method per command (resolving with its result,
 * rejecting with a {@link ChatError} when the chat refused it or a `VolleyError` when the
 * transport failed) and an event per notification, with positional arguments.
 *
 * @example
 * import { WebSocket } from 'ws'; // Node only
 * const chat = new ChatClient('ws://localhost:8080', { WebSocket, auth: { token } });
 * chat.on('roomMessage', (roomName, message) => console.log(roomName, message.author, message.textMessage));
 * const { userName } = await chat.connect();
 * await chat.roomJoin('lobby');
 * await chat.roomMessage('lobby', { textMessage: `hello from ${userName}` });
 */
export class ChatClient {
  /** The Volley client underneath (state, pings, raw requests). */
  readonly client: Client;
  // Not eventemitter3: in a browser bundle it cost a kilobyte gzipped, for three methods used.
  private readonly listeners = new EventListeners();
  private readonly rejoin: boolean;
  private login: LoginResult | undefined;
  private logins = 0;
  /** Rooms joined through this client, rejoined after a reconnection. */
  private readonly rooms = new Map<string, string | undefined>();

  /** @throws TypeError for invalid options (see the Volley client's). */
  constructor(url: string, options: ChatClientOptions = {}) {
    const { auth, loginTimeout, loginViaUpgrade, loginAnswerInUpgrade, rejoin = true, ...clientOptions } = options;
    this.rejoin = rejoin;
    this.client = new Client(url, { ...clientOptions, handshake: { payload: auth, timeout: loginTimeout, viaUpgrade: loginViaUpgrade, answerInUpgrade: loginAnswerInUpgrade } });
    for (const name of wireNotificationNames) {
      const names = notificationArguments[name];
      this.client.on(name, (message) => {
        if (name === 'roomAccessRemoved') this.rooms.delete((message.payload as { roomName?: string } | undefined)?.roomName ?? '');
        this.listeners.emit(name, ...fromPayload(names, message.payload));
      });
    }
    this.client.on(ClientEvent.CONNECTED, (payload) => this.loggedIn(payload as LoginResult));
    this.client.on(ClientEvent.DISCONNECTED, (info) => this.emit('disconnected', info));
    this.client.on(ClientEvent.RECONNECTING, (info) => this.emit('reconnecting', info));
    this.client.on(ClientEvent.ERROR, (error) => {
      if (error.code === ErrorCode.HANDSHAKE_REJECTED) this.emit('loginRejected', reasonOf(error));
      else this.emit('error', error);
    });
  }

  /** Listens to a notification or lifecycle event; listeners get the notification's arguments in order. */
  on<K extends keyof ChatClientEvents>(event: K, listener: ChatClientEvents[K]): this {
    this.listeners.on(event, listener);
    return this;
  }

  /** Like {@link on}, for the next event only. */
  once<K extends keyof ChatClientEvents>(event: K, listener: ChatClientEvents[K]): this {
    this.listeners.on(event, listener, true);
    return this;
  }

  /** Removes every registration of `listener` for `event`, or every listener of `event` without one. */
  off<K extends keyof ChatClientEvents>(event: K, listener?: ChatClientEvents[K]): this {
    this.listeners.off(event, listener);
    return this;
  }

  /** The number of listeners of `event`. */
  listenerCount(event: keyof ChatClientEvents): number {
    return this.listeners.count(event);
  }

  /**
   * Connects and logs in; resolves with the user name and auth data (`loginConfirmed`). Rejects
   * with the server's reason (a ChatError when it is one) after emitting `loginRejected`.
   */
  async connect(): Promise<LoginResult> {
    try {
      await this.client.connect();
    } catch (error) {
      if (error instanceof VolleyError && error.code === ErrorCode.HANDSHAKE_REJECTED) {
        const reason = reasonOf(error);
        this.emit('loginRejected', reason);
        throw reason instanceof ChatError ? reason : error;
      }
      throw error;
    }
    return this.login!;
  }

  /** Closes the connection; no reconnection follows. */
  disconnect(): Promise<void> {
    return this.client.disconnect();
  }

  /** The logged-in user, once connected. */
  get userName(): string | undefined {
    return this.login?.userName;
  }

  /** The auth data of the current login (with this connection's `id`). */
  get authData(): AuthData | undefined {
    return this.login?.authData;
  }

  /** The connection's state. */
  get state(): ClientState {
    return this.client.state;
  }

  /**
   * Runs a command by name with positional arguments (what the per-command methods do).
   * @param timeout ms; default: the client's `responseTimeout`.
   */
  async command<K extends ChatCommandName>(name: K, args: Parameters<ChatCommands[K]>, timeout?: number): Promise<ReturnType<ChatCommands[K]>> {
    const result = (await this.request(name, toPayload(commandArguments[name], args), timeout)) as ReturnType<ChatCommands[K]>;
    this.track(name, args);
    return result;
  }

  /**
   * Sends an application message (one the server handles with `chat.handle(name, …)`) and
   * resolves with its answer; rejects as a command does (a `ChatError` the handler threw, or
   * `noLogin`, arrives as a `ChatError`). Its name must not be a chat command or notification name.
   *
   * @example
   * const board = await chat.send<Board>('move', { from: 'e2', to: 'e4' });
   */
  send<T = unknown>(name: string, payload?: unknown, timeout?: number): Promise<T> {
    if (isChatName(name)) return Promise.reject(new TypeError(`"${name}" is a chat command or notification name`));
    return this.request(name, payload, timeout) as Promise<T>;
  }

  /** A request to the server; a refusal that carries a chat error rejects with that `ChatError`. */
  private async request(name: string, payload: unknown, timeout: number | undefined): Promise<unknown> {
    try {
      return await this.client.send(name, payload, timeout);
    } catch (error) {
      if (error instanceof VolleyError && error.code === ErrorCode.MESSAGE_REJECTED) throw ChatError.fromWire(error.payload) ?? error;
      throw error;
    }
  }

  /**
   * Receives the application messages `name` the server pushes (`chat.sendToUser`,
   * `chat.broadcastToUsers`); returns a function that stops receiving them.
   *
   * @example
   * const stop = chat.onMessage<{ turn: string }>('turn', ({ turn }) => render(turn));
   */
  onMessage<T = unknown>(name: string, listener: (payload: T) => void): () => void {
    if (isChatName(name)) throw new TypeError(`"${name}" is a chat command or notification name`);
    const handler = (message: { payload?: unknown }): void => listener(message.payload as T);
    this.client.on(name, handler);
    return () => void this.client.off(name, handler);
  }

  /** Calls the listeners of `event`; a throwing listener propagates to the caller, as with an emitter. */
  private emit<K extends keyof ChatClientEvents>(event: K, ...args: Parameters<ChatClientEvents[K]>): void {
    this.listeners.emit(event, ...args);
  }

  private track(name: ChatCommandName, args: readonly unknown[]): void {
    if (name === 'roomJoin') this.rooms.set(args[0] as string, args[1] as string | undefined);
    else if (name === 'roomLeave' || name === 'roomDelete') this.rooms.delete(args[0] as string);
  }

  private loggedIn(login: LoginResult): void {
    this.login = login;
    this.logins++;
    this.emit('loginConfirmed', login.userName, login.authData);
    if (this.logins > 1 && this.rejoin) void this.rejoinRooms();
  }

  private async rejoinRooms(): Promise<void> {
    for (const [roomName, accessToken] of [...this.rooms]) {
      try {
        await this.command('roomJoin', accessToken === undefined ? [roomName] : [roomName, accessToken]);
      } catch (error) {
        this.rooms.delete(roomName);
        this.emit('error', error as Error);
      }
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface ChatClient extends ChatCommandMethods {}

for (const name of chatCommandNames) {
  Object.defineProperty(ChatClient.prototype, name, {
    value(this: ChatClient, ...args: unknown[]) {
      return this.command(name, args as never);
    },
    writable: true,
    configurable: true,
  });
}

/** The server's rejection reason: a ChatError when it is one, else the wire value as sent. */
function reasonOf(error: VolleyError): unknown {
  return ChatError.fromWire(error.payload) ?? error.payload;
}
