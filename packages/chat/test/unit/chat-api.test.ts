import {
  type ChatCommandName,
  type ChatCommands,
  type ChatNotificationName,
  chatCommandNames,
  chatNotificationNames,
  commandArguments,
  isValidName,
  notificationArguments,
} from '@volley/chat';
import { describe, expect, it } from 'vitest';
import { argumentName, fromPayload, toPayload, wireNotificationNames } from '../../src/chat-api.js';

/** Chat Service's 24 client commands with their argument names (CHAT.md). */
const chatServiceCommands: Record<string, string[]> = {
  directAddToList: ['listName', 'userNames'],
  directGetAccessList: ['listName'],
  directGetWhitelistMode: [],
  directMessage: ['toUser', 'message'],
  directRemoveFromList: ['listName', 'userNames'],
  directSetWhitelistMode: ['mode'],
  listOwnSockets: [],
  roomAddToList: ['roomName', 'listName', 'userNames'],
  roomCreate: ['roomName', 'whitelistOnly'],
  roomDelete: ['roomName'],
  roomGetAccessList: ['roomName', 'listName'],
  roomGetOwner: ['roomName'],
  roomGetWhitelistMode: ['roomName'],
  roomHistoryGet: ['roomName', 'id', 'limit'],
  roomHistoryInfo: ['roomName'],
  roomJoin: ['roomName'],
  roomLeave: ['roomName'],
  roomMessage: ['roomName', 'message'],
  roomNotificationsInfo: ['roomName'],
  roomRecentHistory: ['roomName'],
  roomRemoveFromList: ['roomName', 'listName', 'userNames'],
  roomSetWhitelistMode: ['roomName', 'mode'],
  roomUserSeen: ['roomName', 'userName'],
  systemMessage: ['data'],
};

/** The 7 commands added for lobbies, receipts and presence. */
const addedCommands = ['roomList', 'roomGetData', 'roomUpdateData', 'roomSetAccessToken', 'roomReceipt', 'roomMemberMessage', 'roomBroadcast'];

/**
 * Chat Service's 16 notifications with their argument names (seeds/000). Chat Service names
 * systemMessage's one argument `message`; here it is `data`, like the command's (positional for
 * ChatClient users, so only raw Volley clients see the key).
 */
const chatServiceNotifications: Record<string, string[]> = {
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
};

/** The 7 notifications added for room data, receipts and presence. */
const addedNotifications = [
  'roomDataUpdated',
  'roomReceipt',
  'roomMembers',
  'roomMemberJoined',
  'roomMemberLeft',
  'roomMemberMessage',
  'roomBroadcast',
  // server presence
  'userList',
  'userJoined',
  'userLinked',
  'userUnlinked',
  'userLeft',
];

/** Sample positional arguments of every command, all given (the type makes the table complete and typed). */
const fullArgs: { [K in ChatCommandName]: Parameters<ChatCommands[K]> } = {
  directAddToList: ['blacklist', ['bob', 'carol']],
  directGetAccessList: ['whitelist'],
  directGetWhitelistMode: [],
  directMessage: ['bob', { textMessage: 'hi' }],
  directRemoveFromList: ['whitelist', ['bob']],
  directSetWhitelistMode: [true],
  listOwnSockets: [],
  roomAddToList: ['lobby', 'adminlist', ['bob']],
  roomCreate: ['lobby', false, { visible: true, presence: true, data: { topic: 'hi' } }],
  roomDelete: ['lobby'],
  roomGetAccessList: ['lobby', 'userlist'],
  roomGetOwner: ['lobby'],
  roomGetWhitelistMode: ['lobby'],
  roomHistoryGet: ['lobby', 0, 10],
  roomHistoryInfo: ['lobby'],
  roomJoin: ['lobby', 'secret'],
  roomLeave: ['lobby'],
  roomMessage: ['lobby', { textMessage: 'hi', extra: [1, { two: 2 }] }],
  roomNotificationsInfo: ['lobby'],
  roomRecentHistory: ['lobby'],
  roomRemoveFromList: ['lobby', 'blacklist', ['bob']],
  roomSetWhitelistMode: ['lobby', false],
  roomUserSeen: ['lobby', 'bob'],
  systemMessage: [{ any: ['json'] }],
  roomList: ['lobby', 10],
  roomGetData: ['lobby'],
  roomUpdateData: ['lobby', { topic: 'new' }],
  roomSetAccessToken: ['lobby', null],
  roomReceipt: ['lobby', 'viewed', 7],
  roomMemberMessage: ['lobby', 'bob', { type: 'hand', value: true }],
  roomBroadcast: ['lobby', { type: 'note' }],
};

describe('command and notification tables', () => {
  it('commandArguments has exactly the 24 Chat Service commands plus the 7 additions', () => {
    expect(Object.keys(chatServiceCommands)).toHaveLength(24);
    expect(Object.keys(commandArguments).sort()).toEqual([...Object.keys(chatServiceCommands), ...addedCommands].sort());
    expect(Object.keys(commandArguments)).toHaveLength(31);
  });

  it('the 24 Chat Service commands keep their argument names; optional extras only trail', () => {
    for (const [command, names] of Object.entries(chatServiceCommands)) {
      const actual = commandArguments[command as ChatCommandName] as readonly string[];
      expect(actual.slice(0, names.length), command).toEqual(names);
      expect(actual.slice(names.length).every((name) => name.endsWith('?')), command).toBe(true);
    }
    expect(commandArguments.roomCreate).toEqual(['roomName', 'whitelistOnly', 'options?']);
    expect(commandArguments.roomJoin).toEqual(['roomName', 'accessToken?']);
  });

  it('an optional argument is never followed by a required one', () => {
    for (const [command, names] of Object.entries(commandArguments)) {
      const firstOptional = names.findIndex((name: string) => name.endsWith('?'));
      if (firstOptional >= 0) expect(names.slice(firstOptional).every((name: string) => name.endsWith('?')), command).toBe(true);
    }
  });

  it('notificationArguments has exactly the 16 Chat Service notifications plus the 12 additions', () => {
    expect(Object.keys(chatServiceNotifications)).toHaveLength(16);
    expect(Object.keys(notificationArguments).sort()).toEqual([...Object.keys(chatServiceNotifications), ...addedNotifications].sort());
    expect(Object.keys(notificationArguments)).toHaveLength(28);
  });

  it('the 16 Chat Service notifications keep their argument names', () => {
    for (const [notification, names] of Object.entries(chatServiceNotifications)) {
      expect(notificationArguments[notification as ChatNotificationName], notification).toEqual(names);
    }
  });

  it('the name lists follow the tables; only the login outcome is not a wire notification', () => {
    expect(chatCommandNames).toEqual(Object.keys(commandArguments));
    expect(chatNotificationNames).toEqual(Object.keys(notificationArguments));
    expect(wireNotificationNames).toEqual(chatNotificationNames.filter((name) => name !== 'loginConfirmed' && name !== 'loginRejected'));
    expect(wireNotificationNames).toHaveLength(26);
  });
});

describe('toPayload / fromPayload', () => {
  it.each(chatCommandNames)('%s: every argument given round-trips through the payload and JSON', (command) => {
    const names = commandArguments[command];
    const args = fullArgs[command] as unknown[];
    expect(args).toHaveLength(names.length);
    const payload = toPayload(names, args);
    expect(Object.keys(payload)).toEqual(names.map(argumentName));
    expect(fromPayload(names, payload)).toEqual(args);
    expect(fromPayload(names, JSON.parse(JSON.stringify(payload)))).toEqual(args);
  });

  it.each([
    ['roomCreate', ['lobby', true]],
    ['roomJoin', ['lobby']],
    ['roomReceipt', ['lobby', 'typing']],
  ] as const)('%s: a left-out optional trailing argument is absent from the payload and comes back undefined', (command, args) => {
    const names = commandArguments[command];
    const payload = toPayload(names, args);
    expect(payload).toEqual(Object.fromEntries(args.map((value, index) => [argumentName(names[index]!), value])));
    expect(Object.keys(payload)).toHaveLength(args.length);
    expect(fromPayload(names, payload)).toEqual([...args, undefined]);
  });

  it('an optional argument given as undefined is left out too', () => {
    expect(toPayload(commandArguments.roomJoin, ['lobby', undefined])).toEqual({ roomName: 'lobby' });
    expect('accessToken' in toPayload(commandArguments.roomJoin, ['lobby', undefined])).toBe(false);
  });

  it('null and falsy values are kept', () => {
    expect(toPayload(commandArguments.roomSetAccessToken, ['lobby', null])).toEqual({ roomName: 'lobby', accessToken: null });
    expect(toPayload(commandArguments.roomHistoryGet, ['', 0, 0])).toEqual({ roomName: '', id: 0, limit: 0 });
    expect(toPayload(commandArguments.directSetWhitelistMode, [false])).toEqual({ mode: false });
  });

  it('commands without arguments have an empty payload', () => {
    expect(toPayload(commandArguments.listOwnSockets, [])).toEqual({});
    expect(fromPayload(commandArguments.listOwnSockets, {})).toEqual([]);
  });

  it.each(chatNotificationNames)('notification %s round-trips positionally', (notification) => {
    const names = notificationArguments[notification];
    const args = names.map((name, index) => ({ [name]: index }));
    expect(fromPayload(names, toPayload(names, args))).toEqual(args);
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'lobby'],
    ['a number', 3],
  ])('fromPayload of %s gives every argument undefined', (_label, payload) => {
    expect(fromPayload(commandArguments.roomHistoryGet, payload)).toEqual([undefined, undefined, undefined]);
  });

  it('fromPayload ignores keys that are not arguments', () => {
    expect(fromPayload(commandArguments.roomJoin, { roomName: 'lobby', extra: 1 })).toEqual(['lobby', undefined]);
  });

  it('argumentName drops the optional marker only', () => {
    expect(argumentName('accessToken?')).toBe('accessToken');
    expect(argumentName('roomName')).toBe('roomName');
  });
});

describe('isValidName', () => {
  it.each<[string, unknown]>([
    ['a plain name', 'alice'],
    ['one character', 'a'],
    ['spaces inside', 'the lobby'],
    ['a leading space', ' lobby'],
    ['unicode', 'Zoë 👋 日本'],
    ['punctuation other than : { }', "a-b_c.d/e@f!#$%^&*()[]<>?,;'\"\\|`~+="],
    ['U+0080 (just past the forbidden DEL)', 'a\u0080b'],
    ['U+0020 (just past the control range)', ' '],
    ['a long name', 'x'.repeat(10_000)],
  ])('accepts %s', (_label, name) => {
    expect(isValidName(name)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['the empty string', ''],
    ['U+0000', 'a\u0000b'],
    ['a tab', 'a\tb'],
    ['a newline', 'a\nb'],
    ['U+001F', 'a\u001fb'],
    ['U+007F (DEL)', 'a\u007fb'],
    ['a colon', 'room:1'],
    ['an opening brace', 'room{'],
    ['a closing brace', '}room'],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an array', ['alice']],
    ['a String object', new String('alice')],
  ])('refuses %s', (_label, name) => {
    expect(isValidName(name)).toBe(false);
  });

  it('refuses every character of U+0000–U+001F', () => {
    for (let code = 0; code <= 0x1f; code++) expect(isValidName(`a${String.fromCharCode(code)}b`), `U+${code.toString(16)}`).toBe(false);
  });
});
