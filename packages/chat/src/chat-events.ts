import type { EventEmitter } from 'eventemitter3';
import type { ChatCommandName } from './chat-api.js';

/** Events of {@link ChatServer} (Krmx's names and order of arguments). */
export interface ChatServerEvents {
  /**
   * A connection is about to log in as `userName` (after the authenticate hook). Call
   * `reject(reason)`, or throw a ChatError or a string, to refuse it with that reason (another
   * throw refuses it with `internalError` and is reported); `info.auth` is the handshake payload.
   * A listener may be async: the listeners are awaited in turn, within `authenticateTimeout`.
   */
  authenticate: [userName: string, info: { isNewUser: boolean; auth: unknown }, reject: (reason?: unknown) => void];
  /** A user the chat did not know logged in for the first time (or was added by the server API). */
  join: [userName: string];
  /** A user was deleted or kicked (server API), after the `unlink` of each of its connections on this node. */
  leave: [userName: string];
  /** A connection logged in as `userName`. */
  link: [userName: string, connectionId: string];
  /** A logged-in connection closed. */
  unlink: [userName: string, connectionId: string];
  /** A user sent a command (valid payload, before hooks). */
  message: [userName: string, message: { command: ChatCommandName; args: unknown[]; connectionId: string }];
  /** The server listens (port undefined with `noServer`). */
  listen: [port: number | undefined];
  /** The server stopped. */
  close: [];
  /** Something failed that no client request could be told about: a leave or disconnect hook, a delivery, a hook's internal error. */
  error: [error: unknown];
}

/** What the chat's parts emit through: the ChatServer itself. */
export type ChatEmitter = EventEmitter<ChatServerEvents>;
