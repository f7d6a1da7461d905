import type { DirectListName, EditableRoomListName, ProcessedMessage, RoomSummary, UserSeen, UserSummary } from './chat-api.js';

/**
 * The chat's state seam. All chat state (users, their connections and lists, rooms, membership,
 * history) lives behind this interface, so that one node can keep it in memory and several nodes
 * can share it in Redis. The chat service holds no state of its own besides local sockets.
 *
 * Contract, run against every implementation by the chat contract suite:
 * - Every method may be asynchronous and is called with already-validated names.
 * - The methods marked **atomic** must behave as one indivisible step even when several nodes call
 *   them at once: join counting (`joinRoom`, `leaveRoom`, `removeUserFromRoom`,
 *   `removeConnection`), history id allocation (`addMessage`), list edits with their size limit
 *   (`addToRoomList`, `addToDirectList`, `removeFromRoomList`, `removeFromDirectList`), and
 *   creation (`addUser`, `createRoom`).
 * - Reads return copies: mutating a returned array or object never changes the store.
 * - Operations on a room that does not exist return `undefined` / `false` rather than throwing;
 *   the service turns that into `noRoom`.
 */
export interface ChatStore {
  // --- users ---
  /** **Atomic.** Creates the user if absent; true when it was created. */
  addUser(userName: string): Promise<boolean>;
  /** Whether the user exists. */
  hasUser(userName: string): Promise<boolean>;
  /** Deletes the user, its lists and its info; false when absent. Connections are the caller's concern. */
  deleteUser(userName: string): Promise<boolean>;
  /** Stores what presence shows about the user (role, display name). */
  setUserInfo(userName: string, info: UserInfo): Promise<void>;
  /** What presence shows about the user; `{}` when nothing was stored. */
  getUserInfo(userName: string): Promise<UserInfo>;
  /**
   * A page of the users, in name order, with names after `after`, at most `limit`, each with its
   * number of connections. Costs O(log users + limit): keep an index.
   */
  listUsers(after: string | undefined, limit: number): Promise<UserSummary[]>;

  // --- connections ---
  /** **Atomic.** Binds a connection to a user (creating the user); returns the user's connection count after. */
  addConnection(userName: string, connectionId: string): Promise<number>;
  /**
   * **Atomic.** Unbinds a connection and removes it from every room; returns the count after and,
   * per room it was in, how many of the user's connections stay joined there.
   */
  removeConnection(userName: string, connectionId: string, now: number): Promise<ConnectionRemoval>;
  /** The user's connection ids. */
  getConnections(userName: string): Promise<string[]>;
  /**
   * The user a connection is bound to, until it is removed. Another node asks it when the
   * connection's own node died without logging it out.
   */
  getConnectionUser(connectionId: string): Promise<string | undefined>;

  // --- direct-message access ---
  /** **Atomic.** Adds names to a user's list; throws `listLimitExceeded` (and adds nothing) past `limit`. */
  addToDirectList(userName: string, listName: DirectListName, names: string[], limit: number): Promise<void>;
  /** **Atomic.** Removes names from a user's list (absent names are ignored). */
  removeFromDirectList(userName: string, listName: DirectListName, names: string[]): Promise<void>;
  /** A user's list. */
  getDirectList(userName: string, listName: DirectListName): Promise<string[]>;
  /** Whether `name` is on the user's list. */
  isInDirectList(userName: string, listName: DirectListName, name: string): Promise<boolean>;
  /** Sets a user's direct whitelist-only mode. */
  setDirectWhitelistMode(userName: string, mode: boolean): Promise<void>;
  /** A user's direct whitelist-only mode (false for unknown users). */
  getDirectWhitelistMode(userName: string): Promise<boolean>;

  // --- rooms ---
  /**
   * **Atomic.** Creates a room with these settings; false (and nothing changes) when it exists.
   * With `maxOwned`, throws `roomsLimitExceeded` (and creates nothing) when the owner already owns
   * that many rooms.
   */
  createRoom(room: RoomState, maxOwned?: number): Promise<boolean>;
  /**
   * **Atomic.** Deletes a room with its lists, history and membership; returns who was joined
   * (user → connection ids), or undefined when there was no such room.
   */
  deleteRoom(roomName: string): Promise<Map<string, string[]> | undefined>;
  /** A room's settings, or undefined. */
  getRoom(roomName: string): Promise<RoomState | undefined>;
  /**
   * A page of the rooms `viewer` may see, sorted by name (code-unit order), with names after
   * `after`, at most `limit`: the visible rooms, and the hidden ones it is joined to or
   * admin-level in (owner, adminlist, token holder not blacklisted). Every room when `viewer` is
   * undefined (the server API). Must cost O(log rooms + limit + the viewer's own hidden rooms),
   * never O(rooms): keep an index.
   */
  listRooms(viewer: string | undefined, after: string | undefined, limit: number): Promise<RoomSummary[]>;
  /** Changes settings (not `name`, `lastMessageId` or `data`); false when there is no such room. */
  updateRoom(roomName: string, changes: RoomChanges): Promise<boolean>;
  /** Shallow-merges fields into the room data (`undefined` deletes a field); returns the result. */
  mergeRoomData(roomName: string, fields: Record<string, unknown>): Promise<Record<string, unknown> | undefined>;
  /** Sets `historyMaxSize`, trimming the oldest messages beyond it. */
  setHistoryMaxSize(roomName: string, size: number): Promise<boolean>;

  // --- room lists ---
  /** **Atomic.** Adds names to a room list; throws `listLimitExceeded` (adding nothing) past `limit`. */
  addToRoomList(roomName: string, listName: StoredRoomListName, names: string[], limit: number): Promise<void>;
  /** **Atomic.** Removes names from a room list. */
  removeFromRoomList(roomName: string, listName: StoredRoomListName, names: string[]): Promise<void>;
  /** Clears a room list. */
  clearRoomList(roomName: string, listName: StoredRoomListName): Promise<void>;
  /** A room list; `userlist` is the users with at least one joined connection. */
  getRoomList(roomName: string, listName: StoredRoomListName | 'userlist'): Promise<string[]>;
  /** Whether `name` is on a room list. */
  isInRoomList(roomName: string, listName: StoredRoomListName | 'userlist', name: string): Promise<boolean>;

  // --- membership ---
  /**
   * **Atomic.** Joins a connection to a room. `joined` is false for a duplicate join (nothing
   * changes); `njoined` is the user's joined connection count after. Records `now` as last seen
   * when the user's first connection joins.
   */
  joinRoom(roomName: string, userName: string, connectionId: string, now: number): Promise<MembershipChange>;
  /** **Atomic.** The reverse of {@link joinRoom}; `joined` false when it was not joined. Records `now` when the last one leaves. */
  leaveRoom(roomName: string, userName: string, connectionId: string, now: number): Promise<MembershipChange>;
  /** **Atomic.** Removes every connection of the user from the room; returns their ids. */
  removeUserFromRoom(roomName: string, userName: string, now: number): Promise<string[]>;
  /** The user's connections joined to the room. */
  getJoinedConnections(roomName: string, userName: string): Promise<string[]>;
  /** Rooms a connection is joined to. */
  getConnectionRooms(connectionId: string): Promise<string[]>;
  /** Whether the user is joined and when it last joined or left. */
  getUserSeen(roomName: string, userName: string): Promise<UserSeen>;

  // --- history ---
  /**
   * **Atomic.** Gives the message the room's next id (from 1), stores it and trims history to
   * `historyMaxSize` messages and, when given, `maxBytes` bytes of their JSON, dropping the oldest
   * (0 stores nothing, the id still advances). Undefined when there is no room.
   */
  addMessage(roomName: string, message: ProcessedMessage, maxBytes?: number): Promise<ProcessedMessage | undefined>;
  /**
   * The newest `limit` retained messages, newest first, as many as fit in `maxBytes` (their
   * JSON). Reads only what it returns: no copy of the rest of the history. Throws `answerTooLarge`
   * when not even the newest fits.
   */
  getRecentHistory(roomName: string, limit: number, maxBytes: number): Promise<HistoryPage>;
  /**
   * Retained messages with ids `afterId+1 … afterId+limit`, newest first; starting at the oldest
   * retained message when `afterId` predates it; `[]` when `afterId ≥ lastMessageId`. As many from
   * the oldest of them as fit in `maxBytes`; throws `answerTooLarge` when not even that one fits.
   */
  getHistory(roomName: string, afterId: number, limit: number, maxBytes: number): Promise<HistoryPage>;
  /** Number of retained messages. */
  getHistorySize(roomName: string): Promise<number>;

  /** Releases resources (connections to a database). */
  close(): Promise<void>;
}

/** Messages read from a room's history, and the bytes of their JSON. */
export interface HistoryPage {
  messages: ProcessedMessage[];
  bytes: number;
}

/** A room list kept in the store: the editable ones plus the access-token holders. */
export type StoredRoomListName = EditableRoomListName | 'tokenholders';

/** A room's settings as stored. */
export interface RoomState {
  name: string;
  owner: string | null;
  whitelistOnly: boolean;
  historyMaxSize: number;
  /** Id of the newest message ever added (0 before the first). */
  lastMessageId: number;
  visible: boolean;
  presence: boolean;
  accessToken: string | null;
  enableUserlistUpdates: boolean;
  enableAccessListsUpdates: boolean;
  data: Record<string, unknown>;
}

/** Settings {@link ChatStore.updateRoom} may change. */
export type RoomChanges = Partial<
  Pick<RoomState, 'owner' | 'whitelistOnly' | 'visible' | 'presence' | 'accessToken' | 'enableUserlistUpdates' | 'enableAccessListsUpdates'>
>;

/** What presence shows about a user. */
export interface UserInfo {
  role?: string;
  displayName?: string;
}

/** Result of a join or leave. */
export interface MembershipChange {
  /** False when nothing changed (duplicate join, or leave when not joined). */
  changed: boolean;
  /** The user's connections joined to the room after the call. */
  njoined: number;
}

/** Result of {@link ChatStore.removeConnection}. */
export interface ConnectionRemoval {
  /** The user's connections after. */
  nconnected: number;
  /** Rooms the connection was in, with the user's joined count there after. */
  rooms: { roomName: string; njoined: number }[];
}
