/**
 * Codes of {@link ChatError}: why the chat refused a command or a login. The names are Chat
 * Service's, so that its users recognise them; `args` says which thing the code is about.
 */
export const ChatErrorCode = {
  // --- Was the command well formed? ---
  /** A payload field is missing or has the wrong type. `args: [field, problem]` */
  BAD_ARGUMENT: 'badArgument',
  /** A user or room name is empty or has a forbidden character. `args: [name]` */
  INVALID_NAME: 'invalidName',
  /** No such command (server API). `args: [command]` */
  NO_COMMAND: 'noCommand',
  /** Too many or too few positional arguments (server API). `args: [command, expected]` */
  WRONG_ARGUMENTS_COUNT: 'wrongArgumentsCount',
  /** No such list (rooms: adminlist, blacklist, whitelist, userlist; users: blacklist, whitelist). `args: [listName]` */
  NO_LIST: 'noList',

  // --- Is the user allowed? ---
  /** The user lacks the permission (owner, admin, list or mode rules). `args: []` or `[room]` */
  NOT_ALLOWED: 'notAllowed',
  /** A read or message needs the user to be joined to the room (or be an admin). `args: [room]` */
  NOT_JOINED: 'notJoined',
  /** A list would exceed its size limit. `args: [listName]` */
  LIST_LIMIT_EXCEEDED: 'listLimitExceeded',
  /** The user already owns `maxRoomsPerUser` rooms, so `roomCreate` is refused. `args: [user]` */
  ROOMS_LIMIT_EXCEEDED: 'roomsLimitExceeded',
  /**
   * A history answer would not fit in what the connection may still buffer (the server's
   * `maxBufferedAmount`, less what waits to be sent and the answers being built for it): not even
   * its newest message fits. Refused before it is built; retry once earlier answers are read.
   * `args: [room]`
   */
  ANSWER_TOO_LARGE: 'answerTooLarge',
  /** The login was refused: no user name came out of the handshake. `args: []` */
  NO_LOGIN: 'noLogin',

  // --- Does the thing exist? ---
  /** No such room. `args: [room]` */
  NO_ROOM: 'noRoom',
  /** No such user. `args: [user]` */
  NO_USER: 'noUser',
  /** The user exists but has no open connection. `args: [user]` */
  NO_USER_ONLINE: 'noUserOnline',
  /** The room already exists. `args: [room]` */
  ROOM_EXISTS: 'roomExists',
  /** The user already exists. `args: [user]` */
  USER_EXISTS: 'userExists',
  /** The user is online, so it cannot be deleted. `args: [user]` */
  USER_ONLINE: 'userOnline',
  /** The command needs a connection (server API call without `connectionId`). `args: [command]` */
  NO_SOCKET: 'noSocket',
  /** The connection does not belong to the user (server API). `args: [connectionId]` */
  INVALID_SOCKET: 'invalidSocket',

  // --- Did the server fail? ---
  /** A hook or the store threw something that is not a ChatError; its text stays on the server (`error` event). `args: []` */
  INTERNAL_ERROR: 'internalError',
  /** A hook or store call did not finish within `commandTimeout`. `args: [command]` */
  TIMEOUT: 'timeout',
} as const;

/** One of {@link ChatErrorCode}. */
export type ChatErrorCode = (typeof ChatErrorCode)[keyof typeof ChatErrorCode];

const codes = new Set<string>(Object.values(ChatErrorCode));

/** Options of {@link ChatError}. */
export interface ChatErrorOptions {
  /** The error that caused this one (server side only; never sent to clients). */
  cause?: unknown;
}

/**
 * The chat's one error class: a command or login the chat refused. `code` is one of
 * {@link ChatErrorCode}; `args` name what it is about. Commands reject with it on the server
 * (hooks may throw it) and on the client (rebuilt from the wire form).
 *
 * @example
 * try {
 *   await chat.roomJoin('staff');
 * } catch (err) {
 *   if (err instanceof ChatError && err.code === ChatErrorCode.NOT_ALLOWED) showLocked();
 * }
 */
export class ChatError extends Error {
  /** What went wrong. */
  readonly code: ChatErrorCode;
  /** What it is about (a room, a user, a field...). */
  readonly args: unknown[];

  constructor(code: ChatErrorCode, args: unknown[] = [], options: ChatErrorOptions = {}) {
    super(describe(code, args), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ChatError';
    this.code = code;
    this.args = args;
  }

  /**
   * Rebuilds a ChatError from its wire form (`{name: 'ChatError', code, args}`), or returns
   * undefined when `value` is not one.
   */
  static fromWire(value: unknown): ChatError | undefined {
    if (value === null || typeof value !== 'object') return undefined;
    const wire = value as { name?: unknown; code?: unknown; args?: unknown };
    if (wire.name !== 'ChatError' || typeof wire.code !== 'string' || !codes.has(wire.code)) return undefined;
    return new ChatError(wire.code as ChatErrorCode, Array.isArray(wire.args) ? wire.args : []);
  }
}

/** True for one of {@link ChatErrorCode}. */
export function isChatErrorCode(value: unknown): value is ChatErrorCode {
  return typeof value === 'string' && codes.has(value);
}

function describe(code: ChatErrorCode, args: unknown[]): string {
  return args.length === 0 ? code : `${code}: ${args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(', ')}`;
}
