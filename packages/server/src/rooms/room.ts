import type { BroadcastTarget } from './adapter.js';

/** What a room handle needs from the server. */
export interface RoomHost {
  /** @internal */
  broadcastTo(name: string, payload: unknown, target: BroadcastTarget): Promise<void>;
  /** @internal */
  roomMembers(room: string): Promise<string[]>;
}

/** Options of {@link Room.broadcast}. */
export interface RoomBroadcastOptions {
  /** A connection (or its id) that must not receive the message, typically the sender. */
  except?: { id: string } | string;
  /** Members of this room do not receive it either: e.g. every connection of the sending user, when each joins a room of its user. */
  exceptRoom?: string;
}

/** The adapter's target of a broadcast with these options. */
export function broadcastTarget(room: string | undefined, options: RoomBroadcastOptions): BroadcastTarget {
  const except = options.except;
  return { room, except: typeof except === 'string' ? except : except?.id, exceptRoom: options.exceptRoom };
}

/**
 * A handle on a room, from `server.getRoom(name)`. It holds no state: membership lives in the
 * server's adapter, so the handle stays valid across nodes and after the room empties.
 *
 * @example
 * await connection.joinRoom('lobby');
 * await server.getRoom('lobby').broadcast('news', 'hello', { except: connection });
 */
export class Room {
  /** @internal */
  constructor(
    private readonly host: RoomHost,
    /** Room name. */
    readonly name: string,
  ) {}

  /** Sends a fire-and-forget message to every member (encoded once for all). */
  broadcast(name: string, payload?: unknown, options: RoomBroadcastOptions = {}): Promise<void> {
    return this.host.broadcastTo(name, payload, broadcastTarget(this.name, options));
  }

  /** Ids of the members, across the cluster. */
  getConnectionIds(): Promise<string[]> {
    return this.host.roomMembers(this.name);
  }
}
