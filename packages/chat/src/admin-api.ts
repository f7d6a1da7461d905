import { type ChatCommandName, argumentName, commandArguments, fromPayload, toPayload } from './chat-api.js';
import { ChatError, ChatErrorCode } from './chat-error.js';
import type { ChatEmitter } from './chat-events.js';
import type { ChatService } from './chat-service.js';
import type { RoomChanges } from './chat-store.js';
import type { CommandPipeline } from './command-pipeline.js';
import { MAX_ARGUMENT_DEPTH, nestedDeeperThan } from './command-validation.js';
import { newRoomState } from './commands.js';

/** Who the server API runs a command as. */
export interface CommandTarget {
  userName: string;
  /** One of the user's connections; needed by `roomJoin` / `roomLeave`. */
  connectionId?: string;
  /** Skip permission checks. @default false */
  bypassPermissions?: boolean;
}

/** Options of {@link ChatServer.addUser}. */
export interface AddUserOptions {
  whitelistOnly?: boolean;
  blacklist?: string[];
  whitelist?: string[];
}

/** Options of {@link ChatServer.addRoom}. */
export interface AddRoomOptions {
  owner?: string | null;
  whitelistOnly?: boolean;
  visible?: boolean;
  presence?: boolean;
  data?: Record<string, unknown>;
  historyMaxSize?: number;
  enableUserlistUpdates?: boolean;
  enableAccessListsUpdates?: boolean;
  adminlist?: string[];
  whitelist?: string[];
  blacklist?: string[];
}

/**
 * The server API that changes chat state (users, rooms, commands run as a user): each call checks
 * its arguments as the matching client command would and refuses before it changes anything.
 * `ChatServer` exposes these methods; they live here apart from the login and command paths.
 */
export class ChatAdmin {
  constructor(
    private readonly service: ChatService,
    private readonly pipeline: CommandPipeline,
    private readonly events: ChatEmitter,
  ) {}

  /** Runs a command as a user with its hooks; see `ChatServer.execUserCommand`. */
  async execUserCommand(target: CommandTarget | string, command: string, ...args: unknown[]): Promise<unknown> {
    const { userName, connectionId, bypassPermissions = false } = typeof target === 'string' ? { userName: target } : target;
    if (!Object.hasOwn(commandArguments, command)) throw new ChatError(ChatErrorCode.NO_COMMAND, [command]);
    const name = command as ChatCommandName;
    const argumentNames = commandArguments[name] as readonly string[];
    const required = argumentNames.filter((arg) => !arg.endsWith('?')).length;
    if (args.length < required || args.length > argumentNames.length) {
      throw new ChatError(ChatErrorCode.WRONG_ARGUMENTS_COUNT, [command, argumentNames.map(argumentName)]);
    }
    const checked = fromPayload(argumentNames, this.pipeline.validator.validate(name, toPayload(argumentNames, args)));
    if (!(await this.service.store.hasUser(userName))) throw new ChatError(ChatErrorCode.NO_USER, [userName]);
    if (connectionId !== undefined && !(await this.service.store.getConnections(userName)).includes(connectionId)) {
      throw new ChatError(ChatErrorCode.INVALID_SOCKET, [connectionId]);
    }
    return this.pipeline.run({ userName, connectionId, bypassPermissions }, name, checked);
  }

  /** Creates a user (who may then be listed or messaged before it ever logs in). Rejects `invalidName`, `userExists`. */
  async addUser(userName: string, options: AddUserOptions = {}): Promise<void> {
    this.service.checkName(userName);
    for (const name of [...(options.blacklist ?? []), ...(options.whitelist ?? [])]) this.service.checkName(name);
    const limit = this.service.options.directListSizeLimit;
    // Refused before the user exists, so that a failed addUser leaves nothing behind.
    checkListSizes({ blacklist: options.blacklist, whitelist: options.whitelist }, limit);
    if (!(await this.service.store.addUser(userName))) throw new ChatError(ChatErrorCode.USER_EXISTS, [userName]);
    if (options.blacklist?.length) await this.service.store.addToDirectList(userName, 'blacklist', options.blacklist, limit);
    if (options.whitelist?.length) await this.service.store.addToDirectList(userName, 'whitelist', options.whitelist, limit);
    if (options.whitelistOnly) await this.service.store.setDirectWhitelistMode(userName, true);
    this.events.emit('join', userName);
  }

  /** Deletes an offline user. Rejects `noUser`, `userOnline`. */
  async deleteUser(userName: string): Promise<void> {
    if (!(await this.service.store.hasUser(userName))) throw new ChatError(ChatErrorCode.NO_USER, [userName]);
    if ((await this.service.store.getConnections(userName)).length > 0) throw new ChatError(ChatErrorCode.USER_ONLINE, [userName]);
    await this.service.store.deleteUser(userName);
    this.service.userLeft(userName, this.events);
  }

  /** Creates a room. Rejects `invalidName`, `roomExists`, `listLimitExceeded`, `badArgument` (data nested too deep). */
  async addRoom(roomName: string, options: AddRoomOptions = {}): Promise<void> {
    const { owner = null, adminlist = [], whitelist = [], blacklist = [], ...settings } = options;
    for (const name of [roomName, ...(owner === null ? [] : [owner]), ...adminlist, ...whitelist, ...blacklist]) this.service.checkName(name);
    if (settings.historyMaxSize !== undefined) checkSize(settings.historyMaxSize);
    if (nestedDeeperThan(settings.data, MAX_ARGUMENT_DEPTH)) {
      throw new ChatError(ChatErrorCode.BAD_ARGUMENT, ['data', `must not be nested deeper than ${MAX_ARGUMENT_DEPTH} levels`]);
    }
    const limit = this.service.options.roomListSizeLimit;
    // Refused before the room exists, so that a failed addRoom leaves nothing behind.
    checkListSizes({ adminlist, whitelist, blacklist }, limit);
    if (!(await this.service.store.createRoom(newRoomState(this.service, roomName, owner, settings)))) throw new ChatError(ChatErrorCode.ROOM_EXISTS, [roomName]);
    if (adminlist.length > 0) await this.service.store.addToRoomList(roomName, 'adminlist', adminlist, limit);
    if (whitelist.length > 0) await this.service.store.addToRoomList(roomName, 'whitelist', whitelist, limit);
    if (blacklist.length > 0) await this.service.store.addToRoomList(roomName, 'blacklist', blacklist, limit);
  }

  /** Gives the room a new owner (or none); the old owner keeps access only if the lists allow. */
  async changeRoomOwner(roomName: string, owner: string | null): Promise<void> {
    const room = await this.service.room(roomName);
    if (owner !== null) this.service.checkName(owner);
    await this.service.store.updateRoom(roomName, { owner });
    if (room.owner !== null) await this.service.revalidate(roomName, [room.owner]);
  }

  /** Changes how many messages the room keeps, trimming the oldest. */
  async changeRoomHistoryMaxSize(roomName: string, historyMaxSize: number): Promise<void> {
    checkSize(historyMaxSize);
    if (!(await this.service.store.setHistoryMaxSize(roomName, historyMaxSize))) throw new ChatError(ChatErrorCode.NO_ROOM, [roomName]);
  }

  /** Changes a room's settings: notifications, visibility, presence. */
  async changeRoomSettings(roomName: string, changes: Pick<RoomChanges, 'enableUserlistUpdates' | 'enableAccessListsUpdates' | 'visible' | 'presence'>): Promise<void> {
    const { enableUserlistUpdates, enableAccessListsUpdates, visible, presence } = changes;
    if (!(await this.service.store.updateRoom(roomName, { enableUserlistUpdates, enableAccessListsUpdates, visible, presence }))) {
      throw new ChatError(ChatErrorCode.NO_ROOM, [roomName]);
    }
  }
}

/** Throws `listLimitExceeded` for the first list with more distinct names than `limit` (the lists start empty). */
function checkListSizes(lists: Record<string, string[] | undefined>, limit: number): void {
  for (const [listName, names] of Object.entries(lists)) {
    if (names !== undefined && new Set(names).size > limit) throw new ChatError(ChatErrorCode.LIST_LIMIT_EXCEEDED, [listName]);
  }
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new ChatError(ChatErrorCode.BAD_ARGUMENT, ['historyMaxSize', 'must be a non-negative integer']);
}
