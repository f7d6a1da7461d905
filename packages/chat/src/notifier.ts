import type { RoomBroadcastOptions, Server } from '@volley/server';
import { type ChatNotifications, notificationArguments, toPayload } from './chat-api.js';

/** Notifications sent as frames (login outcomes ride on the handshake). */
export type WireNotification = Exclude<keyof ChatNotifications, 'loginConfirmed' | 'loginRejected'>;

/** Volley room holding every joined connection of chat room `roomName`. */
export function roomChannel(roomName: string): string {
  return `chat:room:${roomName}`;
}

/** Volley room holding every connection of user `userName`. */
export function userChannel(userName: string): string {
  return `chat:user:${userName}`;
}

/**
 * Delivers notifications through Volley rooms: one per chat room and one per user, so that each
 * notification is encoded once and reaches connections on every node through the server's
 * adapter. Delivery failures are reported through `onError`, never thrown into a command.
 */
export class Notifier {
  constructor(
    private readonly server: Server,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** To every joined connection of a room, except one. */
  toRoom<K extends WireNotification>(roomName: string, except: string | undefined, name: K, ...args: Parameters<ChatNotifications[K]>): Promise<void> {
    return this.deliver(roomChannel(roomName), { except }, name, args);
  }

  /** To every joined connection of a room except those of one user (the room's other members). */
  toOtherMembers<K extends WireNotification>(roomName: string, userName: string, name: K, ...args: Parameters<ChatNotifications[K]>): Promise<void> {
    return this.deliver(roomChannel(roomName), { exceptRoom: userChannel(userName) }, name, args);
  }

  /** To every logged-in connection, on every node, except one. */
  toEveryone<K extends WireNotification>(except: string | undefined, name: K, ...args: Parameters<ChatNotifications[K]>): Promise<void> {
    return this.deliver(undefined, { except }, name, args);
  }

  /** To every connection of a user, except one. */
  toUser<K extends WireNotification>(userName: string, except: string | undefined, name: K, ...args: Parameters<ChatNotifications[K]>): Promise<void> {
    return this.deliver(userChannel(userName), { except }, name, args);
  }

  /** To one connection, on whatever node it is (one that is gone is skipped). */
  toConnection<K extends WireNotification>(connectionId: string, name: K, ...args: Parameters<ChatNotifications[K]>): Promise<void> {
    return this.server
      .connection(connectionId)
      .sendWithoutResponse(name, toPayload(notificationArguments[name], args))
      .then(() => undefined, this.onError);
  }

  /** One broadcast to a Volley room (`undefined`: every connection), reported rather than thrown. */
  private deliver(channel: string | undefined, options: RoomBroadcastOptions, name: WireNotification, args: unknown[]): Promise<void> {
    const payload = toPayload(notificationArguments[name], args);
    const sent = channel === undefined ? this.server.broadcast(name, payload, options) : this.server.getRoom(channel).broadcast(name, payload, options);
    return sent.catch(this.onError);
  }
}
