/**
 * Compile-time checks of ChatClient's typing and of the browser entry. Nothing here runs:
 * `test/unit/types.test.ts` compiles this file and demands zero diagnostics, so every
 * `@ts-expect-error` below must still catch a real error (an unused one is a diagnostic too).
 * Keep each misuse on the line right after its directive, and make it fail for one reason only.
 */
import * as clientEntry from '@volley/chat/client';
import {
  type AuthData,
  ChatClient,
  type HistoryInfo,
  type LoginResult,
  type MemberInfo,
  type ProcessedMessage,
  type Receipt,
  type RoomSummary,
  type UserSeen,
} from '@volley/chat/client';
import type { ClientDisconnectInfo } from '@volley/client';
import { WebSocket } from 'ws';

/** Compile-time equality: `Expect<Equal<A, B>>` fails to compile unless A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

/** What a command method resolves to. */
type Result<K extends keyof ChatClient> = ChatClient[K] extends (...args: never[]) => Promise<infer R> ? R : never;

export async function commands(): Promise<void> {
  const chat = new ChatClient('ws://127.0.0.1:8080', { WebSocket, auth: { token: 't1' } });
  const login: LoginResult = await chat.connect();
  const authData: AuthData = login.authData;
  const id: string = authData.id;
  void id;

  const njoined: number = await chat.roomJoin('lobby');
  const withToken: number = await chat.roomJoin('lobby', 'secret');
  const messageId: number = await chat.roomMessage('lobby', { textMessage: 'hi' });
  const left: number = await chat.roomLeave('lobby');
  void [njoined, withToken, messageId, left];
  type _join = Expect<Equal<Result<'roomJoin'>, number>>;
  type _history = Expect<Equal<Result<'roomRecentHistory'>, ProcessedMessage[]>>;
  type _info = Expect<Equal<Result<'roomHistoryInfo'>, HistoryInfo>>;
  type _seen = Expect<Equal<Result<'roomUserSeen'>, UserSeen>>;
  type _owner = Expect<Equal<Result<'roomGetOwner'>, string | null>>;
  type _list = Expect<Equal<Result<'roomList'>, RoomSummary[]>>;
  type _sockets = Expect<Equal<Result<'listOwnSockets'>, Record<string, string[]>>>;
  type _create = Expect<Equal<Result<'roomCreate'>, void>>;
  await chat.roomCreate('lobby', false);
  await chat.roomCreate('lobby', true, { visible: true, data: { topic: 'hi' } });
  await chat.roomReceipt('lobby', 'typing');
  await chat.roomSetAccessToken('lobby', null);
  const viaCommand: number = await chat.command('roomJoin', ['lobby']);
  void viaCommand;

  // @ts-expect-error a room name is a string
  await chat.roomJoin(42);
  // @ts-expect-error roomJoin needs a room name
  await chat.roomJoin();
  // @ts-expect-error roomJoin takes a room name and an optional token, nothing more
  await chat.roomJoin('lobby', 'secret', 'extra');
  // @ts-expect-error roomJoin resolves with a number, not a string
  const text: string = await chat.roomJoin('lobby');
  void text;
  // @ts-expect-error no such command
  await chat.roomKick('lobby', 'bob');
  // @ts-expect-error command() knows only the commands too
  await chat.command('roomKick', ['lobby']);
  // @ts-expect-error command() checks the arguments of the command it names
  await chat.command('roomJoin', [42]);
  // @ts-expect-error whitelistOnly is required by roomCreate
  await chat.roomCreate('lobby');
  // @ts-expect-error roomCreate options have no colour
  await chat.roomCreate('lobby', false, { colour: 'red' });
  // @ts-expect-error only room lists can be edited: not "friends"
  await chat.roomAddToList('lobby', 'friends', ['bob']);
  // @ts-expect-error direct lists are blacklist and whitelist only
  await chat.directAddToList('adminlist', ['bob']);
  // @ts-expect-error a receipt kind is typing, received or viewed
  await chat.roomReceipt('lobby', 'read', 1);
  // @ts-expect-error roomHistoryGet needs a numeric id and limit
  await chat.roomHistoryGet('lobby', '0', 10);
  // @ts-expect-error roomRecentHistory resolves with messages: no numeric methods
  (await chat.roomRecentHistory('lobby')).toFixed();
  // @ts-expect-error a presence message needs a type
  await chat.roomBroadcast('lobby', { value: 1 });
}

export function events(chat: ChatClient): void {
  chat.on('roomMessage', (room: string, message: ProcessedMessage) => void [room, message.author, message.timestamp]);
  chat.on('roomMessage', (room, message) => {
    type _room = Expect<Equal<typeof room, string>>;
    type _message = Expect<Equal<typeof message, ProcessedMessage>>;
  });
  chat.on('roomJoinedEcho', (roomName, id, njoined) => {
    type _args = Expect<Equal<[typeof roomName, typeof id, typeof njoined], [string, string, number]>>;
  });
  chat.on('roomReceipt', (_roomName, receipt) => {
    type _receipt = Expect<Equal<typeof receipt, Receipt>>;
  });
  chat.on('roomMembers', (_roomName, members) => {
    type _members = Expect<Equal<typeof members, MemberInfo[]>>;
  });
  chat.on('loginConfirmed', (userName, authData) => void [userName.trim(), authData.id.trim()]);
  chat.on('loginRejected', (reason) => {
    type _reason = Expect<Equal<typeof reason, unknown>>;
  });
  chat.on('disconnected', (info) => {
    type _info = Expect<Equal<typeof info, ClientDisconnectInfo>>;
  });
  chat.once('socketConnectEcho', (id: string, nconnected: number) => void [id, nconnected]);

  // @ts-expect-error the room name is a string, not a number
  chat.on('roomMessage', (room: number) => void room);
  // @ts-expect-error the message is a ProcessedMessage, not a string
  chat.on('roomMessage', (room: string, message: string) => void [room, message]);
  // @ts-expect-error no such notification
  chat.on('roomKicked', () => undefined);
  // @ts-expect-error njoined is a number
  chat.on('roomLeftEcho', (roomName: string, id: string, njoined: string) => void [roomName, id, njoined]);
  // @ts-expect-error emitting checks the arguments as well
  chat.emit('roomUserJoined', 'lobby', 42);
}

export function browserEntry(): void {
  type _noServer = Expect<Equal<'ChatServer' extends keyof typeof clientEntry ? true : false, false>>;
  type _noStore = Expect<Equal<'MemoryChatStore' extends keyof typeof clientEntry ? true : false, false>>;
  type _client = Expect<Equal<typeof clientEntry.ChatClient, typeof ChatClient>>;
  // @ts-expect-error the browser entry does not export the server
  void clientEntry.ChatServer;
  // @ts-expect-error nor the memory store
  void clientEntry.MemoryChatStore;
}
