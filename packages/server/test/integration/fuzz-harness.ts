import type { Client } from '@volley/client';
import { type IncomingMessage, type Server, type ServerOptions, type VolleyError } from '@volley/server';
import fc from 'fast-check';
import { afterEach, beforeEach, expect } from 'vitest';
import { cleanup, connectClient, startServer } from '@volley/test-utils';

/*
 * Fuzzing a live server (issue 5): a raw `ws` peer past its handshake sends random and mutated
 * frames, interleaved with well-formed requests. Properties: nothing escapes to the process,
 * every well-formed request gets exactly one answer and nothing answers an id never sent, a
 * normal client on the same server keeps working, and a long run leaves the server's memory and
 * per-connection state flat. Limits that would close or throttle the fuzzer are off: this file
 * fuzzes the decoder and the routing, limits.test.ts tests the limits.
 */

// ---------------------------------------------------------------------------------------------
// Nothing may escape to the process

export const escaped: unknown[] = [];
export const onEscape = (error: unknown): void => {
  escaped.push(error);
};

// ---------------------------------------------------------------------------------------------
// Server under fuzz

/** Prefix of the ids of well-formed requests; garbage never carries it. */
export const WF = 'WF:';

export interface Setup {
  server: Server;
  url: string;
  /** Errors the server itself reported (handshake listeners, adapter): none are expected. */
  serverErrors: VolleyError[];
  /** Requests to `hold`, which only the test answers. */
  held: IncomingMessage[];
  /** A well-behaved client on the same server. */
  other: Client;
}

/**
 * Handlers: `echo` (answers at once), `later` (async, answers in a microtask), `throws`,
 * `rejects` (async throw), `note` (fire-and-forget), `hold` (answered by the test).
 */
export async function setup(options: Partial<ServerOptions> = {}): Promise<Setup> {
  const serverErrors: VolleyError[] = [];
  const held: IncomingMessage[] = [];
  const { server, url } = await startServer(
    // Pings would interleave frames of their own with the answers under test.
    { rateLimit: false, maxRefusals: 0, maxInFlight: 0, pingInterval: 0, ...options },
    (server) => {
      server.on('error', (error) => serverErrors.push(error));
      server.on('connection', (connection) => {
        connection.on('echo', (message) => message.resolve(message.payload));
        connection.on('later', async (message) => {
          await Promise.resolve();
          message.resolve(message.payload);
        });
        connection.on('throws', () => {
          throw new Error('handler failed');
        });
        connection.on('rejects', async () => {
          await Promise.resolve();
          throw new Error('async handler failed');
        });
        // Garbage may send `note` as a request; answered so that it does not stay in flight.
        connection.on('note', (message) => {
          if (message.id !== undefined) message.resolve(null);
        });
        connection.on('hold', (message) => held.push(message));
      });
    },
  );
  const other = await connectClient(url);
  return { server, url, serverErrors, held, other };
}

export async function otherStillWorks(other: Client, payload: unknown): Promise<void> {
  expect(await other.send('echo', payload)).toStrictEqual(payload);
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

export const names = ['echo', 'later', 'throws', 'rejects', 'note', 'missing', '_h', '_p', '_r', '_x', '', '_'];
// Prototype keys are stripped by design (prototype-safety.test.ts), so an echo would differ.
export const safePayload = fc.jsonValue({ maxDepth: 3 }).filter((value) => !/__proto__|"constructor"/.test(JSON.stringify(value)));
export const garbageId = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }).map((id) => `G:${id}`),
  fc.string({ unit: 'binary', minLength: 60, maxLength: 70 }),
  fc.constant(''),
);
export const otherType = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
  fc.constantFrom('1e309', '-0', '9007199254740993', '123456789012345678901234567890', '{"__proto__":{"polluted":1}}', 'null', '[]'),
);

/** A frame-shaped object serialised, then mutated at the text level. */
export const mutated = fc
  .tuple(
    fc.record(
      { n: fc.constantFrom(...names), p: safePayload, i: garbageId, e: fc.oneof(fc.constant(null), fc.string(), fc.jsonValue({ maxDepth: 2 })) },
      { requiredKeys: [] },
    ),
    fc.constantFrom('none', 'truncate', 'flip', 'swapKeys', 'retype', 'wrap'),
    fc.nat(),
    fc.constantFrom('n', 'p', 'i', 'e'),
    otherType,
  )
  .map(([frame, how, at, key, replacement]) => {
    const text = JSON.stringify(frame);
    const index = at % Math.max(1, text.length);
    switch (how) {
      case 'none':
        return text;
      case 'truncate':
        return text.slice(0, index);
      case 'flip':
        return text.slice(0, index) + String.fromCharCode(text.charCodeAt(index) ^ (1 << at % 16)) + text.slice(index + 1);
      case 'swapKeys':
        return text.replace(/"([npie])":/g, (_match, name: string) => `"${{ n: 'i', i: 'n', p: 'e', e: 'p' }[name]}":`);
      case 'retype':
        return text === '{}' ? `{"${key}":${replacement}}` : `{"${key}":${replacement},${text.slice(1)}`;
      default:
        return `[${text}]`;
    }
  });

export const deep = fc.tuple(fc.integer({ min: 1, max: 2000 }), fc.boolean()).map(([depth, closed]) => `{"n":"echo","i":"G:deep","p":${'['.repeat(depth)}1${closed ? ']'.repeat(depth) : ''}}`);

/** Anything but a well-formed request: text of any kind, JSON of any shape, mutated frames. */
export const garbageText = fc
  .oneof(
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 100 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 100 }) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
    { weight: 6, arbitrary: mutated },
    { weight: 1, arbitrary: deep },
  )
  // Ids of well-formed requests are never reused by garbage, so their answers can be counted, and
  // `hold` requests are the test's alone. Checked on the parsed value too: escapes can spell them.
  .filter((text) => {
    if (text.includes(WF)) return false;
    const value = parsed(text) as { n?: unknown; i?: unknown } | undefined;
    return !(value?.n === 'hold' || (typeof value?.i === 'string' && value.i.startsWith(WF)));
  });

export function parsed(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export type Item =
  | { kind: 'garbage'; text: string }
  | { kind: 'binary'; bytes: Uint8Array }
  | { kind: 'note'; payload: unknown }
  | { kind: 'request'; name: 'echo' | 'later' | 'throws' | 'rejects' | 'missing'; payload: unknown };

export const item: fc.Arbitrary<Item> = fc.oneof(
  { weight: 6, arbitrary: garbageText.map((text): Item => ({ kind: 'garbage', text })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 50 }).map((bytes): Item => ({ kind: 'binary', bytes })) },
  { weight: 1, arbitrary: fc.option(safePayload, { nil: undefined }).map((payload): Item => ({ kind: 'note', payload })) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom('echo', 'later', 'throws', 'rejects', 'missing') as fc.Arbitrary<'echo' | 'later' | 'throws' | 'rejects' | 'missing'>, fc.option(safePayload, { nil: undefined }))
      .map(([name, payload]): Item => ({ kind: 'request', name, payload })),
  },
);

/** The id a server may answer for a text frame: its `i` when that is a non-empty string. */
export function answerableId(text: string): string | undefined {
  const id = (parsed(text) as { i?: unknown } | undefined)?.i;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

// ---------------------------------------------------------------------------------------------

/** Registers the hooks every test file of this suite needs. */
export function useFuzzChecks(): void {
  beforeEach(() => {
    escaped.length = 0;
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
  });
  afterEach(async () => {
    try {
      await cleanup();
    } finally {
      process.off('uncaughtException', onEscape);
      process.off('unhandledRejection', onEscape);
    }
    // Also after cleanup: closing sockets in the middle of the fuzz must not throw out either.
    expect(escaped).toStrictEqual([]);
  });
}
