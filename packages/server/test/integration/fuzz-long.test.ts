import v8 from 'node:v8';
import vm from 'node:vm';
import { decodeFrame } from '@volley/protocol';
import { createFrameValidator } from '@volley/protocol/validation';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import { connectClient, EVENT_TIMEOUT, onCleanup } from '@volley/test-utils';
import { escaped, garbageText, otherStillWorks, setup, useFuzzChecks } from './fuzz-harness.js';

/* A long fuzz batch (see fuzz-harness.ts): memory and per-connection state stay flat, the server keeps accepting. */

useFuzzChecks();

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
