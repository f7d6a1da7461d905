/**
 * The cluster seam: room membership and broadcast. The server never reads room state itself; it
 * asks its adapter. Every operation may be asynchronous so that an implementation can keep state
 * elsewhere (Redis) and span several nodes. A broadcast arrives already encoded: the adapter
 * fans out the same bytes to every member.
 */

/** A local connection as the adapter sees it. */
export interface AdapterMember {
  /** Connection id, unique across the cluster. */
  readonly id: string;
  /** Writes an already encoded frame to this connection's socket; a closed one ignores it. */
  deliver(frame: Uint8Array | string): void;
}

/**
 * Something to do to one connection, wherever it is connected: send it a fire-and-forget
 * message, join it to a room or take it out of one, or close it. A cluster adapter carries it to
 * the connection's node, whose server applies it.
 */
export type ConnectionOperation =
  | { type: 'send'; name: string; payload?: unknown }
  | { type: 'join'; room: string }
  | { type: 'leave'; room: string }
  | { type: 'close'; code: number; reason: string };

/** What the server lends its adapter. */
export interface AdapterNode {
  /** Every connected (handshake done) connection of this node. */
  connections(): Iterable<AdapterMember>;
  /** The local connected connection with this id, if any. */
  connection(id: string): AdapterMember | undefined;
  /**
   * Sends a request to the local connected connection `id` and resolves with its client's answer
   * (a cluster adapter serves other nodes' `server.send()` with it). Rejects as
   * `ServerConnection.send` does; `DISCONNECTED` when no such connection is here.
   */
  request(id: string, name: string, payload: unknown, timeout: number): Promise<unknown>;
  /**
   * Applies an operation to the local connected connection `id` (a cluster adapter serves other
   * nodes' `server.connection(id)` with it); false when no such connection is here.
   */
  apply(id: string, operation: ConnectionOperation): Promise<boolean>;
  /**
   * Connections of a dead node that this node removed from the cluster (a cluster adapter calls
   * it on the one node that removes them): the server emits `connectionLost` for each. Resolves
   * once the listeners have finished; rejects when one failed, and then the adapter should hand
   * the connections over again later.
   */
  lost(ids: readonly string[]): Promise<void>;
}

/** Which members a broadcast reaches. */
export interface BroadcastTarget {
  /** Only members of this room; every connected connection when absent. */
  room?: string;
  /** Id of a connection to leave out (typically the sender). */
  except?: string;
  /**
   * Members of this room are left out as well (every connection of one user, when each joins a
   * room of its user). Each node leaves out its own members of it: nothing crosses nodes but the name.
   */
  exceptRoom?: string;
}

/**
 * Room membership and broadcast. Contract (run against every implementation by the adapter
 * contract suite): joining twice is a no-op; a room with no members does not exist; `leaveAll`
 * removes a member from every room; `broadcast` delivers each frame at most once per member.
 */
export interface Adapter {
  /** Called once by `server.start()`, before any other method. */
  attach(node: AdapterNode): void | Promise<void>;
  /** Adds a local member to a room, creating the room. */
  join(member: AdapterMember, room: string): void | Promise<void>;
  /** Removes a local member from a room; the room vanishes when empty. */
  leave(member: AdapterMember, room: string): void | Promise<void>;
  /** Removes a local member from every room (the connection closed). */
  leaveAll(member: AdapterMember): void | Promise<void>;
  /**
   * Rooms a local member is in. Synchronous: a member's joins all go through its own node, so
   * every adapter knows them locally (a cluster adapter keeps its local members' rooms in memory,
   * as the in-memory adapter it extends does); only cluster-wide queries are asynchronous.
   */
  roomsOf(member: AdapterMember): string[];
  /** Ids of the members of a room, across the cluster. */
  members(room: string): string[] | Promise<string[]>;
  /** Names of the rooms that have members. */
  rooms(): string[] | Promise<string[]>;
  /** A local member completed its handshake: a cluster adapter records which node owns it. */
  connected?(member: AdapterMember): void | Promise<void>;
  /**
   * True when a connection of another node has this id (a cluster adapter keeps a copy of the
   * cluster's registry): `setId` then refuses the id with `ID_CONFLICT`, as for a local one.
   */
  hasId?(id: string): boolean;
  /** A local member's connection closed (after `leaveAll`). */
  disconnected?(member: AdapterMember): void | Promise<void>;
  /**
   * Sends a request to connection `id` on another node and resolves with its client's answer;
   * rejects `MESSAGE_TIMEOUT`, `MESSAGE_REJECTED` (the client's error in `payload`) or
   * `DISCONNECTED` (no such connection, or its node is gone), as a local send would. Without this
   * method only local connections can be sent to.
   */
  request?(id: string, name: string, payload: unknown, timeout: number): Promise<unknown>;
  /**
   * Applies an operation to connection `id` on another node; resolves false when no node has it.
   * Rejects `DISCONNECTED` when the cluster cannot be reached. Without this method only local
   * connections can be acted on.
   */
  apply?(id: string, operation: ConnectionOperation, timeout: number): Promise<boolean>;
  /** Delivers one encoded frame to every targeted member. */
  broadcast(frame: Uint8Array | string, target: BroadcastTarget): void | Promise<void>;
  /** Called by `server.stop()`. */
  close(): void | Promise<void>;
}
