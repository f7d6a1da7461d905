import type { Server } from '@volley/server';
import { isValidName, type MemberInfo } from './chat-api.js';
import { ChatError, ChatErrorCode } from './chat-error.js';
import type { ChatStore, RoomState, StoredRoomListName } from './chat-store.js';
import type { ChatEmitter } from './chat-events.js';
import type { ChatHooks, CommandContext } from './hooks.js';
import { type Notifier, roomChannel } from './notifier.js';
import type { ResolvedChatOptions } from './options.js';

type ListName = StoredRoomListName | 'userlist';

/** Admin-level by the lists: an admin, or a token holder who is not blacklisted (the owner aside). */
function adminLevel(lists: Set<ListName>): boolean {
  return lists.has('adminlist') || (lists.has('tokenholders') && !lists.has('blacklist'));
}

/** The lists that decide whether a user may read a room. */
const READ_LISTS: readonly ListName[] = ['userlist', 'adminlist', 'tokenholders', 'blacklist'];

/** Reads: the owner, a joined user (any connection) or the admin-level. */
function mayRead(room: RoomState, userName: string, lists: Set<ListName>): boolean {
  return room.owner === userName || lists.has('userlist') || adminLevel(lists);
}

/** Throws `timeout` once the command's time is up, so that late work changes nothing. */
export function throwIfExpired(context: CommandContext, command: string): void {
  if (context.signal?.aborted === true) throw new ChatError(ChatErrorCode.TIMEOUT, [command]);
}

/**
 * The chat's rules that several commands share: names, access, joining, leaving and eviction.
 * Stateless: everything it knows is read from the store on each call, so that any node can serve
 * any user.
 */
export class ChatService {
  constructor(
    readonly store: ChatStore,
    readonly options: ResolvedChatOptions,
    readonly notifier: Notifier,
    readonly hooks: ChatHooks,
    private readonly server: Server,
    /** Reports errors that must not fail a command (a leave hook, a delivery). */
    readonly reportError: (error: unknown) => void,
  ) {}

  /** Throws `invalidName` unless `name` is a valid user or room name. */
  checkName(name: string): void {
    if (!isValidName(name) || (this.options.isValidName !== undefined && !this.options.isValidName(name))) {
      throw new ChatError(ChatErrorCode.INVALID_NAME, [name]);
    }
  }

  /** The room's settings, or `noRoom`. */
  async room(roomName: string): Promise<RoomState> {
    const room = await this.store.getRoom(roomName);
    if (room === undefined) throw new ChatError(ChatErrorCode.NO_ROOM, [roomName]);
    return room;
  }

  /**
   * Which of the room's lists name the user. The reads go out together: a shared store answers
   * them in one round trip instead of one each.
   */
  private async listsOf(roomName: string, userName: string, lists: readonly ListName[]): Promise<Set<ListName>> {
    const found = await Promise.all(lists.map((list) => this.store.isInRoomList(roomName, list, userName)));
    return new Set(lists.filter((_, index) => found[index]));
  }

  /** Owner or admin: always let in, never evicted. */
  async isPrivileged(room: RoomState, userName: string): Promise<boolean> {
    return room.owner === userName || (await this.store.isInRoomList(room.name, 'adminlist', userName));
  }

  /** May do what admins may: owner, admins, access-token holders (unless blacklisted: the blacklist beats the token). */
  async isAdminLevel(room: RoomState, userName: string): Promise<boolean> {
    if (room.owner === userName) return true;
    return adminLevel(await this.listsOf(room.name, userName, ['adminlist', 'tokenholders', 'blacklist']));
  }

  /** Whether the user may be joined: privileged always; blacklisted never; whitelist-only rooms need the whitelist or the token. */
  async hasAccess(room: RoomState, userName: string): Promise<boolean> {
    if (room.owner === userName) return true;
    const lists = await this.listsOf(room.name, userName, ['adminlist', 'blacklist', 'whitelist', 'tokenholders']);
    if (lists.has('adminlist')) return true;
    if (lists.has('blacklist')) return false;
    return !room.whitelistOnly || lists.has('whitelist') || lists.has('tokenholders');
  }

  /** Reads need the user joined (any connection) or admin-level, else `notJoined`. */
  async checkRead(context: CommandContext, room: RoomState): Promise<void> {
    if (context.bypassPermissions || room.owner === context.userName) return;
    if (mayRead(room, context.userName, await this.listsOf(room.name, context.userName, READ_LISTS))) return;
    throw new ChatError(ChatErrorCode.NOT_JOINED, [room.name]);
  }

  /** The room for a read command: `noRoom`, or `notJoined` unless the user is joined or admin-level. */
  async readableRoom(context: CommandContext, roomName: string): Promise<RoomState> {
    if (context.bypassPermissions) return this.room(roomName);
    const [room, lists] = await Promise.all([this.room(roomName), this.listsOf(roomName, context.userName, READ_LISTS)]);
    if (mayRead(room, context.userName, lists)) return room;
    throw new ChatError(ChatErrorCode.NOT_JOINED, [roomName]);
  }

  /** The room for messages and signals: `noRoom`, or `notJoined` unless the user is joined. */
  async joinedRoom(context: CommandContext, roomName: string): Promise<RoomState> {
    if (context.bypassPermissions) return this.room(roomName);
    const [room, joined] = await Promise.all([this.room(roomName), this.store.isInRoomList(roomName, 'userlist', context.userName)]);
    if (!joined) throw new ChatError(ChatErrorCode.NOT_JOINED, [roomName]);
    return room;
  }

  /** The connection a command needs (`roomJoin`, `roomLeave`), or `noSocket`. */
  connectionOf(context: CommandContext, command: string): string {
    if (context.connectionId === undefined) throw new ChatError(ChatErrorCode.NO_SOCKET, [command]);
    return context.connectionId;
  }

  /** Joins a connection to a room; see `roomJoin`. */
  async join(context: CommandContext, roomName: string, accessToken: string | undefined): Promise<number> {
    const connectionId = this.connectionOf(context, 'roomJoin');
    const { userName } = context;
    const room = await this.room(roomName);
    if (!context.bypassPermissions) {
      if (accessToken !== undefined) {
        if (room.accessToken === null || accessToken !== room.accessToken) throw new ChatError(ChatErrorCode.NOT_ALLOWED, [roomName]);
        // The blacklist beats the token: a blacklisted user must not become a holder (admin-level).
        if (!(await this.isPrivileged(room, userName)) && (await this.store.isInRoomList(roomName, 'blacklist', userName))) {
          throw new ChatError(ChatErrorCode.NOT_ALLOWED, [roomName]);
        }
        await this.store.addToRoomList(roomName, 'tokenholders', [userName], Number.MAX_SAFE_INTEGER);
      }
      if (!(await this.hasAccess(room, userName))) throw new ChatError(ChatErrorCode.NOT_ALLOWED, [roomName]);
    }
    if (this.hooks.join !== undefined && !(await this.store.getJoinedConnections(roomName, userName)).includes(connectionId)) {
      // Before the join takes effect, so that a refusal leaves nothing to undo: no member, no
      // last-seen time, no notification, nothing another user could have observed.
      await this.hooks.join(userName, roomName, connectionId);
      throwIfExpired(context, 'roomJoin');
    }
    const change = await this.store.joinRoom(roomName, userName, connectionId, Date.now());
    if (!change.changed) return change.njoined;
    // The connection may be on another node (a server-API join): the handle reaches it there.
    await this.server.connection(connectionId).joinRoom(roomChannel(roomName));
    const notify = this.notifier;
    void notify.toUser(userName, connectionId, 'roomJoinedEcho', roomName, connectionId, change.njoined);
    if (change.njoined === 1 && room.enableUserlistUpdates) void notify.toRoom(roomName, connectionId, 'roomUserJoined', roomName, userName);
    if (room.presence) {
      const members = await this.store.getRoomList(roomName, 'userlist');
      const infos = await Promise.all(members.map((member) => this.memberInfo(member)));
      void notify.toConnection(connectionId, 'roomMembers', roomName, infos);
      if (change.njoined === 1) void notify.toRoom(roomName, connectionId, 'roomMemberJoined', roomName, infos[members.indexOf(userName)] ?? (await this.memberInfo(userName)));
    }
    return change.njoined;
  }

  /** Leaves a room with one connection; see `roomLeave`. */
  async leave(context: CommandContext, roomName: string): Promise<number> {
    const connectionId = this.connectionOf(context, 'roomLeave');
    const room = await this.room(roomName);
    const change = await this.store.leaveRoom(roomName, context.userName, connectionId, Date.now());
    if (!change.changed) return change.njoined;
    await this.server.connection(connectionId).leaveRoom(roomChannel(roomName));
    await this.left(room, context.userName, connectionId, change.njoined);
    return change.njoined;
  }

  /**
   * After a connection left a room (command or close): the leave hook, the echo to the user's
   * other connections and, when it was the user's last one, the notices to the room.
   */
  async left(room: RoomState, userName: string, connectionId: string, njoined: number): Promise<void> {
    await this.leaveHook(userName, room.name, connectionId);
    void this.notifier.toUser(userName, connectionId, 'roomLeftEcho', room.name, connectionId, njoined);
    if (njoined === 0) await this.userGone(room, userName);
  }

  /** Removes every connection of a user from a room and tells all of them `roomAccessRemoved`. */
  async evict(room: RoomState, userName: string): Promise<void> {
    const connections = await this.store.removeUserFromRoom(room.name, userName, Date.now());
    if (connections.length === 0) return;
    await this.leaveChannel(room.name, connections);
    // Every connection of the user, joined or not: its other tabs must stop offering the room too.
    void this.notifier.toUser(userName, undefined, 'roomAccessRemoved', room.name);
    for (const connectionId of connections) await this.leaveHook(userName, room.name, connectionId);
    await this.userGone(room, userName);
  }

  /** Evicts those of `userNames` that are joined but no longer have access. */
  async revalidate(roomName: string, userNames: readonly string[]): Promise<void> {
    const room = await this.store.getRoom(roomName);
    if (room === undefined) return;
    for (const userName of new Set(userNames)) {
      if (!(await this.store.isInRoomList(roomName, 'userlist', userName))) continue;
      if (!(await this.hasAccess(room, userName))) await this.evict(room, userName);
    }
  }

  /**
   * Takes connections out of a room's Volley channel, on whatever node they are. One that cannot
   * be reached (Redis down) is reported: the store already counts it out, and the rest go on.
   */
  async leaveChannel(roomName: string, connectionIds: readonly string[]): Promise<void> {
    const channel = roomChannel(roomName);
    await Promise.all(connectionIds.map((id) => this.server.connection(id).leaveRoom(channel).catch(this.reportError)));
  }

  /** A user was deleted or kicked: the `leave` event and, with server presence, `userLeft`. */
  userLeft(userName: string, events: ChatEmitter): void {
    events.emit('leave', userName);
    if (this.options.serverPresence) void this.notifier.toEveryone(undefined, 'userLeft', userName);
  }

  /** What presence shows of a user. */
  async memberInfo(userName: string): Promise<MemberInfo> {
    const info = await this.store.getUserInfo(userName);
    return { id: userName, role: info.role ?? 'MEMBER', name: info.displayName ?? userName };
  }

  /** The user's last connection left the room: tell the others. */
  private async userGone(room: RoomState, userName: string): Promise<void> {
    if (room.enableUserlistUpdates) void this.notifier.toRoom(room.name, undefined, 'roomUserLeft', room.name, userName);
    if (room.presence) void this.notifier.toRoom(room.name, undefined, 'roomMemberLeft', room.name, await this.memberInfo(userName));
  }

  private async leaveHook(userName: string, roomName: string, connectionId: string): Promise<void> {
    if (this.hooks.leave === undefined) return;
    try {
      await this.hooks.leave(userName, roomName, connectionId);
    } catch (error) {
      this.reportError(error);
    }
  }
}
