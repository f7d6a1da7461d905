

/** What a room handle needs from the server. */
export interface RoomHost {
  /** @internal */
  broadcastTo(room: string | undefined, name: string, payload: unknown, except: string | undefined): Promise<void>;
  /** @internal */
  roomMembers(room: string): Promise<string[]>;
}

/** Options of {@link Room.broadcast}. */
export interface RoomBroadcastOptions {
  /** A connection (or its id) that must not receive the message, typically the sender. */
  except?: { id: string } | string;
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
    const except = options.except;
    return this.host.broadcastTo(this.name, name, payload, typeof except === 'string' ? except : except?.id);
  }

  /** Ids of the members, across the cluster. */
  getConnectionIds(): Promise<string[]> {
    return this.host.roomMembers(this.name);
  }
}
