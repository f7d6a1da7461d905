import {
  ChatError,
  ChatErrorCode,
  type ChatStore,
  type ConnectionRemoval,
  type DirectListName,
  type HistoryPage,
  type MembershipChange,
  type ProcessedMessage,
  type RoomChanges,
  type RoomState,
  type RoomSummary,
  type StoredRoomListName,
  type UserInfo,
  type UserSeen,
  type UserSummary,
} from '@volley/chat';
import { parseWithBytes, stringifyWithBytes } from '@volley/protocol';
import { chatScripts } from './chat-scripts.js';
import { createOwnClient, type RedisClient } from './redis-client.js';
import { checkClient, checkPrefix } from './redis-options.js';

/** Options of {@link RedisChatStore}. */
export interface RedisChatStoreOptions {
  /**
   * The node-redis client (or an ioredis one through `fromIoredis`), created with
   * `disableOfflineQueue: true` so that a command while Redis is down fails at once (the chat
   * answers it as an internal error) instead of running late. Connected when it is not open;
   * never closed by the store (it is yours). It may be the Redis adapter's client.
   * @default a client of its own to `url`, closed by `close()`
   */
  client?: RedisClient;
  /** Where the store's own client connects, when no `client` is given. @default 'redis://127.0.0.1:6379' */
  url?: string;
  /**
   * The deployment's prefix, as the adapter's: the store's keys live under `{prefix}:chat`, in
   * the hash tag `{prefix}` (one Redis Cluster slot).
   * @default 'volley'
   */
  prefix?: string;
}

/** Defaults of {@link RedisChatStoreOptions}. */
export const redisChatStoreDefaults = {
  url: 'redis://127.0.0.1:6379',
  prefix: 'volley',
} as const;

/** Fields of the room hash, by setting. */
const ROOM_FIELDS = {
  owner: 'owner',
  whitelistOnly: 'wlo',
  historyMaxSize: 'hmax',
  lastMessageId: 'last',
  visible: 'visible',
  presence: 'presence',
  accessToken: 'token',
  enableUserlistUpdates: 'ulu',
  enableAccessListsUpdates: 'alu',
} as const satisfies Record<Exclude<keyof RoomState, 'name' | 'data'>, string>;

/**
 * The chat's state in Redis, shared by every node of a deployment and kept across restarts. Each
 * operation is one Lua script (atomic: join counting, list limits and history ids hold with any
 * number of nodes); the history of a room is a stream whose entry ids are the message ids.
 * Passes the chat's whole store contract suite, as the memory store does. Redis persistence
 * (AOF or RDB) decides what survives a Redis restart: docs/scaling.md.
 *
 * @example
 * import { createClient } from 'redis';
 * import { RedisAdapter } from '@volley/redis';
 * import { RedisChatStore } from '@volley/redis/chat';
 * const redis = createClient({ url: 'redis://127.0.0.1:6379', disableOfflineQueue: true });
 * const chat = new ChatServer({
 *   port: 8080,
 *   adapter: new RedisAdapter({ client: redis, prefix: 'chat-prod' }),
 *   store: new RedisChatStore({ client: redis, prefix: 'chat-prod' }),
 * });
 */
export class RedisChatStore implements ChatStore {
  private readonly client: RedisClient;
  private readonly ownsClient: boolean;
  private readonly root: string;
  /** Settles once the client is open: every command waits for it (no offline queue to wait in). */
  private opened: Promise<unknown> | undefined;

  /** @throws TypeError for invalid options. */
  constructor(options: RedisChatStoreOptions = {}) {
    const prefix = checkPrefix(options.prefix ?? redisChatStoreDefaults.prefix);
    this.root = `{${prefix}}:chat`;
    this.ownsClient = options.client === undefined;
    this.client = options.client === undefined ? createOwnClient(options.url ?? redisChatStoreDefaults.url) : checkClient(options.client);
  }

  async addUser(userName: string): Promise<boolean> {
    return (await this.run('addUser', userName)) === 1;
  }

  async hasUser(userName: string): Promise<boolean> {
    return (await this.run('hasUser', userName)) === 1;
  }

  async deleteUser(userName: string): Promise<boolean> {
    return (await this.run('deleteUser', userName)) === 1;
  }

  async setUserInfo(userName: string, info: UserInfo): Promise<void> {
    await this.run('setUserField', userName, 'info', JSON.stringify(info));
  }

  async getUserInfo(userName: string): Promise<UserInfo> {
    const info = (await this.run('getUserField', userName, 'info')) as string | null;
    return info === null ? {} : (JSON.parse(info) as UserInfo);
  }

  async listUsers(after: string | undefined, limit: number): Promise<UserSummary[]> {
    const page = (await this.run('listUsers', after ?? '', count(limit))) as [string, number][];
    return page.map(([userName, connections]) => ({ userName, connections }));
  }

  async addConnection(userName: string, connectionId: string): Promise<number> {
    return (await this.run('addConnection', userName, connectionId)) as number;
  }

  async removeConnection(userName: string, connectionId: string, now: number): Promise<ConnectionRemoval> {
    const [nconnected, rooms] = (await this.run('removeConnection', userName, connectionId, String(now))) as [number, [string, number][]];
    return { nconnected, rooms: rooms.map(([roomName, njoined]) => ({ roomName, njoined })) };
  }

  getConnections(userName: string): Promise<string[]> {
    return this.run('userSetMembers', userName, 'conns') as Promise<string[]>;
  }

  async getConnectionUser(connectionId: string): Promise<string | undefined> {
    return ((await this.run('connectionUser', connectionId)) as string | null) ?? undefined;
  }

  async addToDirectList(userName: string, listName: DirectListName, names: string[], limit: number): Promise<void> {
    if ((await this.run('addToDirectList', userName, listName, String(limit), ...names)) === -1) throw new ChatError(ChatErrorCode.LIST_LIMIT_EXCEEDED, [listName]);
  }

  async removeFromDirectList(userName: string, listName: DirectListName, names: string[]): Promise<void> {
    if (names.length > 0) await this.run('removeFromDirectList', userName, listName, ...names);
  }

  getDirectList(userName: string, listName: DirectListName): Promise<string[]> {
    return this.run('userSetMembers', userName, listName) as Promise<string[]>;
  }

  async isInDirectList(userName: string, listName: DirectListName, name: string): Promise<boolean> {
    return (await this.run('userSetHas', userName, listName, name)) === 1;
  }

  async setDirectWhitelistMode(userName: string, mode: boolean): Promise<void> {
    await this.run('setUserField', userName, 'wlo', mode ? '1' : '0');
  }

  async getDirectWhitelistMode(userName: string): Promise<boolean> {
    return (await this.run('getUserField', userName, 'wlo')) === '1';
  }

  async createRoom(room: RoomState, maxOwned?: number): Promise<boolean> {
    const settings = encodeSettings(room);
    const data = Object.entries(room.data).flatMap(([field, value]) => (value === undefined ? [] : [field, stringifyWithBytes(value)!]));
    const visible = room.visible ? '1' : '0';
    const args = [room.name, String(maxOwned ?? -1), room.owner ?? '', visible, String(settings.length / 2), ...settings, ...data];
    const created = await this.run('createRoom', ...args);
    if (created === -1) throw new ChatError(ChatErrorCode.ROOMS_LIMIT_EXCEEDED, [room.owner]);
    return created === 1;
  }

  async deleteRoom(roomName: string): Promise<Map<string, string[]> | undefined> {
    const joined = (await this.run('deleteRoom', roomName)) as [string, string[]][] | null;
    return joined === null ? undefined : new Map(joined);
  }

  async getRoom(roomName: string): Promise<RoomState | undefined> {
    const found = (await this.run('getRoom', roomName)) as [string[], string[]] | null;
    return found === null ? undefined : decodeRoom(roomName, pairs(found[0]), decodeData(found[1]));
  }

  async listRooms(viewer: string | undefined, after: string | undefined, limit: number): Promise<RoomSummary[]> {
    const [page, hidden] = (await this.run('listRooms', viewer ?? '', after ?? '', String(limit))) as [Summary[], Summary[]];
    // Hidden candidates come unsorted and unfiltered by `after`; merge them into the visible page
    // in the index's order (bytes of UTF-8, as Redis sorts).
    const later = hidden.filter(([name]) => after === undefined || byteOrder(name, after) > 0).sort(([a], [b]) => byteOrder(a, b));
    const merged = [...page, ...later].sort(([a], [b]) => byteOrder(a, b)).slice(0, limit);
    return merged.map(([name, owner, members, visible]) => ({ name, owner: owner === '' ? null : owner, members, visible: visible === '1' }));
  }

  async updateRoom(roomName: string, changes: RoomChanges): Promise<boolean> {
    const set: string[] = [];
    const remove: string[] = [];
    for (const [key, value] of Object.entries(changes) as [keyof RoomChanges, RoomChanges[keyof RoomChanges]][]) {
      if (value === undefined) continue;
      if (value === null) remove.push(ROOM_FIELDS[key]);
      else set.push(ROOM_FIELDS[key], encodeValue(value));
    }
    return (await this.run('updateRoom', roomName, String(set.length / 2), ...set, ...remove)) === 1;
  }

  async mergeRoomData(roomName: string, fields: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    const args = Object.entries(fields).flatMap(([field, value]) => [field, value === undefined ? '' : stringifyWithBytes(value)!]);
    const data = (await this.run('mergeRoomData', roomName, ...args)) as string[] | null;
    return data === null ? undefined : decodeData(data);
  }

  async setHistoryMaxSize(roomName: string, size: number): Promise<boolean> {
    return (await this.run('setHistoryMaxSize', roomName, String(size))) === 1;
  }

  async addToRoomList(roomName: string, listName: StoredRoomListName, names: string[], limit: number): Promise<void> {
    if ((await this.run('addToRoomList', roomName, listName, String(limit), ...names)) === -1) throw new ChatError(ChatErrorCode.LIST_LIMIT_EXCEEDED, [listName]);
  }

  async removeFromRoomList(roomName: string, listName: StoredRoomListName, names: string[]): Promise<void> {
    // The script clears the list when given no names.
    if (names.length > 0) await this.run('removeFromRoomList', roomName, listName, ...names);
  }

  async clearRoomList(roomName: string, listName: StoredRoomListName): Promise<void> {
    await this.run('removeFromRoomList', roomName, listName);
  }

  getRoomList(roomName: string, listName: StoredRoomListName | 'userlist'): Promise<string[]> {
    return this.run('roomListMembers', roomName, listName) as Promise<string[]>;
  }

  async isInRoomList(roomName: string, listName: StoredRoomListName | 'userlist', name: string): Promise<boolean> {
    return (await this.run('roomListHas', roomName, listName, name)) === 1;
  }

  async joinRoom(roomName: string, userName: string, connectionId: string, now: number): Promise<MembershipChange> {
    return membershipChange(await this.run('joinRoom', roomName, userName, connectionId, String(now)));
  }

  async leaveRoom(roomName: string, userName: string, connectionId: string, now: number): Promise<MembershipChange> {
    return membershipChange(await this.run('leaveRoom', roomName, userName, connectionId, String(now)));
  }

  removeUserFromRoom(roomName: string, userName: string, now: number): Promise<string[]> {
    return this.run('removeUserFromRoom', roomName, userName, String(now)) as Promise<string[]>;
  }

  getJoinedConnections(roomName: string, userName: string): Promise<string[]> {
    return this.run('joinedConnections', roomName, userName) as Promise<string[]>;
  }

  getConnectionRooms(connectionId: string): Promise<string[]> {
    return this.run('connectionRooms', connectionId) as Promise<string[]>;
  }

  async getUserSeen(roomName: string, userName: string): Promise<UserSeen> {
    const [joined, seen] = (await this.run('userSeen', roomName, userName)) as [number, string];
    return { joined: joined === 1, timestamp: seen === '' ? null : Number(seen) };
  }

  async addMessage(roomName: string, message: ProcessedMessage, maxBytes = Infinity): Promise<ProcessedMessage | undefined> {
    // The script appends the id it draws to the JSON, as the last field.
    const { id: _drawnByTheStore, ...rest } = message;
    const text = (await this.run('addMessage', roomName, stringifyWithBytes(rest)!, bound(maxBytes))) as string | null;
    return text === null ? undefined : (parseWithBytes(text) as ProcessedMessage);
  }

  async getRecentHistory(roomName: string, limit: number, maxBytes: number): Promise<HistoryPage> {
    return historyPage(roomName, await this.run('recentHistory', roomName, count(limit), bound(maxBytes)));
  }

  async getHistory(roomName: string, afterId: number, limit: number, maxBytes: number): Promise<HistoryPage> {
    const page = historyPage(roomName, await this.run('history', roomName, String(afterId), count(limit), bound(maxBytes)));
    page.messages.reverse();
    return page;
  }

  async getHistorySize(roomName: string): Promise<number> {
    return (await this.run('historySize', roomName)) as number;
  }

  async close(): Promise<void> {
    if (this.ownsClient && this.client.isOpen) await this.client.close();
  }

  /** Runs an operation's script, connecting the client first when it is not open. */
  private async run(script: keyof typeof chatScripts, ...args: string[]): Promise<unknown> {
    this.opened ??= this.client.isOpen ? Promise.resolve() : this.client.connect();
    try {
      await this.opened;
    } catch (error) {
      this.opened = undefined; // The next command tries again.
      throw error;
    }
    return chatScripts[script].run(this.client, [this.root], args);
  }
}

/** A listing row from the script: name, owner ('' for none), members, visible ('1'/'0'). */
type Summary = [string, string, number, string];

function encodeValue(value: string | number | boolean): string {
  return typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
}

/** The room's settings as field/value pairs of its hash (null ones left out). */
function encodeSettings(room: RoomState): string[] {
  const fields: string[] = ['hbytes', '0'];
  for (const [key, field] of Object.entries(ROOM_FIELDS) as [keyof typeof ROOM_FIELDS, string][]) {
    const value = room[key];
    if (value !== null) fields.push(field, encodeValue(value));
  }
  return fields;
}

function decodeRoom(name: string, hash: Record<string, string>, data: Record<string, unknown>): RoomState {
  const flag = (field: string): boolean => hash[field] === '1';
  return {
    name,
    owner: hash.owner ?? null,
    whitelistOnly: flag('wlo'),
    historyMaxSize: Number(hash.hmax),
    lastMessageId: Number(hash.last),
    visible: flag('visible'),
    presence: flag('presence'),
    accessToken: hash.token ?? null,
    enableUserlistUpdates: flag('ulu'),
    enableAccessListsUpdates: flag('alu'),
    data,
  };
}

/** A flat HGETALL reply as an object. */
function pairs(flat: string[]): Record<string, string> {
  const object: Record<string, string> = {};
  for (let index = 0; index < flat.length; index += 2) object[flat[index]!] = flat[index + 1]!;
  return object;
}

function decodeData(flat: string[]): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [field, json] of Object.entries(pairs(flat))) data[field] = parseWithBytes(json);
  return data;
}

function membershipChange(reply: unknown): MembershipChange {
  const [changed, njoined] = reply as [number, number];
  return { changed: changed === 1, njoined };
}

/** A count or byte bound as the scripts read it: -1 for none. */
function bound(value: number): string {
  return Number.isFinite(value) ? String(value) : '-1';
}

/** A count as the scripts read it (no Infinity in Lua's numbers). */
function count(value: number): string {
  return String(Math.min(value, Number.MAX_SAFE_INTEGER));
}

function historyPage(roomName: string, reply: unknown): HistoryPage {
  if (reply === -1) throw new ChatError(ChatErrorCode.ANSWER_TOO_LARGE, [roomName]);
  const [texts, bytes] = reply as [string[], number];
  return { messages: texts.map((text) => parseWithBytes(text) as ProcessedMessage), bytes };
}

/** Order of Redis's lexicographic index: by UTF-8 bytes. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
