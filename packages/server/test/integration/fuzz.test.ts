import v8 from 'node:v8';
import vm from 'node:vm';
import type { Client } from '@volley/client';
import { decodeFrame } from '@volley/protocol';
import { createFrameValidator } from '@volley/protocol/validation';
import { ErrorCode, type IncomingMessage, type Server, type ServerOptions, type VolleyError } from '@volley/server';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import { cleanup, connectClient, EVENT_TIMEOUT, onCleanup, RawPeer, type ReceivedFrame, startServer } from '@volley/test-utils';

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

const escaped: unknown[] = [];
const onEscape = (error: unknown): void => {
  escaped.push(error);
};

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

// ---------------------------------------------------------------------------------------------
// Server under fuzz

/** Prefix of the ids of well-formed requests; garbage never carries it. */
const WF = 'WF:';

interface Setup {
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
async function setup(options: Partial<ServerOptions> = {}): Promise<Setup> {
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

async function otherStillWorks(other: Client, payload: unknown): Promise<void> {
  expect(await other.send('echo', payload)).toStrictEqual(payload);
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const names = ['echo', 'later', 'throws', 'rejects', 'note', 'missing', '_h', '_p', '_r', '_x', '', '_'];
// Prototype keys are stripped by design (prototype-safety.test.ts), so an echo would differ.
const safePayload = fc.jsonValue({ maxDepth: 3 }).filter((value) => !/__proto__|"constructor"/.test(JSON.stringify(value)));
const garbageId = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }).map((id) => `G:${id}`),
  fc.string({ unit: 'binary', minLength: 60, maxLength: 70 }),
  fc.constant(''),
);
const otherType = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
  fc.constantFrom('1e309', '-0', '9007199254740993', '123456789012345678901234567890', '{"__proto__":{"polluted":1}}', 'null', '[]'),
);

/** A frame-shaped object serialised, then mutated at the text level. */
const mutated = fc
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

const deep = fc.tuple(fc.integer({ min: 1, max: 2000 }), fc.boolean()).map(([depth, closed]) => `{"n":"echo","i":"G:deep","p":${'['.repeat(depth)}1${closed ? ']'.repeat(depth) : ''}}`);

/** Anything but a well-formed request: text of any kind, JSON of any shape, mutated frames. */
const garbageText = fc
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

function parsed(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

type Item =
  | { kind: 'garbage'; text: string }
  | { kind: 'binary'; bytes: Uint8Array }
  | { kind: 'note'; payload: unknown }
  | { kind: 'request'; name: 'echo' | 'later' | 'throws' | 'rejects' | 'missing'; payload: unknown };

const item: fc.Arbitrary<Item> = fc.oneof(
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
function answerableId(text: string): string | undefined {
  const id = (parsed(text) as { i?: unknown } | undefined)?.i;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

// ---------------------------------------------------------------------------------------------

describe('a live server fed random and mutated frames', () => {
  it('answers every well-formed request exactly once, answers no id never sent, and a normal client keeps working', async () => {
    const { url, server, serverErrors, other } = await setup();
    const peer = await RawPeer.connect(url);
    let run = 0;
    let garbageAnswers = 0;
    let frames = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(item, { minLength: 1, maxLength: 8 }), async (items) => {
        run += 1;
        const expected = new Map<string, Extract<Item, { kind: 'request' }>>();
        const garbageIds = new Set<string>();
        items.forEach((entry, index) => {
          frames += 1;
          switch (entry.kind) {
            case 'garbage': {
              peer.sendText(entry.text);
              // Lone surrogates reach the server as U+FFFD: WebSocket text is UTF-8.
              const id = answerableId(Buffer.from(entry.text).toString());
              if (id !== undefined) garbageIds.add(id);
              return;
            }
            case 'binary':
              peer.socket.send(entry.bytes, { binary: true });
              return;
            case 'note':
              peer.send(entry.payload === undefined ? { n: 'note' } : { n: 'note', p: entry.payload });
              return;
            case 'request': {
              const id = `${WF}${run}:${index}`;
              expected.set(id, entry);
              peer.send(entry.payload === undefined ? { n: entry.name, i: id } : { n: entry.name, p: entry.payload, i: id });
            }
          }
        });
        // Synchronous answers precede the first pong; async handlers answer within a microtask,
        // so one more barrier at most collects them. Then one more proves nothing else follows.
        const received: ReceivedFrame[] = [...(await peer.barrier())];
        const answered = (): boolean => [...expected.keys()].every((id) => received.some((frame) => frame.i === id));
        for (let round = 0; round < 5 && !answered(); round++) received.push(...(await peer.barrier()));
        received.push(...(await peer.barrier()));

        for (const frame of received) {
          // The server sends nothing but answers here, and only to ids it was sent.
          expect(frame.n, JSON.stringify(frame)).toBe('_r');
          const id = frame.i as string;
          expect(expected.has(id) || garbageIds.has(id), `answer to an id never sent: ${JSON.stringify(frame)}`).toBe(true);
          if (!expected.has(id)) garbageAnswers += 1;
        }
        for (const [id, request] of expected) {
          const answers = received.filter((frame) => frame.i === id);
          expect(answers, `answers to ${id} (${request.name})`).toHaveLength(1);
          const [answer] = answers as [ReceivedFrame];
          if (request.name === 'echo' || request.name === 'later') {
            expect(answer.e).toBeUndefined();
            expect(answer.p).toStrictEqual(request.payload === undefined ? undefined : JSON.parse(JSON.stringify(request.payload)));
          } else {
            expect(answer.e).toMatchObject({ message: expect.any(String) });
            if (request.name === 'missing') expect(answer.e.code).toBe(ErrorCode.NO_HANDLER);
          }
        }
        expect(peer.socket.readyState).toBe(WebSocket.OPEN);
        await otherStillWorks(other, { run });
      }),
      { numRuns: 40 },
    );
    // The fuzz must have reached the refusal path that answers salvaged ids, not only silence.
    console.log(`live fuzz: ${frames} frames in ${run} runs, ${garbageAnswers} answers to garbage ids`);
    expect(garbageAnswers).toBeGreaterThan(0);
    expect(server.getConnections()).toHaveLength(2);
    expect(serverErrors).toStrictEqual([]);
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(escaped).toStrictEqual([]);
  });

  it('keeps other connections working while several fuzzing peers run at once', async () => {
    const { url, server, serverErrors, other } = await setup();
    const peers = await Promise.all([RawPeer.connect(url), RawPeer.connect(url), RawPeer.connect(url)]);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(garbageText, { maxLength: 20 }), { minLength: peers.length, maxLength: peers.length }), async (batches) => {
        batches.forEach((texts, index) => {
          for (const text of texts) peers[index]!.sendText(text);
        });
        await Promise.all([otherStillWorks(other, batches.length), ...peers.map((peer) => peer.barrier())]);
        for (const peer of peers) expect(peer.socket.readyState).toBe(WebSocket.OPEN);
      }),
      { numRuns: 15 },
    );
    expect(server.getConnections()).toHaveLength(1 + peers.length);
    expect(serverErrors).toStrictEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Memory

/**
 * A raw peer that counts what it receives instead of keeping it, so that a long fuzz does not
 * grow this process's heap on the receiving side (the server runs in the same process).
 */
class CountingPeer {
  answers = 0;
  private waiting: { id: string; resolve: () => void } | undefined;
  private barriers = 0;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: RawData) => {
      this.answers += 1;
      const waiting = this.waiting;
      // Only the barrier's pong needs parsing: it is the only frame with this exact text.
      if (waiting !== undefined && data.toString() === `{"n":"_r","i":"${waiting.id}","p":"pong"}`) {
        this.waiting = undefined;
        this.answers -= 1;
        waiting.resolve();
      }
    });
  }

  static async connect(url: string): Promise<CountingPeer> {
    const socket = new WebSocket(url);
    onCleanup(() => socket.terminate());
    await new Promise<void>((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const peer = new CountingPeer(socket);
    socket.send('{"n":"_h","i":"hs"}');
    await peer.barrier();
    // The handshake answer is not an answer to the fuzz.
    peer.answers = 0;
    return peer;
  }

  send(text: string): void {
    this.socket.send(text);
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Pings and waits for the pong: the server has handled everything sent before. */
  barrier(): Promise<void> {
    const id = `b${++this.barriers}`;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No pong for barrier ${id} within ${EVENT_TIMEOUT} ms`)), EVENT_TIMEOUT);
      this.waiting = {
        id,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.socket.send(`{"n":"_p","i":"${id}"}`);
    });
  }
}

/** A full collection, when this process can ask for one; `undefined` otherwise. */
function collector(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    // Without --expose-gc, the flag can still be set at run time; the function then lives in
    // any new context.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

function heapAfterGc(gc: (() => void) | undefined): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

describe('a long fuzz batch', () => {
  it('leaves memory and per-connection state flat, and the server still accepts connections', async () => {
    const MAX_IN_FLIGHT = 64;
    const { server, url, serverErrors, held, other } = await setup({ maxInFlight: MAX_IN_FLIGHT });
    const peer = await CountingPeer.connect(url);
    const connection = server.getConnections().find((candidate) => candidate.id !== other.id)!;

    // A fixed pool keeps generation out of the measured loop; requests with ids are mixed in.
    const pool = fc.sample(garbageText, { numRuns: 1500, seed: 5 });
    for (let index = 0; index < 300; index++) pool.push(`{"n":"${['echo', 'later', 'throws', 'rejects', 'missing'][index % 5]}","p":${index},"i":"M${index}"}`);

    // Every frame with a usable id gets exactly one answer (a result, an error, a refusal or a
    // pong), except responses, which are never answered. The codec, fuzzed on its own in
    // codec-fuzz.test.ts, says which frames those are; the text goes through UTF-8 as on the wire.
    const validate = createFrameValidator();
    const answersTo = pool.map((text) => {
      const decoded = decodeFrame(Buffer.from(text).toString(), validate);
      if (decoded.ok) return decoded.frame.i !== undefined && decoded.frame.n !== '_r' ? 1 : 0;
      return decoded.id !== undefined && decoded.name !== '_r' ? 1 : 0;
    });
    let expectedAnswers = 0;

    const BATCH = 500;
    const runBatches = async (frames: number, budgetMs: number): Promise<number> => {
      const deadline = Date.now() + budgetMs;
      let sent = 0;
      while (sent < frames && Date.now() < deadline) {
        for (let index = 0; index < BATCH; index++) {
          const at = (sent + index) % pool.length;
          peer.send(pool[at]!);
          expectedAnswers += answersTo[at]!;
        }
        sent += BATCH;
        // One batch at a time: the fuzzer never outruns the server, so buffers stay small.
        await peer.barrier();
      }
      return sent;
    };

    const gc = collector();
    await runBatches(2000, 2000);
    const before = heapAfterGc(gc);
    const sent = await runBatches(20_000, 5000);
    const after = heapAfterGc(gc);
    // Async handlers answer in a microtask, after the pong of the read that carried them: one
    // more barrier collects those answers.
    await peer.barrier();
    console.log(
      `long fuzz: ${sent} frames, ${peer.answers} answers; heapUsed before ${(before / 2 ** 20).toFixed(1)} MiB, after ${(after / 2 ** 20).toFixed(1)} MiB` +
        ` (${gc === undefined ? 'no gc available: numbers include garbage' : 'after a forced gc'})`,
    );

    expect(sent).toBeGreaterThanOrEqual(BATCH * 4);
    expect(peer.open).toBe(true);
    expect(expectedAnswers).toBeGreaterThan(sent / 10);
    expect(peer.answers).toBe(expectedAnswers);
    // Per-connection state: no connection gained or lost, nothing left pending.
    expect(server.getConnections()).toHaveLength(2);
    expect(connection.state).toBe('connected');
    expect(connection.pendingRequests).toBe(0);
    // The in-flight count is private; a leaked slot would show as a refusal below the limit.
    for (let index = 0; index < MAX_IN_FLIGHT; index++) peer.send(`{"n":"hold","i":"H${index}"}`);
    await peer.barrier();
    expect(held).toHaveLength(MAX_IN_FLIGHT);
    const answersBefore = peer.answers;
    for (const message of held) message.resolve(null);
    await peer.barrier();
    expect(peer.answers - answersBefore).toBe(MAX_IN_FLIGHT);
    // The heap is shared with vitest and both sockets' ends; a leak per frame would show as
    // tens of MiB over 20,000 frames. Only meaningful after a real collection.
    if (gc !== undefined) expect(after - before).toBeLessThan(24 * 2 ** 20);

    await otherStillWorks(other, 'after');
    const late = await connectClient(url);
    await otherStillWorks(late, { late: true });
    expect(server.getConnections()).toHaveLength(3);
    expect(serverErrors).toStrictEqual([]);
    expect(escaped).toStrictEqual([]);
  });
});
