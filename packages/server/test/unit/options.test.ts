import { createServer } from 'node:http';
import { Server, serverDefaults, type ServerOptions } from '@volley/server';
import { describe, expect, it } from 'vitest';
import { resolveServerOptions } from '../../src/options.js';

/*
 * Option validation runs in the constructor, before any socket exists, so none of these tests
 * opens a port. Invalid values are passed through `as never` where TypeScript would refuse them:
 * JavaScript callers (or values read from the environment) can still pass them.
 */

/** A never-started HTTP server, for the `server` mode. */
const http = createServer();

const MAX_TIMER = 2_147_483_647;

function construct(options: unknown): Server {
  return new Server(options as ServerOptions);
}

describe('server options: the listening mode', () => {
  it.each<[string, unknown]>([
    ['no mode at all', {}],
    ['port and noServer', { port: 0, noServer: true }],
    ['port and server', { port: 0, server: http }],
    ['server and noServer', { server: http, noServer: true }],
    ['all three', { port: 0, server: http, noServer: true }],
    ['noServer: false alone', { noServer: false }],
    ['noServer given as a truthy non-boolean', { noServer: 'yes' }],
  ])('throws a TypeError for %s', (_label, options) => {
    expect(() => construct(options)).toThrow(TypeError);
  });

  it.each<[string, ServerOptions]>([
    ['port', { port: 0 }],
    ['server', { server: http }],
    ['noServer', { noServer: true }],
    ['port with undefined others', { port: 0, server: undefined, noServer: undefined }],
    ['port with noServer: false', { port: 0, noServer: false }],
  ])('accepts exactly one mode: %s', (_label, options) => {
    expect(construct(options)).toBeInstanceOf(Server);
  });

  it.each([-1, 65_536, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '8080', null])('throws a TypeError for port %s', (port) => {
    expect(() => construct({ port })).toThrow(TypeError);
  });

  it.each([0, 1, 8080, 65_535])('accepts port %s', (port) => {
    expect(construct({ port })).toBeInstanceOf(Server);
  });
});

describe('server options: durations', () => {
  const durations = ['handshakeTimeout', 'responseTimeout', 'pingInterval', 'closeTimeout'] as const;
  const bad: unknown[] = [-1, -0.5, Number.NaN, Number.POSITIVE_INFINITY, '100', null, true];

  for (const key of durations) {
    it.each(bad)(`throws a TypeError for ${key} %s`, (value) => {
      expect(() => construct({ noServer: true, [key]: value })).toThrow(TypeError);
    });

    it(`accepts 0 and fractions for ${key}`, () => {
      expect(resolveServerOptions({ noServer: true, [key]: 0 })[key]).toBe(0);
      expect(resolveServerOptions({ noServer: true, [key]: 12.5 })[key]).toBe(12.5);
    });

    it(`names ${key} in the error`, () => {
      expect(() => construct({ noServer: true, [key]: -1 })).toThrow(key);
    });
  }

  // These run on setTimeout/setInterval, which fire at once (every 1 ms for an interval) past
  // 2^31-1 ms: a ping storm or an immediate close instead of "a very long time".
  it.each(['handshakeTimeout', 'pingInterval', 'closeTimeout'] as const)('throws a TypeError for %s above 2^31-1 ms', (key) => {
    expect(() => construct({ noServer: true, [key]: MAX_TIMER + 1 })).toThrow(TypeError);
    expect(resolveServerOptions({ noServer: true, [key]: MAX_TIMER })[key]).toBe(MAX_TIMER);
  });

  it('accepts a responseTimeout above 2^31-1 ms (its timer is clamped)', () => {
    expect(resolveServerOptions({ noServer: true, responseTimeout: MAX_TIMER * 2 }).responseTimeout).toBe(MAX_TIMER * 2);
  });
});

describe('server options: sizes and counts', () => {
  it.each(['maxPayload', 'maxBufferedAmount'] as const)('%s must be a positive integer', (key) => {
    for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1024', null]) {
      expect(() => construct({ noServer: true, [key]: value }), `${key}: ${String(value)}`).toThrow(TypeError);
    }
    expect(resolveServerOptions({ noServer: true, [key]: 1 })[key]).toBe(1);
  });

  it.each(['maxInFlight', 'maxRefusals'] as const)('%s must be a non-negative integer; 0 means no limit', (key) => {
    for (const value of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10', null]) {
      expect(() => construct({ noServer: true, [key]: value }), `${key}: ${String(value)}`).toThrow(TypeError);
    }
    expect(resolveServerOptions({ noServer: true, [key]: 0 })[key]).toBe(0);
    expect(resolveServerOptions({ noServer: true, [key]: 3 })[key]).toBe(3);
  });
});

describe('server options: rateLimit', () => {
  it.each<[string, unknown]>([
    ['true', true],
    ['null', null],
    ['a number', 100],
    ['an empty object', {}],
    ['rate 0', { rate: 0, burst: 1 }],
    ['a negative rate', { rate: -1, burst: 1 }],
    ['a NaN rate', { rate: Number.NaN, burst: 1 }],
    ['burst 0', { rate: 1, burst: 0 }],
    ['a burst below one', { rate: 1, burst: 0.5 }],
    ['a missing burst', { rate: 1 }],
    ['a string rate', { rate: '5', burst: 5 }],
    ['a string burst', { rate: 5, burst: '5' }],
  ])('throws a TypeError for %s', (_label, rateLimit) => {
    expect(() => construct({ noServer: true, rateLimit })).toThrow(TypeError);
  });

  it('accepts false (no limit) and a valid bucket', () => {
    expect(resolveServerOptions({ noServer: true, rateLimit: false }).rateLimit).toBe(false);
    expect(resolveServerOptions({ noServer: true, rateLimit: { rate: 0.5, burst: 1 } }).rateLimit).toEqual({ rate: 0.5, burst: 1 });
  });
});

describe('server options: backpressure and origins', () => {
  it.each(['drop', '', 'CLOSE', null, 1])('throws a TypeError for backpressure %s', (backpressure) => {
    expect(() => construct({ noServer: true, backpressure })).toThrow(TypeError);
  });

  it.each(['batchWrites', 'ownFraming', 'upgradeHandshake', 'upgradeAnswer'] as const)('%s must be a boolean, and the error names it', (key) => {
    for (const value of ['yes', 1, null]) expect(() => construct({ noServer: true, [key]: value })).toThrow(new RegExp(`"${key}" must be a boolean`));
    expect(resolveServerOptions({ noServer: true, [key]: false })[key]).toBe(false);
  });

  it.each(['close', 'error'] as const)('accepts backpressure %s', (backpressure) => {
    expect(resolveServerOptions({ noServer: true, backpressure }).backpressure).toBe(backpressure);
  });

  it.each<[string, unknown]>([
    ['a string', 'https://a.example'],
    ['an object', { 'https://a.example': true }],
  ])('throws a TypeError for allowedOrigins given as %s', (_label, allowedOrigins) => {
    expect(() => construct({ noServer: true, allowedOrigins })).toThrow(TypeError);
  });

  it('accepts allowedOrigins as a list or a predicate', () => {
    expect(construct({ noServer: true, allowedOrigins: ['https://a.example'] })).toBeInstanceOf(Server);
    expect(construct({ noServer: true, allowedOrigins: () => true })).toBeInstanceOf(Server);
  });
});

describe('server options: defaults', () => {
  it('has the documented defaults', () => {
    expect(serverDefaults).toEqual({
      handshakeTimeout: 60_000,
      responseTimeout: 10_000,
      pingInterval: 15_000,
      maxPayload: 1_048_576,
      closeTimeout: 5_000,
      batchWrites: true,
      ownFraming: true,
      upgradeHandshake: true,
      upgradeAnswer: true,
      binary: true,
      maxInFlight: 1000,
      rateLimit: { rate: 10_000, burst: 20_000 },
      maxRefusals: 100,
      maxBufferedAmount: 8_388_608,
      backpressure: 'close',
    });
  });

  it('fills every default in, and undefined counts as absent', () => {
    const resolved = resolveServerOptions({ port: 0, maxInFlight: undefined, backpressure: undefined, rateLimit: undefined });
    expect(resolved).toEqual({ port: 0, ...serverDefaults });
  });

  it('keeps given values over the defaults', () => {
    const resolved = resolveServerOptions({
      noServer: true,
      maxInFlight: 5,
      rateLimit: { rate: 1, burst: 2 },
      maxRefusals: 0,
      maxBufferedAmount: 1024,
      backpressure: 'error',
      maxPayload: 2048,
    });
    expect(resolved).toMatchObject({ maxInFlight: 5, rateLimit: { rate: 1, burst: 2 }, maxRefusals: 0, maxBufferedAmount: 1024, backpressure: 'error', maxPayload: 2048 });
    expect(resolved.handshakeTimeout).toBe(serverDefaults.handshakeTimeout);
  });
});
