/**
 * @volley/chat/client — the chat client for browsers and Node. It loads neither server code, ajv
 * nor `ws`; Node users pass `ws`'s WebSocket class in the options.
 */
export { ChatClient } from './chat-client.js';
export { ChatError, ChatErrorCode, isChatErrorCode } from './chat-error.js';
export { chatCommandNames, chatNotificationNames, commandArguments, isValidName, notificationArguments } from './chat-api.js';

export type { ChatClientEvents, ChatClientOptions, ChatCommandMethods } from './chat-client.js';
export type { ChatErrorOptions } from './chat-error.js';
export type {
  AuthData,
  ChatCommandName,
  ChatCommands,
  ChatMessage,
  ChatNotificationName,
  ChatNotifications,
  DirectListName,
  EditableRoomListName,
  HistoryInfo,
  LoginResult,
  MemberInfo,
  MemberMessage,
  NotificationsInfo,
  PresenceContent,
  ProcessedMessage,
  Receipt,
  ReceiptKind,
  RoomCreateOptions,
  RoomDataView,
  RoomListName,
  RoomSummary,
  UserSeen,
  UserSummary,
} from './chat-api.js';
