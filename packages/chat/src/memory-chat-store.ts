import type { DirectListName, ProcessedMessage, RoomSummary, UserSeen, UserSummary } from './chat-api.js';
import { ChatError, ChatErrorCode } from './chat-error.js';
import type { ChatStore, ConnectionRemoval, HistoryPage, MembershipChange, RoomChanges, RoomState, StoredRoomListName, UserInfo } from './chat-store.js';
import { MessageLog } from './message-log.js';
import { RoomIndex } from './room-index.js';
import { SortedNames } from './sorted-names.js';

interface UserRecord {
  connections: Set<string>;
  blacklist: Set<string>;
  whitelist: Set<string>;
  whitelistOnly: boolean;
  info: UserInfo;
}

interface RoomRecord {
  state: RoomState;
  lists: Record<StoredRoomListName, Set<string>>;
  /** user → its joined connection ids (only users with at least one). */
  joined: Map<string, Set<string>>;
  /** user → ms of its last join or leave. */
  seen: Map<string, number>;
  /** Retained messages. */
  history: MessageLog;
}

/**
 * The default {@link ChatStore}: everything in this process's memory, lost on restart. Each
 * method runs to completion without yielding, which makes every operation atomic on one node.
 *
 * @example
 * const chat = new ChatServer({ port: 8080, store: new MemoryChatStore() });
 */
export class MemoryChatStore implements ChatStore {
  private readonly users = new Map<string, UserRecord>();
  private readonly rooms = new Map<string, RoomRecord>();
  /** connection id → rooms it is joined to. */
  private readonly connectionRooms = new Map<string, Set<string>>();
  /** connection id → its user. */
  private readonly connectionUsers = new Map<string, string>();
  private readonly index = new RoomIndex();
  /** Every user name, in order, for pages of users. */
  private readonly userNames = new SortedNames();

  async addUser(userName: string): Promise<boolean> {
    if (this.users.has(userName)) return false;
    this.user(userName);
    return true;
  }

  async hasUser(userName: string): Promise<boolean> {
    return this.users.has(userName);
  }

  async deleteUser(userName: string): Promise<boolean> {
    this.userNames.delete(userName);
    return this.users.delete(userName);
  }

  async listUsers(after: string | undefined, limit: number): Promise<UserSummary[]> {
    return this.userNames.after(after, limit).map((userName) => ({ userName, connections: this.users.get(userName)!.connections.size }));
  }

  async setUserInfo(userName: string, info: UserInfo): Promise<void> {
    this.user(userName).info = { ...info };
  }

  async getUserInfo(userName: string): Promise<UserInfo> {
    return { ...this.users.get(userName)?.info };
  }

  async addConnection(userName: string, connectionId: string): Promise<number> {
    const user = this.user(userName);
    user.connections.add(connectionId);
    this.connectionUsers.set(connectionId, userName);
    return user.connections.size;
  }

  async removeConnection(userName: string, connectionId: string, now: number): Promise<ConnectionRemoval> {
    const rooms: ConnectionRemoval['rooms'] = [];
    for (const roomName of this.connectionRooms.get(connectionId) ?? []) {
      const { njoined } = this.leave(roomName, userName, connectionId, now);
      rooms.push({ roomName, njoined });
    }
    this.connectionRooms.delete(connectionId);
    if (this.connectionUsers.get(connectionId) === userName) this.connectionUsers.delete(connectionId);
    const user = this.users.get(userName);
    user?.connections.delete(connectionId);
    return { nconnected: user?.connections.size ?? 0, rooms };
  }

  async getConnections(userName: string): Promise<string[]> {
    return [...(this.users.get(userName)?.connections ?? [])];
  }

  async getConnectionUser(connectionId: string): Promise<string | undefined> {
    return this.connectionUsers.get(connectionId);
  }

  async addToDirectList(userName: string, listName: DirectListName, names: string[], limit: number): Promise<void> {
    addAll(this.user(userName)[listName], names, limit, listName);
  }

  async removeFromDirectList(userName: string, listName: DirectListName, names: string[]): Promise<void> {
    const list = this.users.get(userName)?.[listName];
    for (const name of names) list?.delete(name);
  }

  async getDirectList(userName: string, listName: DirectListName): Promise<string[]> {
    return [...(this.users.get(userName)?.[listName] ?? [])];
  }

  async isInDirectList(userName: string, listName: DirectListName, name: string): Promise<boolean> {
    return this.users.get(userName)?.[listName].has(name) ?? false;
  }

  async setDirectWhitelistMode(userName: string, mode: boolean): Promise<void> {
    this.user(userName).whitelistOnly = mode;
  }

  async getDirectWhitelistMode(userName: string): Promise<boolean> {
    return this.users.get(userName)?.whitelistOnly ?? false;
  }

  async createRoom(room: RoomState, maxOwned?: number): Promise<boolean> {
    if (this.rooms.has(room.name)) return false;
    if (maxOwned !== undefined && room.owner !== null && this.index.ownedCount(room.owner) >= maxOwned) {
      throw new ChatError(ChatErrorCode.ROOMS_LIMIT_EXCEEDED, [room.owner]);
    }
    this.rooms.set(room.name, {
      state: { ...room, data: { ...room.data } },
      lists: { adminlist: new Set(), blacklist: new Set(), whitelist: new Set(), tokenholders: new Set() },
      joined: new Map(),
      seen: new Map(),
      history: new MessageLog(),
    });
    this.index.added(room.name, room.visible, room.owner);
    return true;
  }

  async deleteRoom(roomName: string): Promise<Map<string, string[]> | undefined> {
    const room = this.rooms.get(roomName);
    if (room === undefined) return undefined;
    this.rooms.delete(roomName);
    this.index.removed(roomName, room.state.owner, [...room.lists.adminlist, ...room.lists.tokenholders, ...room.joined.keys()]);
    const joined = new Map<string, string[]>();
    for (const [userName, connections] of room.joined) {
      joined.set(userName, [...connections]);
      for (const id of connections) this.connectionRooms.get(id)?.delete(roomName);
    }
    return joined;
  }

  async getRoom(roomName: string): Promise<RoomState | undefined> {
    const state = this.rooms.get(roomName)?.state;
    return state === undefined ? undefined : { ...state, data: structuredClone(state.data) };
  }

  async listRooms(viewer: string | undefined, after: string | undefined, limit: number): Promise<RoomSummary[]> {
    const names = this.index.page(viewer, after, limit, (roomName) => {
      const room = this.rooms.get(roomName);
      return room !== undefined && !room.state.visible && seesHidden(room, viewer!);
    });
    return names.map((name) => {
      const { owner, visible } = this.rooms.get(name)!.state;
      return { name, owner, members: this.rooms.get(name)!.joined.size, visible };
    });
  }

  async updateRoom(roomName: string, changes: RoomChanges): Promise<boolean> {
    const room = this.rooms.get(roomName);
    if (room === undefined) return false;
    const { owner, visible } = room.state;
    for (const [key, value] of Object.entries(changes)) {
      if (value !== undefined) (room.state as unknown as Record<string, unknown>)[key] = value;
    }
    if (room.state.visible !== visible) this.index.visibilityChanged(roomName, room.state.visible);
    if (room.state.owner !== owner) {
      this.index.ownerChanged(roomName, owner, room.state.owner);
      if (owner !== null) this.recheck(room, owner);
    }
    return true;
  }

  async mergeRoomData(roomName: string, fields: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    const room = this.rooms.get(roomName);
    if (room === undefined) return undefined;
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) delete room.state.data[key];
      else room.state.data[key] = structuredClone(value);
    }
    return structuredClone(room.state.data);
  }

  async setHistoryMaxSize(roomName: string, size: number): Promise<boolean> {
    const room = this.rooms.get(roomName);
    if (room === undefined) return false;
    room.state.historyMaxSize = size;
    room.history.trim(size);
    return true;
  }

  async addToRoomList(roomName: string, listName: StoredRoomListName, names: string[], limit: number): Promise<void> {
    const room = this.rooms.get(roomName);
    if (room === undefined) return;
    addAll(room.lists[listName], names, limit, listName);
    if (listName === 'adminlist' || listName === 'tokenholders') for (const name of names) this.index.relate(name, roomName);
  }

  async removeFromRoomList(roomName: string, listName: StoredRoomListName, names: string[]): Promise<void> {
    const room = this.rooms.get(roomName);
    if (room === undefined) return;
    for (const name of names) room.lists[listName].delete(name);
    for (const name of names) this.recheck(room, name);
  }

  async clearRoomList(roomName: string, listName: StoredRoomListName): Promise<void> {
    const room = this.rooms.get(roomName);
    if (room === undefined) return;
    const names = [...room.lists[listName]];
    room.lists[listName].clear();
    for (const name of names) this.recheck(room, name);
  }

  async getRoomList(roomName: string, listName: StoredRoomListName | 'userlist'): Promise<string[]> {
    const room = this.rooms.get(roomName);
    if (room === undefined) return [];
    return listName === 'userlist' ? [...room.joined.keys()] : [...room.lists[listName]];
  }

  async isInRoomList(roomName: string, listName: StoredRoomListName | 'userlist', name: string): Promise<boolean> {
    const room = this.rooms.get(roomName);
    if (room === undefined) return false;
    return listName === 'userlist' ? room.joined.has(name) : room.lists[listName].has(name);
  }

  async joinRoom(roomName: string, userName: string, connectionId: string, now: number): Promise<MembershipChange> {
    const room = this.rooms.get(roomName);
    if (room === undefined) return { changed: false, njoined: 0 };
    let connections = room.joined.get(userName);
    if (connections?.has(connectionId)) return { changed: false, njoined: connections.size };
    if (connections === undefined) {
      connections = new Set();
      room.joined.set(userName, connections);
      room.seen.set(userName, now);
      this.index.relate(userName, roomName);
    }
    connections.add(connectionId);
    let rooms = this.connectionRooms.get(connectionId);
    if (rooms === undefined) this.connectionRooms.set(connectionId, (rooms = new Set()));
    rooms.add(roomName);
    return { changed: true, njoined: connections.size };
  }

  async leaveRoom(roomName: string, userName: string, connectionId: string, now: number): Promise<MembershipChange> {
    const change = this.leave(roomName, userName, connectionId, now);
    if (change.changed) this.connectionRooms.get(connectionId)?.delete(roomName);
    return change;
  }

  async removeUserFromRoom(roomName: string, userName: string, now: number): Promise<string[]> {
    const room = this.rooms.get(roomName);
    const connections = room?.joined.get(userName);
    if (room === undefined || connections === undefined) return [];
    room.joined.delete(userName);
    room.seen.set(userName, now);
    this.recheck(room, userName);
    for (const id of connections) this.connectionRooms.get(id)?.delete(roomName);
    return [...connections];
  }

  async getJoinedConnections(roomName: string, userName: string): Promise<string[]> {
    return [...(this.rooms.get(roomName)?.joined.get(userName) ?? [])];
  }

  async getConnectionRooms(connectionId: string): Promise<string[]> {
    return [...(this.connectionRooms.get(connectionId) ?? [])];
  }

  async getUserSeen(roomName: string, userName: string): Promise<UserSeen> {
    const room = this.rooms.get(roomName);
    return { joined: room?.joined.has(userName) ?? false, timestamp: room?.seen.get(userName) ?? null };
  }

  async addMessage(roomName: string, message: ProcessedMessage, maxBytes = Infinity): Promise<ProcessedMessage | undefined> {
    const room = this.rooms.get(roomName);
    if (room === undefined) return undefined;
    const stored = room.history.append({ ...message, id: ++room.state.lastMessageId });
    room.history.trim(room.state.historyMaxSize, maxBytes);
    return stored;
  }

  async getRecentHistory(roomName: string, limit: number, maxBytes: number): Promise<HistoryPage> {
    const room = this.rooms.get(roomName);
    return room === undefined ? { messages: [], bytes: 0 } : room.history.recent(roomName, limit, maxBytes);
  }

  async getHistory(roomName: string, afterId: number, limit: number, maxBytes: number): Promise<HistoryPage> {
    const room = this.rooms.get(roomName);
    return room === undefined ? { messages: [], bytes: 0 } : room.history.range(roomName, afterId, limit, maxBytes, room.state.lastMessageId);
  }

  async getHistorySize(roomName: string): Promise<number> {
    return this.rooms.get(roomName)?.history.size ?? 0;
  }

  async close(): Promise<void> {}

  private user(userName: string): UserRecord {
    let user = this.users.get(userName);
    if (user === undefined) {
      this.users.set(userName, (user = newUser()));
      this.userNames.add(userName);
    }
    return user;
  }

  /** Drops `userName` from the room's listing candidates unless it still relates to the room. */
  private recheck(room: RoomRecord, userName: string): void {
    const { lists } = room;
    if (room.state.owner === userName || lists.adminlist.has(userName) || lists.tokenholders.has(userName) || room.joined.has(userName)) return;
    this.index.unrelate(userName, room.state.name);
  }

  private leave(roomName: string, userName: string, connectionId: string, now: number): MembershipChange {
    const room = this.rooms.get(roomName);
    const connections = room?.joined.get(userName);
    if (room === undefined || connections === undefined || !connections.has(connectionId)) {
      return { changed: false, njoined: connections?.size ?? 0 };
    }
    connections.delete(connectionId);
    if (connections.size === 0) {
      room.joined.delete(userName);
      room.seen.set(userName, now);
      this.recheck(room, userName);
    }
    return { changed: true, njoined: connections.size };
  }
}

function newUser(): UserRecord {
  return { connections: new Set(), blacklist: new Set(), whitelist: new Set(), whitelistOnly: false, info: {} };
}

/** Adds every name or, when that would pass `limit`, none. */
function addAll(list: Set<string>, names: string[], limit: number, listName: string): void {
  let added = 0;
  for (const name of new Set(names)) if (!list.has(name)) added++;
  if (list.size + added > limit) throw new ChatError(ChatErrorCode.LIST_LIMIT_EXCEEDED, [listName]);
  for (const name of names) list.add(name);
}

/** Whether a user may see a hidden room: joined to it, or admin-level (a blacklisted token holder is not). */
function seesHidden(room: RoomRecord, userName: string): boolean {
  const { lists } = room;
  return (
    room.joined.has(userName) ||
    room.state.owner === userName ||
    lists.adminlist.has(userName) ||
    (lists.tokenholders.has(userName) && !lists.blacklist.has(userName))
  );
}
