import type { ChatCommandName, ChatCommands, ChatMessage, DirectListName, ProcessedMessage, RoomListName, RoomSummary } from './chat-api.js';
import { ChatError, ChatErrorCode } from './chat-error.js';
import type { ChatService } from './chat-service.js';
import type { RoomState } from './chat-store.js';
import type { CommandContext } from './hooks.js';

/** The implementation of command `K`: runs it for `context` with already-validated arguments. */
type Command<K extends ChatCommandName> = (
  service: ChatService,
  context: CommandContext,
  ...args: Parameters<ChatCommands[K]>
) => Promise<Awaited<ReturnType<ChatCommands[K]>>>;

const roomListNames: readonly string[] = ['adminlist', 'blacklist', 'whitelist', 'userlist'];
/** Rooms a `roomList` page holds when the client names no limit. */
const ROOM_LIST_PAGE = 100;
const directListNames: readonly string[] = ['blacklist', 'whitelist'];

/** Every command, by name. Permission rules are in `../../docs/chat.md`; each is tested by the contract suite. */
export const commands: { [K in ChatCommandName]: Command<K> } = {
  // --- direct messages and per-user lists ---
  async directAddToList(service, context, listName, userNames) {
    checkDirectList(service, context, listName, userNames);
    await service.store.addToDirectList(context.userName, listName, userNames, service.options.directListSizeLimit);
  },
  async directRemoveFromList(service, context, listName, userNames) {
    checkDirectList(service, context, listName, userNames);
    await service.store.removeFromDirectList(context.userName, listName, userNames);
  },
  async directGetAccessList(service, context, listName) {
    if (!directListNames.includes(listName)) throw new ChatError(ChatErrorCode.NO_LIST, [listName]);
    return service.store.getDirectList(context.userName, listName);
  },
  async directSetWhitelistMode(service, context, mode) {
    await service.store.setDirectWhitelistMode(context.userName, mode);
  },
  async directGetWhitelistMode(service, context) {
    return service.store.getDirectWhitelistMode(context.userName);
  },
  async directMessage(service, context, toUser, message) {
    const { store, hooks } = service;
    if (!service.options.enableDirectMessages && !context.bypassPermissions) throw new ChatError(ChatErrorCode.NOT_ALLOWED, []);
    service.checkName(toUser);
    if (toUser === context.userName) throw new ChatError(ChatErrorCode.NOT_ALLOWED, [toUser]);
    if (!(await store.hasUser(toUser))) throw new ChatError(ChatErrorCode.NO_USER, [toUser]);
    if ((await store.getConnections(toUser)).length === 0) throw new ChatError(ChatErrorCode.NO_USER_ONLINE, [toUser]);
    if (!context.bypassPermissions) {
      const blocked =
        (await store.isInDirectList(toUser, 'blacklist', context.userName)) ||
        ((await store.getDirectWhitelistMode(toUser)) && !(await store.isInDirectList(toUser, 'whitelist', context.userName)));
      if (blocked) throw new ChatError(ChatErrorCode.NOT_ALLOWED, [toUser]);
    }
    await checkMessage(message, () => hooks.directMessageChecker?.(message, { userName: context.userName, toUser }), hooks.directMessageChecker !== undefined);
    const processed = processMessage(message, context.userName);
    void service.notifier.toUser(toUser, undefined, 'directMessage', processed);
    void service.notifier.toUser(context.userName, context.connectionId, 'directMessageEcho', toUser, processed);
    return processed;
  },

  // --- the user's own connections ---
  async listOwnSockets(service, context) {
    const sockets: Record<string, string[]> = {};
    for (const id of await service.store.getConnections(context.userName)) sockets[id] = await service.store.getConnectionRooms(id);
    return sockets;
  },
  async systemMessage(service, context, data) {
    void service.notifier.toUser(context.userName, context.connectionId, 'systemMessage', data);
  },

  // --- joining ---
  roomJoin: (service, context, roomName, accessToken) => service.join(context, roomName, accessToken),
  roomLeave: (service, context, roomName) => service.leave(context, roomName),

  // --- access lists and mode ---
  async roomAddToList(service, context, roomName, listName, userNames) {
    const room = await service.room(roomName);
    const list = await checkListEdit(service, context, room, listName, userNames);
    await service.store.addToRoomList(roomName, list, userNames, service.options.roomListSizeLimit);
    if (room.enableAccessListsUpdates) void service.notifier.toRoom(roomName, undefined, 'roomAccessListAdded', roomName, listName, userNames);
    if (list === 'blacklist') await service.revalidate(roomName, userNames);
  },
  async roomRemoveFromList(service, context, roomName, listName, userNames) {
    const room = await service.room(roomName);
    const list = await checkListEdit(service, context, room, listName, userNames);
    await service.store.removeFromRoomList(roomName, list, userNames);
    if (room.enableAccessListsUpdates) void service.notifier.toRoom(roomName, undefined, 'roomAccessListRemoved', roomName, listName, userNames);
    if (list === 'adminlist' || (list === 'whitelist' && room.whitelistOnly)) await service.revalidate(roomName, userNames);
  },
  async roomGetAccessList(service, context, roomName, listName) {
    const room = await service.room(roomName);
    if (!roomListNames.includes(listName)) throw new ChatError(ChatErrorCode.NO_LIST, [listName]);
    await service.checkRead(context, room);
    return sized(context, roomName, await service.store.getRoomList(roomName, listName));
  },
  async roomSetWhitelistMode(service, context, roomName, mode) {
    const room = await service.room(roomName);
    if (!context.bypassPermissions && !(await service.isAdminLevel(room, context.userName))) throw new ChatError(ChatErrorCode.NOT_ALLOWED, [roomName]);
    if (room.whitelistOnly === mode) return;
    await service.store.updateRoom(roomName, { whitelistOnly: mode });
    if (room.enableAccessListsUpdates) void service.notifier.toRoom(roomName, undefined, 'roomModeChanged', roomName, mode);
    if (mode) await service.revalidate(roomName, await service.store.getRoomList(roomName, 'userlist'));
  },
  async roomGetWhitelistMode(service, context, roomName) {
    const room = await service.readableRoom(context, roomName);
    return room.whitelistOnly;
  },
  async roomGetOwner(service, context, roomName) {
    const room = await service.readableRoom(context, roomName);
    return room.owner;
  },
  async roomNotificationsInfo(service, context, roomName) {
    const room = await service.readableRoom(context, roomName);
    return { enableAccessListsUpdates: room.enableAccessListsUpdates, enableUserlistUpdates: room.enableUserlistUpdates };
  },
  async roomUserSeen(service, context, roomName, userName) {
    const room = await service.room(roomName);
    service.checkName(userName);
    await service.checkRead(context, room);
    return service.store.getUserSeen(roomName, userName);
  },

  // --- room management ---
  async roomCreate(service, context, roomName, whitelistOnly, options = {}) {
    if (!service.options.enableRoomsManagement && !context.bypassPermissions) throw new ChatError(ChatErrorCode.NOT_ALLOWED, []);
    service.checkName(roomName);
    // The server API creates rooms without counting them against the user's limit.
    const maxOwned = context.bypassPermissions || service.options.maxRoomsPerUser === 0 ? undefined : service.options.maxRoomsPerUser;
    const created = await service.store.createRoom(newRoomState(service, roomName, context.userName, { whitelistOnly, ...options }), maxOwned);
    if (!created) throw new ChatError(ChatErrorCode.ROOM_EXISTS, [roomName]);
  },
  async roomDelete(service, context, roomName) {
    if (!service.options.enableRoomsManagement && !context.bypassPermissions) throw new ChatError(ChatErrorCode.NOT_ALLOWED, []);
    const room = await service.room(roomName);
    if (!context.bypassPermissions && room.owner !== context.userName) throw new ChatError(ChatErrorCode.NOT_ALLOWED, [roomName]);
    await deleteRoom(service, roomName);
  },
  async roomList(service, context, after, limit = ROOM_LIST_PAGE) {
    // A page from the store's index: its cost never grows with the number of rooms.
    return service.store.listRooms(context.bypassPermissions ? undefined : context.userName, after, limit);
  },
  async roomGetData(service, context, roomName) {
    const room = await service.room(roomName);
    const members = await service.store.getRoomList(roomName, 'userlist');
    const insider = context.bypassPermissions || members.includes(context.userName) || (await service.isAdminLevel(room, context.userName));
    if (!insider && !room.visible) throw new ChatError(ChatErrorCode.NOT_JOINED, [roomName]);
    return insider ? { ...summary(room, members.length), data: room.data } : summary(room, members.length);
  },
  async roomUpdateData(service, context, roomName, data) {
    const room = await service.room(roomName);
    if (!context.bypassPermissions && !(await service.isAdminLevel(room, context.userName))) throw new ChatError(ChatErrorCode.NOT_ALLOWED, [roomName]);
    const merged = (await service.store.mergeRoomData(roomName, data)) ?? {};
    void service.notifier.toRoom(roomName, undefined, 'roomDataUpdated', roomName, merged);
    return merged;
  },
  async roomSetAccessToken(service, context, roomName, accessToken) {
    const room = await service.room(roomName);
    if (!context.bypassPermissions && room.owner !== context.userName) throw new ChatError(ChatErrorCode.NOT_ALLOWED, [roomName]);
    if (accessToken === room.accessToken) return;
    // A new or cleared token revokes whoever held the old one.
    const holders = await service.store.getRoomList(roomName, 'tokenholders');
    await service.store.updateRoom(roomName, { accessToken });
    await service.store.clearRoomList(roomName, 'tokenholders');
    await service.revalidate(roomName, holders);
  },

  // --- messages and history ---
  async roomMessage(service, context, roomName, message) {
    await service.joinedRoom(context, roomName);
    const checker = service.hooks.roomMessageChecker;
    await checkMessage(message, () => checker?.(message, { userName: context.userName, roomName }), checker !== undefined);
    const stored = await service.store.addMessage(roomName, processMessage(message, context.userName), service.options.historyMaxBytes);
    if (stored === undefined) throw new ChatError(ChatErrorCode.NO_ROOM, [roomName]);
    void service.notifier.toRoom(roomName, undefined, 'roomMessage', roomName, stored);
    return stored.id!;
  },
  async roomRecentHistory(service, context, roomName) {
    await service.readableRoom(context, roomName);
    const budget = context.answerBudget;
    const page = await service.store.getRecentHistory(roomName, service.options.historyMaxGetMessages, budget?.available() ?? Infinity);
    budget?.reserve(page.bytes);
    return page.messages;
  },
  async roomHistoryGet(service, context, roomName, id, limit) {
    await service.readableRoom(context, roomName);
    const budget = context.answerBudget;
    const page = await service.store.getHistory(roomName, id, Math.min(limit, service.options.historyMaxGetMessages), budget?.available() ?? Infinity);
    budget?.reserve(page.bytes);
    return page.messages;
  },
  async roomHistoryInfo(service, context, roomName) {
    const room = await service.readableRoom(context, roomName);
    return {
      historyMaxGetMessages: service.options.historyMaxGetMessages,
      historyMaxSize: room.historyMaxSize,
      historySize: await service.store.getHistorySize(roomName),
      lastMessageId: room.lastMessageId,
    };
  },

  // --- receipts and presence ---
  async roomReceipt(service, context, roomName, kind, messageId) {
    await service.joinedRoom(context, roomName);
    const receipt = messageId === undefined ? { kind, userName: context.userName } : { kind, userName: context.userName, messageId };
    void service.notifier.toOtherMembers(roomName, context.userName, 'roomReceipt', roomName, receipt);
  },
  async roomMemberMessage(service, context, roomName, toUser, message) {
    await service.joinedRoom(context, roomName);
    const connections = await service.store.getJoinedConnections(roomName, toUser);
    if (connections.length === 0) throw new ChatError(ChatErrorCode.NOT_JOINED, [roomName, toUser]);
    for (const id of connections) void service.notifier.toConnection(id, 'roomMemberMessage', roomName, { from: context.userName, message });
  },
  async roomBroadcast(service, context, roomName, message) {
    await service.joinedRoom(context, roomName);
    void service.notifier.toOtherMembers(roomName, context.userName, 'roomBroadcast', roomName, { from: context.userName, message });
  },
};

/** A new room's settings from the server defaults and the creator's choices. */
export function newRoomState(
  service: ChatService,
  name: string,
  owner: string | null,
  choices: Partial<Pick<RoomState, 'whitelistOnly' | 'visible' | 'presence' | 'data' | 'historyMaxSize' | 'enableUserlistUpdates' | 'enableAccessListsUpdates'>>,
): RoomState {
  const { options } = service;
  return {
    name,
    owner,
    whitelistOnly: choices.whitelistOnly ?? false,
    historyMaxSize: choices.historyMaxSize ?? options.historyMaxSize,
    lastMessageId: 0,
    visible: choices.visible ?? false,
    presence: choices.presence ?? options.presence,
    accessToken: null,
    enableUserlistUpdates: choices.enableUserlistUpdates ?? options.enableUserlistUpdates,
    enableAccessListsUpdates: choices.enableAccessListsUpdates ?? options.enableAccessListsUpdates,
    data: choices.data ?? {},
  };
}

/** Deletes a room; every joined connection leaves it, and every connection of its users gets `roomAccessRemoved`. */
export async function deleteRoom(service: ChatService, roomName: string): Promise<void> {
  const joined = await service.store.deleteRoom(roomName);
  if (joined === undefined) throw new ChatError(ChatErrorCode.NO_ROOM, [roomName]);
  for (const userName of joined.keys()) void service.notifier.toUser(userName, undefined, 'roomAccessRemoved', roomName);
  // The Volley room empties itself as its connections leave; those on this node leave now.
  await service.leaveChannel(roomName, [...joined.values()].flat());
}

function summary(room: RoomState, members: number): RoomSummary {
  return { name: room.name, owner: room.owner, members, visible: room.visible };
}

function checkDirectList(service: ChatService, context: CommandContext, listName: string, userNames: string[]): asserts listName is DirectListName {
  if (!directListNames.includes(listName)) throw new ChatError(ChatErrorCode.NO_LIST, [listName]);
  for (const name of userNames) service.checkName(name);
  if (userNames.includes(context.userName)) throw new ChatError(ChatErrorCode.NOT_ALLOWED, [context.userName]);
}

/**
 * Who may edit which list: the owner any editable list; admins and token holders the whitelist
 * and blacklist, never with the owner's name in it; nobody the userlist.
 */
async function checkListEdit(
  service: ChatService,
  context: CommandContext,
  room: RoomState,
  listName: RoomListName,
  userNames: string[],
): Promise<'adminlist' | 'blacklist' | 'whitelist'> {
  if (!roomListNames.includes(listName)) throw new ChatError(ChatErrorCode.NO_LIST, [listName]);
  for (const name of userNames) service.checkName(name);
  if (listName === 'userlist') throw new ChatError(ChatErrorCode.NOT_ALLOWED, [room.name, listName]);
  if (context.bypassPermissions || room.owner === context.userName) return listName;
  const allowed = listName !== 'adminlist' && !userNames.includes(room.owner ?? '') && (await service.isAdminLevel(room, context.userName));
  if (!allowed) throw new ChatError(ChatErrorCode.NOT_ALLOWED, [room.name, listName]);
  return listName;
}

/**
 * Runs the message checker, or without one allows exactly `{textMessage: string}`. A checker's
 * non-ChatError refusal becomes `badArgument`.
 */
async function checkMessage(message: ChatMessage, runChecker: () => unknown, hasChecker: boolean): Promise<void> {
  if (!hasChecker) {
    const keys = Object.keys(message);
    if (keys.length !== 1 || keys[0] !== 'textMessage' || typeof message.textMessage !== 'string') {
      throw new ChatError(ChatErrorCode.BAD_ARGUMENT, ['message', 'must be exactly {textMessage: string}']);
    }
    return;
  }
  try {
    await runChecker();
  } catch (error) {
    if (error instanceof ChatError) throw error;
    throw new ChatError(ChatErrorCode.BAD_ARGUMENT, ['message', error instanceof Error ? error.message : String(error)], { cause: error });
  }
}

/** The client's fields plus the ones only the server sets (which the client cannot forge). */
function processMessage(message: ChatMessage, author: string): ProcessedMessage {
  const { id: _id, author: _author, timestamp: _timestamp, ...fields } = message;
  return { ...fields, author, timestamp: Date.now() };
}

/**
 * A list of names as an answer, sized against what the connection may still buffer before it is
 * encoded (a room's lists may hold thousands of long names): reserved when it fits, `answerTooLarge`
 * when it does not. The size counted is the JSON array's: each name's UTF-8 bytes and 3 more.
 */
function sized(context: CommandContext, roomName: string, names: string[]): string[] {
  const budget = context.answerBudget;
  if (budget === undefined) return names;
  let bytes = 2;
  for (const name of names) bytes += Buffer.byteLength(name) + 3;
  if (bytes > budget.available()) throw new ChatError(ChatErrorCode.ANSWER_TOO_LARGE, [roomName]);
  budget.reserve(bytes);
  return names;
}
