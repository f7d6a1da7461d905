import type { IncomingMessage as HttpRequest } from 'node:http';
import type { Handshake, ServerConnection } from '@volley/server';
import type { LoginResult } from './chat-api.js';
import { ChatError, ChatErrorCode } from './chat-error.js';
import type { ChatEmitter } from './chat-events.js';
import type { ChatService } from './chat-service.js';
import type { ChatStore } from './chat-store.js';
import type { CommandPipeline } from './command-pipeline.js';
import { userChannel } from './notifier.js';

/** How many users the `userList` of server presence names at most (the first by name). */
const SERVER_PRESENCE_LIST = 1000;

/**
 * Who is logged in on this node: a connection logs in through the Volley handshake (the
 * authenticate hook, then the `authenticate` listeners, then its user is created if new) and out
 * when it closes, or when its node died (on the node that found it dead). The events come in Krmx's order: `join`, `link`, then `unlink`.
 */
export class Logins {
  /** Logged-in connections of this node → their user. */
  private readonly users = new Map<ServerConnection, string>();
  /** Logouts in progress. */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly service: ChatService,
    private readonly pipeline: CommandPipeline,
    private readonly events: ChatEmitter,
    /** Read at each login: `acceptNewUsers` changes at run time. */
    private readonly settings: { readonly acceptNewUsers: boolean; readonly authenticateTimeout: number },
  ) {}

  /** The user a connection of this node is logged in as. */
  userOf(connection: ServerConnection): string | undefined {
    return this.users.get(connection);
  }

  private get store(): ChatStore {
    return this.service.store;
  }

  /** A `handshake` arrived: authenticate, register the connection, answer the handshake. */
  async login(connection: ServerConnection, handshake: Handshake, request: HttpRequest | undefined): Promise<void> {
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
      this.events.emit('link', userName, connection.id);
      void this.service.notifier.toUser(userName, connection.id, 'socketConnectEcho', connection.id, nconnected);
      if (this.service.options.serverPresence) await this.announceLink(connection.id, userName, nconnected);
    } catch (error) {
      this.events.emit('error', error);
      if (!handshake.ended) handshake.reject(new ChatError(ChatErrorCode.INTERNAL_ERROR, []));
    }
  }

  /** Server presence: the user list to the new connection and, for a user's first one, `userLinked` to the others. */
  private async announceLink(connectionId: string, userName: string, nconnected: number): Promise<void> {
    const users = await this.store.listUsers(undefined, SERVER_PRESENCE_LIST);
    void this.service.notifier.toConnection(connectionId, 'userList', users);
    if (nconnected === 1) void this.service.notifier.toEveryone(connectionId, 'userLinked', userName);
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
    // Past the hook a store failure is reported here and the client gets internalError, never its
    // text; what an `authenticate` listener rejects with or throws goes to the client as it is.
    let isNewUser = false;
    await this.pipeline.guard(async () => {
      this.service.checkName(name);
      isNewUser = !(await this.store.hasUser(name));
    });
    if (isNewUser && !this.settings.acceptNewUsers) throw new ChatError(ChatErrorCode.NOT_ALLOWED, [name]);
    const rejection = await this.askListeners(name, { isNewUser, auth: payload });
    if (rejection !== undefined) throw rejection.reason;
    await this.pipeline.guard(async () => {
      if (await this.store.addUser(name)) {
        this.events.emit('join', name);
        if (this.service.options.serverPresence) void this.service.notifier.toEveryone(undefined, 'userJoined', name);
      }
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

  /**
   * The `authenticate` listeners in turn, each awaited (a listener may be async), together within
   * `authenticateTimeout`: the first `reject(reason)`, or a ChatError or string thrown, refuses the
   * login with that reason; another throw refuses it with `internalError` and is reported.
   */
  private async askListeners(userName: string, info: { isNewUser: boolean; auth: unknown }): Promise<{ reason: unknown } | undefined> {
    let rejection: { reason: unknown } | undefined;
    const reject = (reason?: unknown): void => {
      rejection ??= { reason: reason ?? new ChatError(ChatErrorCode.NOT_ALLOWED, []) };
    };
    const listeners = this.events.listeners('authenticate');
    if (listeners.length === 0) return undefined;
    const asked = (async () => {
      for (const listener of listeners) {
        try {
          await listener.call(this.events, userName, info, reject);
        } catch (thrown) {
          // A ChatError or a string is a reason given on purpose; anything else is a bug, whose
          // text stays on the server.
          if (thrown instanceof ChatError || typeof thrown === 'string') reject(thrown);
          else {
            this.events.emit('error', thrown);
            reject(new ChatError(ChatErrorCode.INTERNAL_ERROR, []));
          }
        }
        if (rejection !== undefined) return;
      }
    })();
    const timeout = this.settings.authenticateTimeout;
    if (timeout === 0) await asked;
    else {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeout)));
      const settled = await Promise.race([asked.then(() => true), late.then(() => false)]);
      clearTimeout(timer);
      if (!settled) reject(new ChatError(ChatErrorCode.TIMEOUT, ['authenticate']));
    }
    return rejection;
  }

  /** A connection closed: log it out of its rooms and of its user. */
  logout(connection: ServerConnection): Promise<void> {
    const userName = this.users.get(connection);
    if (userName === undefined) return Promise.resolve();
    this.users.delete(connection);
    return this.track(this.loggedOut(userName, connection.id));
  }

  /** Resolves once every logout in progress (now) has finished: `stop()` and `kick()` wait for them. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private track(logout: Promise<void>): Promise<void> {
    this.pending.add(logout);
    return logout.finally(() => this.pending.delete(logout));
  }

  /**
   * A connection of another node ended without closing (its node died; this node removed it
   * from the cluster): log it out as if it had closed, so that its rooms and its user's other
   * connections hear of it. Rejects, after reporting it, when the store cannot tell whose it was:
   * the cluster adapter then hands the connection over again later (a connection already logged
   * out has no user, so a second hand-over does nothing).
   */
  async logoutLost(id: string): Promise<void> {
    let userName: string | undefined;
    try {
      userName = await this.store.getConnectionUser(id);
    } catch (error) {
      this.events.emit('error', error);
      throw error;
    }
    if (userName !== undefined) await this.track(this.loggedOut(userName, id));
  }

  private async loggedOut(userName: string, id: string): Promise<void> {
    try {
      const removal = await this.store.removeConnection(userName, id, Date.now());
      for (const { roomName, njoined } of removal.rooms) {
        const room = await this.store.getRoom(roomName);
        if (room !== undefined) await this.service.left(room, userName, id, njoined);
      }
      void this.service.notifier.toUser(userName, id, 'socketDisconnectEcho', id, removal.nconnected);
      if (removal.nconnected === 0 && this.service.options.serverPresence) void this.service.notifier.toEveryone(undefined, 'userUnlinked', userName);
      await this.service.hooks.disconnect?.(userName, id);
    } catch (error) {
      this.events.emit('error', error);
    }
    this.events.emit('unlink', userName, id);
  }
}
