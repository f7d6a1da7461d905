/**
 * The chat's commands and notifications: their names, positional arguments and results, shared by
 * the server and the browser client. On the wire a command is a Volley request whose payload
 * names its arguments (`roomJoin('lobby')` → `{n:'roomJoin', p:{roomName:'lobby'}, i}`), and a
 * notification is a fire-and-forget message shaped the same way.
 */

/** A room access list that can be read. `userlist` (joined users) is read-only. */
export type RoomListName = 'adminlist' | 'blacklist' | 'whitelist' | 'userlist';
/** A room access list that can be edited. */
export type EditableRoomListName = Exclude<RoomListName, 'userlist'>;
/** A user's direct-message access list. */
export type DirectListName = 'blacklist' | 'whitelist';

/** A message as a client sends it: by default exactly `{textMessage}`; a message checker may allow more. */
export interface ChatMessage {
  textMessage?: string;
  [field: string]: unknown;
}

/** A message as the server delivers it: the client's fields plus fields only the server sets. */
export interface ProcessedMessage extends ChatMessage {
  /** The sender's user name. */
  author: string;
  /** Milliseconds since the epoch, server clock. */
  timestamp: number;
  /** Room messages only: per-room id, sequential from 1. */
  id?: number;
}

/** What `loginConfirmed` carries besides the user name: the connection id and the hook's auth data. */
export interface AuthData {
  /** This connection's id. */
  id: string;
  [field: string]: unknown;
}

/** Result of `roomHistoryInfo`. */
export interface HistoryInfo {
  historyMaxGetMessages: number;
  historyMaxSize: number;
  historySize: number;
  lastMessageId: number;
}

/** Result of `roomUserSeen`: whether the user is joined now, and when it last joined or left. */
export interface UserSeen {
  joined: boolean;
  /** ms since the epoch; `null` when the user never joined. */
  timestamp: number | null;
}

/** Result of `roomNotificationsInfo`: which notifications the room sends. */
export interface NotificationsInfo {
  /** `roomAccessListAdded`/`Removed` and `roomModeChanged`. */
  enableAccessListsUpdates: boolean;
  /** `roomUserJoined`/`roomUserLeft`. */
  enableUserlistUpdates: boolean;
}

/** Options of `roomCreate`. */
export interface RoomCreateOptions {
  /** Listed by `roomList` to every user, with its public data. @default false */
  visible?: boolean;
  /** Send member lists and member joined/left notices (presence with roles). @default the server's `presence` */
  presence?: boolean;
  /** Initial room data (a topic and any JSON fields). @default {} */
  data?: Record<string, unknown>;
}

/** A room as `roomList` shows it, without joining. */
export interface RoomSummary {
  name: string;
  owner: string | null;
  /** Number of joined users. */
  members: number;
  visible: boolean;
}

/** Result of `roomGetData`: the summary, plus `data` for members, admins and token holders. */
export interface RoomDataView extends RoomSummary {
  data?: Record<string, unknown>;
}

/** A user as `listUsers` and the `userList` notification show it. */
export interface UserSummary {
  userName: string;
  /** Its open connections, on every node (0: known but offline). */
  connections: number;
}

/** A room member as presence shows it (classroom server). */
export interface MemberInfo {
  /** The user name. */
  id: string;
  /** A role such as ADMIN, TEACHER or STUDENT, from the auth data's `role` (default `MEMBER`). */
  role: string;
  /** Display name, from the auth data's `displayName` (default: the user name). */
  name: string;
}

/** Free-form content of a presence message (classroom server). */
export interface PresenceContent {
  type: string;
  value?: unknown;
}

/** A presence message as delivered: who sent it and what. */
export interface MemberMessage {
  /** Sender's user name. */
  from: string;
  message: PresenceContent;
}

/** Kinds of receipt signal. */
export type ReceiptKind = 'typing' | 'received' | 'viewed';

/** A receipt as delivered to the room. */
export interface Receipt {
  kind: ReceiptKind;
  userName: string;
  /** The message it is about (optional for `typing`). */
  messageId?: number;
}

/**
 * Every client command: positional arguments and result. The first 24 are Chat Service's; the
 * rest add lobbies (visibility, access token, room data), receipts and presence.
 */
export interface ChatCommands {
  /** Adds users to your direct-message `blacklist` or `whitelist`. */
  directAddToList(listName: DirectListName, userNames: string[]): void;
  /** Your direct-message list. */
  directGetAccessList(listName: DirectListName): string[];
  /** Whether only your whitelist may message you. */
  directGetWhitelistMode(): boolean;
  /** Sends a direct message (needs `enableDirectMessages`); resolves with the delivered message. */
  directMessage(toUser: string, message: ChatMessage): ProcessedMessage;
  /** Removes users from your direct-message list. */
  directRemoveFromList(listName: DirectListName, userNames: string[]): void;
  /** Switches whitelist-only mode for direct messages to you. */
  directSetWhitelistMode(mode: boolean): void;
  /** Your open connections and the rooms each is joined to: `{connectionId: [rooms]}`. */
  listOwnSockets(): Record<string, string[]>;
  /** Adds users to a room list (owner: any list; admins: whitelist and blacklist). */
  roomAddToList(roomName: string, listName: RoomListName, userNames: string[]): void;
  /** Creates a room you own (needs `enableRoomsManagement`). */
  roomCreate(roomName: string, whitelistOnly: boolean, options?: RoomCreateOptions): void;
  /** Deletes a room you own (needs `enableRoomsManagement`); members get `roomAccessRemoved`. */
  roomDelete(roomName: string): void;
  /** A room list (members and admins). */
  roomGetAccessList(roomName: string, listName: RoomListName): string[];
  /** The room's owner (members and admins). */
  roomGetOwner(roomName: string): string | null;
  /** Whether the room is whitelist-only (members and admins). */
  roomGetWhitelistMode(roomName: string): boolean;
  /**
   * Messages `id+1 … id+limit`, newest first (limit capped at `historyMaxGetMessages`). Fewer when
   * they would not fit in what the connection may buffer: continue from the newest id returned.
   */
  roomHistoryGet(roomName: string, id: number, limit: number): ProcessedMessage[];
  /** History sizes and the last message id. */
  roomHistoryInfo(roomName: string): HistoryInfo;
  /** Joins this connection to a room; resolves with how many of your connections are joined. */
  roomJoin(roomName: string, accessToken?: string): number;
  /** Leaves a room with this connection; resolves with how many of your connections stay joined. */
  roomLeave(roomName: string): number;
  /** Sends a message to a room you are joined to; resolves with its id. */
  roomMessage(roomName: string, message: ChatMessage): number;
  /** Which notifications the room sends. */
  roomNotificationsInfo(roomName: string): NotificationsInfo;
  /**
   * The newest messages (≤ `historyMaxGetMessages`), newest first; fewer when they would not fit in
   * what the connection may buffer (page back with `roomHistoryGet`).
   */
  roomRecentHistory(roomName: string): ProcessedMessage[];
  /** Removes users from a room list (same rights as adding). */
  roomRemoveFromList(roomName: string, listName: RoomListName, userNames: string[]): void;
  /** Switches whitelist-only mode (owner, admins, token holders); switching on evicts. */
  roomSetWhitelistMode(roomName: string, mode: boolean): void;
  /** Whether a user is joined, and when it last joined or left. */
  roomUserSeen(roomName: string, userName: string): UserSeen;
  /** Relays `data` to your other connections. */
  systemMessage(data: unknown): void;
  /**
   * Rooms you can see (visible ones, and those you are joined to or administer), sorted by name:
   * a page of at most `limit` (default 100, at most 1000) whose names come after `after`. Page on
   * with the last name of a page until a page is shorter than its limit.
   */
  roomList(after?: string, limit?: number): RoomSummary[];
  /** Room data: the public part for anyone who can see the room, all of it for members. */
  roomGetData(roomName: string): RoomDataView;
  /** Merges fields into the room data (owner, admins, token holders); members get `roomDataUpdated`. */
  roomUpdateData(roomName: string, data: Record<string, unknown>): Record<string, unknown>;
  /** Sets (or clears with `null`) the room's access token (owner only); clearing revokes holders. */
  roomSetAccessToken(roomName: string, accessToken: string | null): void;
  /** Relays a typing / received / viewed signal to the room's other connections. */
  roomReceipt(roomName: string, kind: ReceiptKind, messageId?: number): void;
  /** Sends presence content to one member of the room (all its joined connections). */
  roomMemberMessage(roomName: string, toUser: string, message: PresenceContent): void;
  /** Sends presence content to every member of the room except this connection. */
  roomBroadcast(roomName: string, message: PresenceContent): void;
}

/** A command name. */
export type ChatCommandName = keyof ChatCommands;

/**
 * Every server notification, as the client's event listeners receive it. `loginConfirmed` and
 * `loginRejected` ride on the Volley handshake answer rather than as separate frames.
 */
export interface ChatNotifications {
  directMessage(message: ProcessedMessage): void;
  directMessageEcho(toUser: string, message: ProcessedMessage): void;
  loginConfirmed(userName: string, authData: AuthData): void;
  loginRejected(reason: unknown): void;
  roomAccessListAdded(roomName: string, listName: RoomListName, userNames: string[]): void;
  roomAccessListRemoved(roomName: string, listName: RoomListName, userNames: string[]): void;
  roomAccessRemoved(roomName: string): void;
  roomJoinedEcho(roomName: string, id: string, njoined: number): void;
  roomLeftEcho(roomName: string, id: string, njoined: number): void;
  roomMessage(roomName: string, message: ProcessedMessage): void;
  roomModeChanged(roomName: string, mode: boolean): void;
  roomUserJoined(roomName: string, userName: string): void;
  roomUserLeft(roomName: string, userName: string): void;
  socketConnectEcho(id: string, nconnected: number): void;
  socketDisconnectEcho(id: string, nconnected: number): void;
  systemMessage(data: unknown): void;
  roomDataUpdated(roomName: string, data: Record<string, unknown>): void;
  roomReceipt(roomName: string, receipt: Receipt): void;
  roomMembers(roomName: string, members: MemberInfo[]): void;
  roomMemberJoined(roomName: string, member: MemberInfo): void;
  roomMemberLeft(roomName: string, member: MemberInfo): void;
  roomMemberMessage(roomName: string, message: MemberMessage): void;
  roomBroadcast(roomName: string, message: MemberMessage): void;
  /** Server presence: the users (the first 1,000 by name), to a connection that just logged in. */
  userList(users: UserSummary[]): void;
  /** Server presence: a user the chat did not know logged in for the first time. */
  userJoined(userName: string): void;
  /** Server presence: a user came online (its first connection logged in). */
  userLinked(userName: string): void;
  /** Server presence: a user went offline (its last connection closed). */
  userUnlinked(userName: string): void;
  /** Server presence: a user was deleted or kicked. */
  userLeft(userName: string): void;
}

/** A notification name. */
export type ChatNotificationName = keyof ChatNotifications;

/**
 * Argument names of every command, in positional order; `?` marks an optional trailing argument.
 * The payload on the wire is an object with these keys.
 */
export const commandArguments = {
  directAddToList: ['listName', 'userNames'],
  directGetAccessList: ['listName'],
  directGetWhitelistMode: [],
  directMessage: ['toUser', 'message'],
  directRemoveFromList: ['listName', 'userNames'],
  directSetWhitelistMode: ['mode'],
  listOwnSockets: [],
  roomAddToList: ['roomName', 'listName', 'userNames'],
  roomCreate: ['roomName', 'whitelistOnly', 'options?'],
  roomDelete: ['roomName'],
  roomGetAccessList: ['roomName', 'listName'],
  roomGetOwner: ['roomName'],
  roomGetWhitelistMode: ['roomName'],
  roomHistoryGet: ['roomName', 'id', 'limit'],
  roomHistoryInfo: ['roomName'],
  roomJoin: ['roomName', 'accessToken?'],
  roomLeave: ['roomName'],
  roomMessage: ['roomName', 'message'],
  roomNotificationsInfo: ['roomName'],
  roomRecentHistory: ['roomName'],
  roomRemoveFromList: ['roomName', 'listName', 'userNames'],
  roomSetWhitelistMode: ['roomName', 'mode'],
  roomUserSeen: ['roomName', 'userName'],
  systemMessage: ['data'],
  roomList: ['after?', 'limit?'],
  roomGetData: ['roomName'],
  roomUpdateData: ['roomName', 'data'],
  roomSetAccessToken: ['roomName', 'accessToken'],
  roomReceipt: ['roomName', 'kind', 'messageId?'],
  roomMemberMessage: ['roomName', 'toUser', 'message'],
  roomBroadcast: ['roomName', 'message'],
} as const satisfies { [K in ChatCommandName]: readonly string[] };

/** Argument names of every notification, in positional order (the wire payload's keys). */
export const notificationArguments = {
  directMessage: ['message'],
  directMessageEcho: ['toUser', 'message'],
  loginConfirmed: ['userName', 'authData'],
  loginRejected: ['reason'],
  roomAccessListAdded: ['roomName', 'listName', 'userNames'],
  roomAccessListRemoved: ['roomName', 'listName', 'userNames'],
  roomAccessRemoved: ['roomName'],
  roomJoinedEcho: ['roomName', 'id', 'njoined'],
  roomLeftEcho: ['roomName', 'id', 'njoined'],
  roomMessage: ['roomName', 'message'],
  roomModeChanged: ['roomName', 'mode'],
  roomUserJoined: ['roomName', 'userName'],
  roomUserLeft: ['roomName', 'userName'],
  socketConnectEcho: ['id', 'nconnected'],
  socketDisconnectEcho: ['id', 'nconnected'],
  systemMessage: ['data'],
  roomDataUpdated: ['roomName', 'data'],
  roomReceipt: ['roomName', 'receipt'],
  roomMembers: ['roomName', 'members'],
  roomMemberJoined: ['roomName', 'member'],
  roomMemberLeft: ['roomName', 'member'],
  roomMemberMessage: ['roomName', 'message'],
  roomBroadcast: ['roomName', 'message'],
  userList: ['users'],
  userJoined: ['userName'],
  userLinked: ['userName'],
  userUnlinked: ['userName'],
  userLeft: ['userName'],
} as const satisfies { [K in ChatNotificationName]: readonly string[] };

/** Command names, in the order of {@link commandArguments}. */
export const chatCommandNames = Object.keys(commandArguments) as ChatCommandName[];

/** Notification names, in the order of {@link notificationArguments}. */
export const chatNotificationNames = Object.keys(notificationArguments) as ChatNotificationName[];

const chatNames = new Set<string>([...chatCommandNames, ...chatNotificationNames]);

/** Whether `name` is a chat command or notification name, which application messages may not use. */
export function isChatName(name: string): boolean {
  return chatNames.has(name);
}

/** Notifications the server sends as frames (the login outcome rides on the handshake). */
export const wireNotificationNames = chatNotificationNames.filter((name) => name !== 'loginConfirmed' && name !== 'loginRejected');

/** Wire payload of notification `K`: its arguments by name. */
export type NotificationPayload<K extends ChatNotificationName> = Record<(typeof notificationArguments)[K][number], unknown>;

/** What the server's handshake answer carries on a successful login. */
export interface LoginResult {
  userName: string;
  authData: AuthData;
}

/** Positional arguments → wire payload. Trailing `undefined` optionals are left out. */
export function toPayload(names: readonly string[], args: readonly unknown[]): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (let index = 0; index < names.length; index++) {
    const value = args[index];
    if (value !== undefined) payload[argumentName(names[index]!)] = value;
  }
  return payload;
}

/** Wire payload → positional arguments. */
export function fromPayload(names: readonly string[], payload: unknown): unknown[] {
  const source = (payload !== null && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  return names.map((name) => source[argumentName(name)]);
}

/** `'accessToken?'` → `'accessToken'`. */
export function argumentName(name: string): string {
  return name.endsWith('?') ? name.slice(0, -1) : name;
}

/**
 * Valid user and room names: non-empty, without U+0000–U+001F, U+007F, `:`, `{` or `}` (they
 * would clash with keys the stores build from names).
 */
export function isValidName(name: unknown): name is string {
  // eslint-disable-next-line no-control-regex
  return typeof name === 'string' && name.length > 0 && !/[\u0000-\u001f\u007f:{}]/.test(name);
}
