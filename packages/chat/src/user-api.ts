import { CloseCode, type IncomingMessage, type Server, type ServerConnection } from '@volley/server';
import { isChatName } from './chat-api.js';
import { ChatError, ChatErrorCode } from './chat-error.js';
import type { ChatEmitter } from './chat-events.js';
import type { ChatService } from './chat-service.js';
import type { UserSummary } from './chat-api.js';
import type { CommandPipeline } from './command-pipeline.js';
import type { Logins } from './login.js';
import { userChannel } from './notifier.js';

/** Who sent an application message (see `ChatServer.handle`). */
export interface MessageSender {
  userName: string;
  connectionId: string;
}

/** Handles an application message from a logged-in user; what it returns (or resolves with) is the answer. */
export type AppMessageHandler = (payload: unknown, sender: MessageSender) => unknown;

/** Options of `ChatServer.broadcastToUsers`. */
export interface UserBroadcastOptions {
  /** A user none of whose connections gets it (typically the one the message is about). */
  exceptUser?: string;
}

/**
 * The server API for applications built on the chat's users (a game server, as Krmx's): list the
 * users and whether they are online, push application messages to a user or to everyone, handle
 * the messages users send, and kick a user. Application message names must not be chat command
 * or notification names.
 */
export class UserApi {
  constructor(
    private readonly service: ChatService,
    private readonly volley: Server,
    private readonly logins: Logins,
    private readonly events: ChatEmitter,
    private readonly pipeline: CommandPipeline,
  ) {}

  /** Names of the application messages handled, removed from a shared server when the chat stops. */
  private readonly handled = new Set<string>();

  /** Removes the application message handlers (the chat leaves a server that is not its own). */
  close(): void {
    for (const name of this.handled) this.volley.unhandle(name);
    this.handled.clear();
  }

  /** A page of the users in name order with their connection count (0: offline), across nodes. */
  listUsers(after?: string, limit = 1000): Promise<UserSummary[]> {
    return this.service.store.listUsers(after, limit);
  }

  /** Pushes an application message to every connection of a user, on every node. */
  sendToUser(userName: string, name: string, payload?: unknown): Promise<void> {
    checkAppName(name);
    return this.volley.getRoom(userChannel(userName)).broadcast(name, payload);
  }

  /** Pushes an application message to every logged-in connection, except those of `exceptUser`. */
  broadcast(name: string, payload?: unknown, options: UserBroadcastOptions = {}): Promise<void> {
    checkAppName(name);
    return this.volley.broadcast(name, payload, options.exceptUser === undefined ? {} : { exceptRoom: userChannel(options.exceptUser) });
  }

  /** Handles application message `name` from every logged-in connection; replaces an earlier handler of it. */
  handle(name: string, handler: AppMessageHandler): void {
    checkAppName(name);
    this.volley.unhandle(name);
    this.handled.add(name);
    this.volley.handle(name, async (message: IncomingMessage, connection: ServerConnection) => {
      const userName = this.logins.userOf(connection);
      if (userName === undefined) return void message.reject(new ChatError(ChatErrorCode.NO_LOGIN, []));
      try {
        // As for commands: a ChatError reaches the client, anything else is reported and becomes
        // internalError, so that a bug's text stays on the server.
        message.resolve(await this.pipeline.guard(() => handler(message.payload, { userName, connectionId: connection.id })));
      } catch (error) {
        message.reject(error);
      }
    });
  }

  /**
   * Removes a user: closes every connection of it on every node with close code 4209 (`KICKED`:
   * its clients do not reconnect), waits for this node's logouts (`unlink` events), then deletes
   * the user (`leave`). It may log in again later unless the application refuses it.
   */
  async kick(userName: string, reason = 'kicked'): Promise<void> {
    const store = this.service.store;
    if (!(await store.hasUser(userName))) throw new ChatError(ChatErrorCode.NO_USER, [userName]);
    const connections = await store.getConnections(userName);
    await Promise.all(connections.map((id) => this.volley.connection(id).close(CloseCode.KICKED, reason)));
    await this.logins.settled();
    await store.deleteUser(userName);
    this.service.userLeft(userName, this.events);
  }
}

function checkAppName(name: string): void {
  if (isChatName(name)) throw new TypeError(`"${name}" is a chat command or notification name; application messages need names of their own`);
}
