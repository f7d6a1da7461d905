import { ChatError, ChatErrorCode, isChatErrorCode } from '@volley/chat';
import { serializeError } from '@volley/protocol';
import { describe, expect, it } from 'vitest';

/** What a client receives: the server serialises the rejection reason, then JSON carries it. */
function overTheWire(error: unknown): unknown {
  return JSON.parse(JSON.stringify(serializeError(error)));
}

/** The 19 codes CHAT.md lists, and Volley's additions (docs/chat.md, "Errors"). */
const documentedCodes = [
  'badArgument',
  'internalError',
  'invalidName',
  'invalidSocket',
  'noCommand',
  'listLimitExceeded',
  'noList',
  'noLogin',
  'noRoom',
  'noSocket',
  'noUser',
  'noUserOnline',
  'notAllowed',
  'notJoined',
  'roomExists',
  'timeout',
  'userExists',
  'userOnline',
  'wrongArgumentsCount',
];

describe('ChatError', () => {
  it('carries its code and args, is an Error named ChatError', () => {
    const error = new ChatError(ChatErrorCode.NOT_JOINED, ['lobby']);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ChatError);
    expect(error.name).toBe('ChatError');
    expect(error.code).toBe('notJoined');
    expect(error.args).toEqual(['lobby']);
  });

  it('the message is the code alone without args', () => {
    const error = new ChatError(ChatErrorCode.NOT_ALLOWED);
    expect(error.args).toEqual([]);
    expect(error.message).toBe('notAllowed');
  });

  it('the message lists string args as they are and other args as JSON', () => {
    expect(new ChatError(ChatErrorCode.BAD_ARGUMENT, ['roomName', 'must be string']).message).toBe('badArgument: roomName, must be string');
    expect(new ChatError(ChatErrorCode.WRONG_ARGUMENTS_COUNT, ['roomJoin', ['roomName', 'accessToken']]).message).toBe(
      'wrongArgumentsCount: roomJoin, ["roomName","accessToken"]',
    );
    expect(new ChatError(ChatErrorCode.NO_ROOM, [42, null]).message).toBe('noRoom: 42, null');
  });

  it('keeps a cause on the server, and only when one is given', () => {
    const cause = new Error('database down');
    expect(new ChatError(ChatErrorCode.INTERNAL_ERROR, [], { cause }).cause).toBe(cause);
    expect('cause' in new ChatError(ChatErrorCode.INTERNAL_ERROR)).toBe(false);
  });

  it('the code table holds exactly the 19 codes CHAT.md lists and Volley\'s two limits', () => {
    expect(Object.values(ChatErrorCode).sort()).toEqual([...documentedCodes, 'answerTooLarge', 'roomsLimitExceeded'].sort());
  });
});

describe('ChatError.fromWire', () => {
  it('round-trips the server’s serialised form (name, message, code, args) through JSON', () => {
    const original = new ChatError(ChatErrorCode.BAD_ARGUMENT, ['options.visible', 'must be boolean']);
    const wire = overTheWire(original);
    expect(wire).toEqual({ name: 'ChatError', message: 'badArgument: options.visible, must be boolean', code: 'badArgument', args: ['options.visible', 'must be boolean'] });
    const rebuilt = ChatError.fromWire(wire);
    expect(rebuilt).toBeInstanceOf(ChatError);
    expect(rebuilt!.name).toBe('ChatError');
    expect(rebuilt!.code).toBe(original.code);
    expect(rebuilt!.args).toEqual(original.args);
    expect(rebuilt!.message).toBe(original.message);
  });

  it('round-trips every code, with and without args', () => {
    for (const code of Object.values(ChatErrorCode)) {
      for (const args of [[], ['room', { n: 1 }]]) {
        const rebuilt = ChatError.fromWire(overTheWire(new ChatError(code, args)));
        expect(rebuilt?.code).toBe(code);
        expect(rebuilt?.args).toEqual(args);
      }
    }
  });

  it('never sends the cause', () => {
    const wire = overTheWire(new ChatError(ChatErrorCode.INTERNAL_ERROR, [], { cause: new Error('secret') })) as Record<string, unknown>;
    expect(Object.keys(wire).sort()).toEqual(['args', 'code', 'message', 'name']);
    expect(JSON.stringify(wire)).not.toContain('secret');
  });

  it('args that are not an array become []', () => {
    expect(ChatError.fromWire({ name: 'ChatError', code: 'noRoom' })?.args).toEqual([]);
    expect(ChatError.fromWire({ name: 'ChatError', code: 'noRoom', args: 'lobby' })?.args).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'notAllowed'],
    ['a number', 403],
    ['an array', ['ChatError', 'notAllowed']],
    ['a plain Error form', { name: 'Error', message: 'boom' }],
    ['another error name', { name: 'VolleyError', code: 'notAllowed', args: [] }],
    ['no name', { code: 'notAllowed', args: [] }],
    ['an unknown code', { name: 'ChatError', code: 'notACode', args: [] }],
    ['a non-string code', { name: 'ChatError', code: 7, args: [] }],
    ['a missing code', { name: 'ChatError', message: 'notAllowed', args: [] }],
    ['the serialised form of a plain Error', JSON.parse(JSON.stringify(serializeError(new Error('boom'))))],
  ])('rejects %s (undefined)', (_label, value) => {
    expect(ChatError.fromWire(value)).toBeUndefined();
  });
});

describe('isChatErrorCode', () => {
  it('is true for every code', () => {
    for (const code of documentedCodes) expect(isChatErrorCode(code)).toBe(true);
  });

  it.each<unknown>(['', 'NotAllowed', 'NOT_ALLOWED', 'notallowed', 'toString', '__proto__', 42, null, undefined, {}, ['notAllowed']])('is false for %j', (value) => {
    expect(isChatErrorCode(value)).toBe(false);
  });
});
