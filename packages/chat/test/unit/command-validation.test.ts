import { type ChatCommandName, ChatError, ChatErrorCode, chatCommandNames } from '@volley/chat';
import { describe, expect, it } from 'vitest';
import { CommandValidator, MAX_ARGUMENT_DEPTH, nestedDeeperThan } from '../../src/command-validation.js';

const validator = new CommandValidator();

/** The `badArgument` args a refused payload gives, or a failure when it passes. */
function refusal(command: ChatCommandName, payload: unknown): unknown[] {
  try {
    validator.validate(command, payload);
  } catch (error) {
    expect(error).toBeInstanceOf(ChatError);
    expect((error as ChatError).code).toBe(ChatErrorCode.BAD_ARGUMENT);
    return (error as ChatError).args;
  }
  throw new Error(`${command} accepted ${JSON.stringify(payload)}`);
}

/** A valid payload of every command with every argument given (the type makes the table complete). */
const fullPayloads: { [K in ChatCommandName]: Record<string, unknown> } = {
  directAddToList: { listName: 'blacklist', userNames: ['bob', 'carol'] },
  directGetAccessList: { listName: 'whitelist' },
  directGetWhitelistMode: {},
  directMessage: { toUser: 'bob', message: { textMessage: 'hi' } },
  directRemoveFromList: { listName: 'blacklist', userNames: [] },
  directSetWhitelistMode: { mode: true },
  listOwnSockets: {},
  roomAddToList: { roomName: 'lobby', listName: 'adminlist', userNames: ['bob'] },
  roomCreate: { roomName: 'lobby', whitelistOnly: false, options: { visible: true, presence: false, data: { topic: 'hi' } } },
  roomDelete: { roomName: 'lobby' },
  roomGetAccessList: { roomName: 'lobby', listName: 'userlist' },
  roomGetOwner: { roomName: 'lobby' },
  roomGetWhitelistMode: { roomName: 'lobby' },
  roomHistoryGet: { roomName: 'lobby', id: 0, limit: 10 },
  roomHistoryInfo: { roomName: 'lobby' },
  roomJoin: { roomName: 'lobby', accessToken: 'secret' },
  roomLeave: { roomName: 'lobby' },
  roomMessage: { roomName: 'lobby', message: { textMessage: 'hi' } },
  roomNotificationsInfo: { roomName: 'lobby' },
  roomRecentHistory: { roomName: 'lobby' },
  roomRemoveFromList: { roomName: 'lobby', listName: 'whitelist', userNames: ['bob'] },
  roomSetWhitelistMode: { roomName: 'lobby', mode: false },
  roomUserSeen: { roomName: 'lobby', userName: 'bob' },
  systemMessage: { data: { anything: [1, 'two', null] } },
  roomList: {},
  roomGetData: { roomName: 'lobby' },
  roomUpdateData: { roomName: 'lobby', data: { topic: 'new' } },
  roomSetAccessToken: { roomName: 'lobby', accessToken: 'secret' },
  roomReceipt: { roomName: 'lobby', kind: 'viewed', messageId: 3 },
  roomMemberMessage: { roomName: 'lobby', toUser: 'bob', message: { type: 'hand', value: { up: true } } },
  roomBroadcast: { roomName: 'lobby', message: { type: 'note' } },
};

/** Commands whose optional trailing argument may be left out. */
const minimalPayloads: [ChatCommandName, Record<string, unknown>][] = [
  ['roomCreate', { roomName: 'lobby', whitelistOnly: true }],
  ['roomCreate', { roomName: 'lobby', whitelistOnly: true, options: {} }],
  ['roomJoin', { roomName: 'lobby' }],
  ['roomReceipt', { roomName: 'lobby', kind: 'typing' }],
  ['roomSetAccessToken', { roomName: 'lobby', accessToken: null }],
  ['systemMessage', { data: 'text' }],
  ['systemMessage', { data: null }],
];

describe('CommandValidator: valid payloads', () => {
  it('has a payload for every command', () => {
    expect(Object.keys(fullPayloads).sort()).toEqual([...chatCommandNames].sort());
  });

  it.each(chatCommandNames)('%s: a full valid payload passes and is returned as it is', (command) => {
    const payload = fullPayloads[command];
    expect(validator.validate(command, payload)).toBe(payload);
  });

  it.each(minimalPayloads)('%s: optional arguments may be left out (%j)', (command, payload) => {
    expect(validator.validate(command, payload)).toBe(payload);
  });

  it.each(['directGetWhitelistMode', 'listOwnSockets', 'roomList'] as const)('%s: an absent payload counts as {}', (command) => {
    expect(validator.validate(command, undefined)).toEqual({});
  });
});

describe('CommandValidator: refusals name the field', () => {
  it('a missing argument: badArgument [name, message]', () => {
    expect(refusal('roomJoin', {})).toEqual(['roomName', "must have required property 'roomName'"]);
    expect(refusal('roomHistoryGet', { roomName: 'lobby', id: 0 })).toEqual(['limit', "must have required property 'limit'"]);
    expect(refusal('roomJoin', undefined)).toEqual(['roomName', "must have required property 'roomName'"]);
  });

  it('an additional property: badArgument [its name, message]', () => {
    expect(refusal('roomJoin', { roomName: 'lobby', extra: 1 })).toEqual(['extra', 'must NOT have additional properties']);
    expect(refusal('listOwnSockets', { roomName: 'lobby' })).toEqual(['roomName', 'must NOT have additional properties']);
  });

  it('a wrong type: badArgument [name, message]', () => {
    expect(refusal('roomJoin', { roomName: 42 })).toEqual(['roomName', 'must be string']);
    expect(refusal('roomCreate', { roomName: 'lobby', whitelistOnly: 'no' })).toEqual(['whitelistOnly', 'must be boolean']);
    expect(refusal('roomMessage', { roomName: 'lobby', message: 'hi' })).toEqual(['message', 'must be object']);
    expect(refusal('roomHistoryGet', { roomName: 'lobby', id: 1.5, limit: 1 })).toEqual(['id', 'must be integer']);
    expect(refusal('roomHistoryGet', { roomName: 'lobby', id: -1, limit: 1 })).toEqual(['id', 'must be >= 0']);
    expect(refusal('roomReceipt', { roomName: 'lobby', kind: 'read' })).toEqual(['kind', 'must be equal to one of the allowed values']);
    expect(refusal('roomReceipt', { roomName: 'lobby', kind: 'viewed', messageId: 0 })).toEqual(['messageId', 'must be >= 1']);
    expect(refusal('roomSetAccessToken', { roomName: 'lobby', accessToken: 5 })).toEqual(['accessToken', 'must be string,null']);
  });

  it('nested fields are named by their path: options.visible, userNames.1, message.type', () => {
    expect(refusal('roomCreate', { roomName: 'lobby', whitelistOnly: false, options: { visible: 'yes' } })).toEqual(['options.visible', 'must be boolean']);
    expect(refusal('roomCreate', { roomName: 'lobby', whitelistOnly: false, options: { colour: 'red' } })).toEqual([
      'options.colour',
      'must NOT have additional properties',
    ]);
    expect(refusal('roomCreate', { roomName: 'lobby', whitelistOnly: false, options: { data: [] } })).toEqual(['options.data', 'must be object']);
    expect(refusal('roomAddToList', { roomName: 'lobby', listName: 'whitelist', userNames: ['bob', 7] })).toEqual(['userNames.1', 'must be string']);
    expect(refusal('roomBroadcast', { roomName: 'lobby', message: { value: 1 } })).toEqual(['message.type', "must have required property 'type'"]);
    expect(refusal('roomBroadcast', { roomName: 'lobby', message: { type: 'x', from: 'forged' } })).toEqual(['message.from', 'must NOT have additional properties']);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'lobby'],
    ['a number', 1],
    ['an array', ['lobby']],
    ['a boolean', true],
  ])('a payload that is not an object (%s): badArgument [payload, must be object]', (_label, payload) => {
    expect(refusal('roomJoin', payload)).toEqual(['payload', 'must be object']);
    expect(refusal('listOwnSockets', payload)).toEqual(['payload', 'must be object']);
  });

  it('sizes are bounded: a name over 1024 characters, a list over 10000 names', () => {
    expect(refusal('roomJoin', { roomName: 'x'.repeat(1025) })).toEqual(['roomName', 'must NOT have more than 1024 characters']);
    expect(validator.validate('roomJoin', { roomName: 'x'.repeat(1024) })).toEqual({ roomName: 'x'.repeat(1024) });
    expect(refusal('directAddToList', { listName: 'blacklist', userNames: Array.from({ length: 10_001 }, (_, index) => `u${index}`) })).toEqual([
      'userNames',
      'must NOT have more than 10000 items',
    ]);
  });
});

/** An object nested `depth` levels deep: `{ a: { a: … { a: 1 } } }`. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { a: 1 };
  for (let level = 1; level < depth; level++) value = { a: value };
  return value;
}

describe('CommandValidator: nesting depth', () => {
  it(`free-form arguments may nest ${MAX_ARGUMENT_DEPTH} levels, not more: badArgument [field, …]`, () => {
    expect(validator.validate('roomUpdateData', { roomName: 'r', data: nested(MAX_ARGUMENT_DEPTH) })).toMatchObject({ roomName: 'r' });
    expect(refusal('roomUpdateData', { roomName: 'r', data: nested(MAX_ARGUMENT_DEPTH + 1) })).toEqual([
      'data',
      `must not be nested deeper than ${MAX_ARGUMENT_DEPTH} levels`,
    ]);
    expect(refusal('roomMessage', { roomName: 'r', message: { textMessage: 'hi', extra: nested(MAX_ARGUMENT_DEPTH) } })[0]).toBe('message');
    expect(refusal('systemMessage', { data: [nested(MAX_ARGUMENT_DEPTH)] })[0]).toBe('data');
    expect(refusal('roomCreate', { roomName: 'r', whitelistOnly: false, options: { data: nested(MAX_ARGUMENT_DEPTH) } })[0]).toBe('options');
  });

  it('a hostile depth (20 000 levels) is refused without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 20_000; level++) deep = [deep];
    expect(refusal('systemMessage', { data: deep })[0]).toBe('data');
    expect(nestedDeeperThan(deep, 32)).toBe(true);
    expect(nestedDeeperThan({ a: [1, { b: 2 }] }, 3)).toBe(false);
    expect(nestedDeeperThan({ a: [1, { b: {} }] }, 3)).toBe(true);
    expect(nestedDeeperThan('text', 0)).toBe(false);
  });
});
