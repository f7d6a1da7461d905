import type { IncomingMessage as HttpRequest } from 'node:http';
import type { AnswerBudget } from './answer-budget.js';
import type { ChatCommandName, ChatCommands, ChatMessage } from './chat-api.js';
import type { ChatError } from './chat-error.js';

/** Who runs a command: the user, its connection (absent for server-side calls), and whether rules apply. */
export interface CommandContext {
  userName: string;
  /** The connection the command came from; undefined when the server API runs it without one. */
  connectionId: string | undefined;
  /** Server API only: skip permission checks. */
  bypassPermissions: boolean;
  /**
   * Aborted when the command ran out of `commandTimeout`: a slow hook can pass it on (to `fetch`,
   * say) or check it; the chat checks it before a hook's answer may change any state.
   */
  signal?: AbortSignal;
  /**
   * Commands from a connection: the bytes its answer may take (see `answerTooLarge`); history
   * reads size their answers against it. Undefined for the server API (no limit).
   */
  answerBudget?: AnswerBudget;
}

/** Positional arguments of command `K`. */
export type CommandArgs<K extends ChatCommandName> = Parameters<ChatCommands[K]>;
/** Result of command `K`. */
export type CommandResult<K extends ChatCommandName> = ReturnType<ChatCommands[K]>;

/** What a before-hook may return: nothing (run as is), new arguments, or a result (skip the command). */
export type BeforeHookResult<K extends ChatCommandName> = void | undefined | { args: CommandArgs<K> } | { result: CommandResult<K> };

/** What an after-hook sees: the command's result or its error. */
export interface CommandOutcome<K extends ChatCommandName> {
  result?: CommandResult<K>;
  error?: ChatError;
}

/** Runs before command `K`. Throwing refuses the command with that error. */
export type BeforeHook<K extends ChatCommandName> = (
  context: CommandContext,
  args: CommandArgs<K>,
) => BeforeHookResult<K> | Promise<BeforeHookResult<K>>;

/**
 * Runs after command `K`, also when it failed. Returning `{result}` replaces the result (and
 * turns a failure into success); throwing replaces the outcome with that error.
 */
export type AfterHook<K extends ChatCommandName> = (
  context: CommandContext,
  args: CommandArgs<K>,
  outcome: CommandOutcome<K>,
) => void | undefined | { result: CommandResult<K> } | Promise<void | undefined | { result: CommandResult<K> }>;

/** What the authenticate hook returns: the user name, and auth data sent back with `loginConfirmed`. */
export interface AuthenticateResult {
  userName: string;
  /**
   * Sent to the client inside `loginConfirmed`; `role` and `displayName` are also what presence
   * shows of the user.
   */
  authData?: Record<string, unknown>;
}

/** What the authenticate hook gets besides the handshake payload. */
export interface AuthenticateContext {
  connectionId: string;
  /** The HTTP upgrade request (headers, cookies). */
  request: HttpRequest | undefined;
}

/**
 * Chat hooks. Every hook may be `async`. A hook that throws a {@link ChatError} refuses with it;
 * anything else it throws becomes `internalError` for the client and an `error` event on the server.
 */
export interface ChatHooks {
  /**
   * Login: turns the handshake payload into a user. Throwing rejects the login, and what is
   * thrown is the reason the client gets (`loginRejected`). Without this hook the payload's
   * `userName` is the user name.
   */
  authenticate?(payload: unknown, context: AuthenticateContext): AuthenticateResult | Promise<AuthenticateResult>;
  /** A logged-in connection closed (after its rooms were left). */
  disconnect?(userName: string, connectionId: string): void | Promise<void>;
  /**
   * A connection is joining a room (access already checked; duplicate joins do not call it). It
   * runs before the join takes effect: throwing refuses the join — nothing changes and nobody is
   * notified — and `roomJoin` fails with the error.
   */
  join?(userName: string, roomName: string, connectionId: string): void | Promise<void>;
  /** A connection left a room (command, close, eviction, room deletion excepted). Errors are reported, never undo the leave. */
  leave?(userName: string, roomName: string, connectionId: string): void | Promise<void>;
  /**
   * Checks a room message; throw to refuse it (a non-ChatError becomes `badArgument`). Without
   * it a message must be exactly `{textMessage: string}`.
   */
  roomMessageChecker?(message: ChatMessage, context: { userName: string; roomName: string }): void | Promise<void>;
  /** Checks a direct message, like {@link roomMessageChecker}. */
  directMessageChecker?(message: ChatMessage, context: { userName: string; toUser: string }): void | Promise<void>;
  /** Per command: runs before it, may rewrite its arguments or answer in its place. */
  before?: { [K in ChatCommandName]?: BeforeHook<K> };
  /** Per command: runs after it (on errors too), may replace its result. */
  after?: { [K in ChatCommandName]?: AfterHook<K> };
}
