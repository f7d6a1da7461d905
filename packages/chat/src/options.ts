import type { Server, ServerOptions } from '@volley/server';
import type { ChatStore } from './chat-store.js';
import type { ChatHooks } from './hooks.js';

/**
 * Options of {@link ChatServer}. Give either `server` (a Volley server you created) or the
 * options to create one (`port`, `host`, `path`, `serverOptions`).
 */
export interface ChatServerOptions {
  /** Run on this Volley server; the chat answers its handshakes. @default a new Server from the options below */
  server?: Server;
  /** Port of the Volley server the chat creates; 0 picks a free one. */
  port?: number;
  /** Host of the created server. @default undefined (all interfaces) */
  host?: string;
  /** Upgrade path of the created server. @default undefined (any path) */
  path?: string;
  /** More options for the created server (limits, origins, adapter for several nodes). @default {} */
  serverOptions?: Omit<ServerOptions, 'port' | 'host' | 'path'>;
  /** Where the chat state lives. @default new MemoryChatStore() */
  store?: ChatStore;
  /** Login, membership, message and per-command hooks. @default {} */
  hooks?: ChatHooks;
  /** Allow `directMessage`. @default false */
  enableDirectMessages?: boolean;
  /** Allow users to `roomCreate` and `roomDelete`. @default false */
  enableRoomsManagement?: boolean;
  /** Default for new rooms: send `roomUserJoined` / `roomUserLeft`. @default false */
  enableUserlistUpdates?: boolean;
  /** Default for new rooms: send `roomAccessListAdded` / `Removed` and `roomModeChanged`. @default false */
  enableAccessListsUpdates?: boolean;
  /**
   * Server-wide presence: every logged-in connection hears of users joining (`userJoined`), coming
   * online and going offline (`userLinked`, `userUnlinked`) and leaving (`userLeft`), and gets the
   * user list (`userList`) when it logs in. @default false
   */
  serverPresence?: boolean;
  /** Default for new rooms: presence with roles (member lists, member joined/left). @default false */
  presence?: boolean;
  /** Most messages `roomRecentHistory` and `roomHistoryGet` return. @default 100 */
  historyMaxGetMessages?: number;
  /** Messages a new room keeps. @default 10000 */
  historyMaxSize?: number;
  /**
   * Bytes of history (the messages' JSON) each room keeps: the oldest messages are dropped past it,
   * as past `historyMaxSize`. Bounds a room's memory whatever size its messages are.
   * @default 4194304 (4 MiB)
   */
  historyMaxBytes?: number;
  /**
   * Rooms one user may own through `roomCreate` at once (deleting one frees a place); the server
   * API (`addRoom`) is not counted against it. 0 = no limit. @default 100
   */
  maxRoomsPerUser?: number;
  /** Size limit of each user's direct lists. @default 1000 */
  directListSizeLimit?: number;
  /** Size limit of each room list. @default 10000 */
  roomListSizeLimit?: number;
  /** Further restricts user and room names (the built-in rule always applies). @default undefined */
  isValidName?: (name: string) => boolean;
  /** Time a command (hooks and store calls included) may take before it fails with `timeout`; 0 = none. @default 8000 */
  commandTimeout?: number;
  /**
   * Whether users the chat does not know yet may log in (they are created then). Off, their
   * logins are refused with `notAllowed [userName]`; known users still log in. Changeable at any
   * time through `chat.acceptNewUsers`. @default true
   */
  acceptNewUsers?: boolean;
  /**
   * Time the `authenticate` listeners together may take (each may return a promise) before the
   * login is refused with `timeout ['authenticate']`; 0 = none. @default 8000
   */
  authenticateTimeout?: number;
}

/** Defaults of {@link ChatServerOptions}. */
export const chatServerDefaults = {
  enableDirectMessages: false,
  enableRoomsManagement: false,
  enableUserlistUpdates: false,
  enableAccessListsUpdates: false,
  presence: false,
  serverPresence: false,
  historyMaxGetMessages: 100,
  historyMaxSize: 10_000,
  historyMaxBytes: 4 * 1024 * 1024,
  maxRoomsPerUser: 100,
  directListSizeLimit: 1_000,
  roomListSizeLimit: 10_000,
  commandTimeout: 8_000,
  acceptNewUsers: true,
  authenticateTimeout: 8_000,
} as const;

/** Options with defaults applied. */
export type ResolvedChatOptions = Omit<ChatServerOptions, keyof typeof chatServerDefaults> & {
  -readonly [K in keyof typeof chatServerDefaults]: (typeof chatServerDefaults)[K] extends boolean ? boolean : number;
};

const MAX_TIMER_DELAY = 2_147_483_647;

/** Merges defaults once; throws TypeError for invalid options. */
export function resolveChatOptions(options: ChatServerOptions): ResolvedChatOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('ChatServer options must be an object');
  const resolved = { ...chatServerDefaults, ...stripUndefined(options) } as ResolvedChatOptions;
  if (resolved.server !== undefined && (resolved.port !== undefined || resolved.serverOptions !== undefined)) {
    throw new TypeError('Give either `server` or `port`/`serverOptions`, not both');
  }
  if (resolved.server === undefined && resolved.port === undefined && resolved.serverOptions?.noServer !== true && resolved.serverOptions?.server === undefined) {
    throw new TypeError('Give `server`, `port`, `serverOptions.server` or `serverOptions.noServer`');
  }
  for (const key of ['enableDirectMessages', 'enableRoomsManagement', 'enableUserlistUpdates', 'enableAccessListsUpdates', 'presence', 'serverPresence', 'acceptNewUsers'] as const) {
    if (typeof resolved[key] !== 'boolean') throw new TypeError(`${key} must be a boolean`);
  }
  for (const key of ['historyMaxGetMessages', 'historyMaxSize', 'historyMaxBytes', 'maxRoomsPerUser', 'directListSizeLimit', 'roomListSizeLimit'] as const) {
    const value = resolved[key];
    if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`${key} must be a non-negative integer`);
  }
  for (const key of ['commandTimeout', 'authenticateTimeout'] as const) {
    const timeout = resolved[key];
    if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0 || timeout > MAX_TIMER_DELAY) {
      throw new TypeError(`${key} must be between 0 and ${MAX_TIMER_DELAY} ms`);
    }
  }
  if (resolved.isValidName !== undefined && typeof resolved.isValidName !== 'function') throw new TypeError('isValidName must be a function');
  if (resolved.hooks !== undefined && (resolved.hooks === null || typeof resolved.hooks !== 'object')) throw new TypeError('hooks must be an object');
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
