import { createServer } from 'node:http';
import { ChatServer, type ChatServerOptions, chatServerDefaults } from '@volley/chat';
import { Server } from '@volley/server';
import { describe, expect, it } from 'vitest';

/*
 * Option validation runs in the ChatServer constructor, before any socket exists: these tests
 * construct only and never start, so no port opens. Invalid values go through `as never` where
 * TypeScript would refuse them; JavaScript callers can still pass them.
 */

const MAX_TIMER = 2_147_483_647;

function construct(options: unknown): ChatServer {
  return new ChatServer(options as ChatServerOptions);
}

const flags = ['enableDirectMessages', 'enableRoomsManagement', 'enableUserlistUpdates', 'enableAccessListsUpdates', 'presence', 'serverPresence', 'acceptNewUsers'] as const;
const sizes = ['historyMaxGetMessages', 'historyMaxSize', 'historyMaxBytes', 'maxRoomsPerUser', 'directListSizeLimit', 'roomListSizeLimit'] as const;

describe('ChatServer options: defaults', () => {
  it('are the documented ones', () => {
    expect(chatServerDefaults).toEqual({
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
    });
  });

  it('a port alone is enough; undefined values take the defaults', () => {
    expect(construct({ port: 0 })).toBeInstanceOf(ChatServer);
    expect(construct({ port: 0, ...Object.fromEntries([...flags, ...sizes, 'commandTimeout', 'authenticateTimeout', 'hooks', 'isValidName'].map((key) => [key, undefined])) })).toBeInstanceOf(
      ChatServer,
    );
  });
});

describe('ChatServer options: where the Volley server comes from', () => {
  it.each<[string, () => unknown]>([
    ['a Volley server', () => ({ server: new Server({ noServer: true }) })],
    ['a port', () => ({ port: 0 })],
    ['serverOptions.noServer', () => ({ serverOptions: { noServer: true } })],
    ['serverOptions.server (an HTTP server)', () => ({ serverOptions: { server: createServer() } })],
  ])('accepts %s', (_label, options) => {
    expect(construct(options())).toBeInstanceOf(ChatServer);
  });

  it.each<[string, () => unknown]>([
    ['both server and port', () => ({ server: new Server({ noServer: true }), port: 0 })],
    ['both server and serverOptions', () => ({ server: new Server({ noServer: true }), serverOptions: { noServer: true } })],
    ['neither server nor port', () => ({})],
    ['only flags', () => ({ enableDirectMessages: true })],
    ['serverOptions without a mode', () => ({ serverOptions: {} })],
  ])('throws a TypeError for %s', (_label, options) => {
    expect(() => construct(options())).toThrow(TypeError);
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a number', 8080],
    ['a string', 'ws://localhost'],
  ])('throws a TypeError when the options are %s', (_label, options) => {
    expect(() => construct(options)).toThrow(new TypeError('ChatServer options must be an object'));
  });
});

describe('ChatServer options: flags', () => {
  it.each(flags.flatMap((key) => [1, 0, 'true', null, {}].map((value) => [key, value] as const)))('%s = %j throws a TypeError', (key, value) => {
    expect(() => construct({ port: 0, [key]: value })).toThrow(new TypeError(`${key} must be a boolean`));
  });

  it.each(flags)('%s accepts true and false', (key) => {
    expect(construct({ port: 0, [key]: true })).toBeInstanceOf(ChatServer);
    expect(construct({ port: 0, [key]: false })).toBeInstanceOf(ChatServer);
  });
});

describe('ChatServer options: sizes', () => {
  it.each(sizes.flatMap((key) => [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '10', null, true].map((value) => [key, value] as const)))(
    '%s = %j throws a TypeError',
    (key, value) => {
      expect(() => construct({ port: 0, [key]: value })).toThrow(new TypeError(`${key} must be a non-negative integer`));
    },
  );

  it.each(sizes)('%s accepts 0 and a large integer', (key) => {
    expect(construct({ port: 0, [key]: 0 })).toBeInstanceOf(ChatServer);
    expect(construct({ port: 0, [key]: Number.MAX_SAFE_INTEGER })).toBeInstanceOf(ChatServer);
  });
});

describe.each(['commandTimeout', 'authenticateTimeout'] as const)('ChatServer options: %s', (key) => {
  it.each<unknown>([-1, Number.NaN, Number.POSITIVE_INFINITY, MAX_TIMER + 1, '100', null, false])('%j throws a TypeError', (value) => {
    expect(() => construct({ port: 0, [key]: value })).toThrow(new TypeError(`${key} must be between 0 and ${MAX_TIMER} ms`));
  });

  it.each([0, 1, MAX_TIMER])('%j is accepted (0 = no timeout)', (value) => {
    expect(construct({ port: 0, [key]: value })).toBeInstanceOf(ChatServer);
  });
});

describe('ChatServer options: functions and objects', () => {
  it.each<unknown>([true, 'strict', {}, null])('isValidName = %j throws a TypeError', (value) => {
    expect(() => construct({ port: 0, isValidName: value })).toThrow(new TypeError('isValidName must be a function'));
  });

  it.each<unknown>([null, 'hooks', 1, true])('hooks = %j throws a TypeError', (value) => {
    expect(() => construct({ port: 0, hooks: value })).toThrow(new TypeError('hooks must be an object'));
  });

  it('accepts a name predicate and an empty hooks object', () => {
    expect(construct({ port: 0, isValidName: (name: string) => name.length < 10, hooks: {} })).toBeInstanceOf(ChatServer);
  });
});
