/**
 * @volley/chat — the chat service on the server. Browsers import `@volley/chat/client` instead,
 * which never loads this entry's server code.
 *
 * Deliberately private: the command table, the shared rules (`ChatService`), the notifier and
 * the payload validator (implementation details that may change without notice).
 */
export { AnswerBudget } from './answer-budget.js';
export { ChatServer } from './chat-server.js';
export { MemoryChatStore } from './memory-chat-store.js';
export { chatServerDefaults } from './options.js';
export { roomChannel, userChannel } from './notifier.js';
export * from './client.js';

export type { AddRoomOptions, AddUserOptions, AppMessageHandler, ChatServerEvents, CommandTarget, MessageSender, UserBroadcastOptions } from './chat-server.js';
export type { ChatServerOptions } from './options.js';
export type { ChatStore, ConnectionRemoval, HistoryPage, MembershipChange, RoomChanges, RoomState, StoredRoomListName, UserInfo } from './chat-store.js';
export type {
  AfterHook,
  AuthenticateContext,
  AuthenticateResult,
  BeforeHook,
  BeforeHookResult,
  ChatHooks,
  CommandArgs,
  CommandContext,
  CommandOutcome,
  CommandResult,
} from './hooks.js';
