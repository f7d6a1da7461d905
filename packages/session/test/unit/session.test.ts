import { ErrorCode, VolleyError } from '@volley/protocol';
import { Admission, type AdmissionLimits, type IncomingMessage, Session, type SessionHost, type SessionOptions } from '@volley/session';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Handler = (message: IncomingMessage) => void;

/** A SessionHost that records what the session writes and reports. */
class FakeHost implements SessionHost {
  readonly written: string[] = [];
  readonly errors: VolleyError[] = [];
  readonly pingFailures: VolleyError[] = [];
  readonly handshakes: IncomingMessage[] = [];
  readonly handlers = new Map<string, Handler>();
  /** When set, write() throws it (a socket that went away). */
  failWrites: Error | undefined;
  handshake?: (message: IncomingMessage) => void;
  abusive?: (error: VolleyError) => void;
  /** What reached handshakeAccepted / handshakeFailed, in order. */
  readonly handshakeOutcomes: ['accepted', unknown][] | ['failed', unknown][] = [];
  /** Runs inside handshakeAccepted (it may throw). */
  onAccepted: (result: unknown) => void = () => undefined;

  constructor(withHandshake: boolean) {
    if (withHandshake) this.handshake = (message) => this.handshakes.push(message);
  }

  write(frame: string): void {
    if (this.failWrites !== undefined) throw this.failWrites;
    this.written.push(frame);
  }

  dispatch(message: IncomingMessage): boolean {
    const handler = this.handlers.get(message.name);
    if (handler === undefined) return false;
    handler(message);
    return true;
  }

  error(error: VolleyError): void {
    this.errors.push(error);
  }

  pingFailed(error: VolleyError): void {
    this.pingFailures.push(error);
  }

  handshakeAccepted(result: unknown): void {
    (this.handshakeOutcomes as unknown[]).push(['accepted', result]);
    this.onAccepted(result);
  }

  handshakeFailed(error: unknown): void {
    (this.handshakeOutcomes as unknown[]).push(['failed', error]);
  }

  /** The written frames, parsed. */
  frames(): Record<string, unknown>[] {
    return this.written.map((text) => JSON.parse(text) as Record<string, unknown>);
  }
}

let host: FakeHost;
let session: Session;

function create(options: Partial<SessionOptions> & AdmissionLimits & { handshake?: boolean; connected?: boolean } = {}): void {
  host = new FakeHost(options.handshake ?? false);
  const limited = options.rateLimit !== undefined || options.maxInFlight !== undefined || options.maxRefusals !== undefined;
  // A server's session gets an Admission; without limits the session admits everything (a client's).
  session = new Session(host, { responseTimeout: 1000, ...options }, limited ? new Admission(options) : undefined);
  if (options.connected ?? true) {
    session.handshakeDone();
  }
}

beforeEach(() => {
  vi.useFakeTimers();
  create();
});

afterEach(() => {
  session.close();
  vi.useRealTimers();
});

/** Lets promise callbacks run; fake timers do not drive microtasks. */
async function microtasks(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
}

/** Records how a promise settles without awaiting it. */
function watch<T>(promise: Promise<T>): { settled: 'pending' | 'resolved' | 'rejected'; value?: T; error?: VolleyError } {
  const state: { settled: 'pending' | 'resolved' | 'rejected'; value?: T; error?: VolleyError } = { settled: 'pending' };
  promise.then(
    (value) => {
      state.settled = 'resolved';
      state.value = value;
    },
    (error: VolleyError) => {
      state.settled = 'rejected';
      state.error = error;
    },
  );
  return state;
}

describe('routing', () => {
  it('settles a pending request with `_r`', async () => {
    const answer = session.request('sum', { a: 1, b: 2 });
    expect(host.written).toEqual(['{"n":"sum","p":{"a":1,"b":2},"i":"1"}']);
    expect(session.pendingCount).toBe(1);
    session.receive('{"n":"_r","i":"1","p":3}');
    await expect(answer).resolves.toBe(3);
    expect(session.pendingCount).toBe(0);
  });

  it('rejects a pending request with MESSAGE_REJECTED when `_r` carries `e`', async () => {
    const answer = session.request('delete', 'x');
    session.receive('{"n":"_r","i":"1","e":{"name":"Error","message":"no","code":"E_NO"}}');
    await expect(answer).rejects.toMatchObject({ code: ErrorCode.MESSAGE_REJECTED, payload: { name: 'Error', message: 'no', code: 'E_NO' } });
  });

  it('resolves when line-socket sends `"e": null`', async () => {
    const answer = session.request('sum');
    session.receive('{"n":"_r","i":"1","p":3,"e":null}');
    await expect(answer).resolves.toBe(3);
  });

  it('ignores a `_r` that matches nothing, and never answers it', () => {
    session.receive('{"n":"_r","i":"zz","p":1}');
    session.receive('{"n":"_r","p":1}');
    expect(host.written).toEqual([]);
    expect(host.errors).toEqual([]);
  });

  it('answers `_p` with a pong, even before the handshake', () => {
    create({ connected: false });
    session.receive('{"n":"_p","i":"b"}');
    expect(host.written).toEqual(['{"n":"_r","i":"b","p":"pong"}']);
    expect(host.errors).toEqual([]);
  });

  it('ignores `_p` without an id', () => {
    session.receive('{"n":"_p"}');
    expect(host.written).toEqual([]);
  });

  it('hands `_h` to the host that handles handshakes, which can answer it', () => {
    create({ handshake: true, connected: false });
    session.receive('{"n":"_h","p":{"token":"t1"},"i":"1"}');
    expect(host.handshakes).toHaveLength(1);
    const message = host.handshakes[0]!;
    expect(message.name).toBe('_h');
    expect(message.payload).toEqual({ token: 't1' });
    expect(message.id).toBe('1');
    expect(message.resolve({ payload: { user: 'ann' }, id: 'ann' })).toBe(true);
    expect(host.written).toEqual(['{"n":"_r","i":"1","p":{"payload":{"user":"ann"},"id":"ann"}}']);
  });

  it('treats `_h` as an unknown reserved name where no host handles it (client side)', () => {
    session.receive('{"n":"_h","p":{},"i":"1"}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_FRAME]);
    expect(host.frames()).toEqual([{ n: '_r', i: '1', e: expect.objectContaining({ code: ErrorCode.INVALID_FRAME, name: 'VolleyError' }) }]);
  });

  it('hands a handshake carried in the upgrade to the host as the `_h` it stands for, answered under the upgrade id', () => {
    create({ handshake: true, connected: false });
    session.receiveUpgradeHandshake({ token: 't2' });
    expect(host.handshakes).toHaveLength(1);
    const message = host.handshakes[0]!;
    expect([message.name, message.id, message.payload]).toEqual(['_h', '-h', { token: 't2' }]);
    expect(message.resolve({ id: 'c1' })).toBe(true);
    expect(host.written).toEqual(['{"n":"_r","i":"-h","p":{"id":"c1"}}']);
  });

  it('refuses a handshake carried in the upgrade where no host handles handshakes', () => {
    session.receiveUpgradeHandshake(undefined);
    expect(host.handshakes).toEqual([]);
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_FRAME]);
    expect(host.frames()).toEqual([{ n: '_r', i: '-h', e: expect.objectContaining({ code: ErrorCode.INVALID_FRAME }) }]);
  });

  it('answers an unknown reserved name with an error when it has an id', () => {
    session.receive('{"n":"_c","i":"9"}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_FRAME]);
    expect(host.frames()).toEqual([{ n: '_r', i: '9', e: expect.objectContaining({ code: ErrorCode.INVALID_FRAME }) }]);
  });

  it('only reports an unknown reserved name without an id', () => {
    session.receive('{"n":"_c","p":1}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_FRAME]);
    expect(host.written).toEqual([]);
  });

  it('dispatches an application message with its payload and id', () => {
    const seen: IncomingMessage[] = [];
    host.handlers.set('news', (message) => seen.push(message));
    session.receive('{"n":"news","p":"hello","x":1}');
    expect(seen).toHaveLength(1);
    expect(seen[0]!.payload).toBe('hello');
    expect(seen[0]!.id).toBeUndefined();
    expect(seen[0]!.isRequest).toBe(false);
    expect(host.written).toEqual([]);
  });
});

describe('bad frames', () => {
  it('reports INVALID_JSON and answers nothing', () => {
    session.receive('{"n":"sum","i":"7"');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_JSON]);
    expect(host.written).toEqual([]);
  });

  it('reports INVALID_FRAME and answers the salvaged id', () => {
    session.receive('{"n":5,"i":"7"}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_FRAME]);
    expect(host.frames()).toEqual([{ n: '_r', i: '7', e: expect.objectContaining({ code: ErrorCode.INVALID_FRAME }) }]);
  });

  it('never answers a malformed `_r`, even with an id', () => {
    const answer = watch(session.request('sum'));
    session.receive('{"n":"_r","i":"1","e":[1]}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_FRAME]);
    expect(host.written).toHaveLength(1); // only the request itself
    expect(answer.settled).toBe('pending');
  });

  it('reports INVALID_FRAME without an answer when the id is unusable', () => {
    session.receive(`{"n":"x","i":"${'a'.repeat(65)}"}`);
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_FRAME]);
    expect(host.written).toEqual([]);
  });

  it('never throws for arbitrary strings (property)', () => {
    // Real timers: nothing here waits, and fake ones make each run much slower.
    vi.useRealTimers();
    const frameLike = fc
      .record(
        {
          n: fc.oneof(fc.constantFrom('_r', '_p', '_h', '_x', 'echo', 'silent', 'throws', 'none', ''), fc.jsonValue()),
          p: fc.jsonValue(),
          i: fc.oneof(fc.constantFrom('1', '2', 'a'), fc.string({ maxLength: 70 }), fc.jsonValue()),
          e: fc.oneof(fc.constant(null), fc.string(), fc.jsonValue()),
        },
        { requiredKeys: [] },
      )
      .map((value) => JSON.stringify(value));
    const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.jsonValue().map((value) => JSON.stringify(value)), frameLike);
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.array(text, { maxLength: 6 }), (withHandshake, connected, texts) => {
        create({ handshake: withHandshake, connected });
        host.handlers.set('echo', (message) => message.resolve(message.payload));
        host.handlers.set('silent', () => undefined);
        host.handlers.set('throws', () => {
          throw Object.create(null);
        });
        if (connected) void session.request('sum').catch(() => undefined);
        // A throw fails the property; every answer written must itself be valid JSON.
        for (const t of texts) session.receive(t);
        for (const frame of host.written) JSON.parse(frame);
        session.close();
      }),
      { numRuns: 300 },
    );
  });
});

describe('handshake gate', () => {
  beforeEach(() => {
    create({ connected: false });
    host.handlers.set('sum', (message) => message.resolve(3));
  });

  it('refuses a request before the handshake with HANDSHAKE_PENDING, without dispatching it', () => {
    session.receive('{"n":"sum","p":{"a":1,"b":2},"i":"2"}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.HANDSHAKE_PENDING]);
    expect(host.frames()).toEqual([{ n: '_r', i: '2', e: expect.objectContaining({ code: ErrorCode.HANDSHAKE_PENDING }) }]);
  });

  it('drops a fire-and-forget message before the handshake', () => {
    const seen: IncomingMessage[] = [];
    host.handlers.set('news', (message) => seen.push(message));
    session.receive('{"n":"news","p":"hello"}');
    expect(seen).toEqual([]);
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.HANDSHAKE_PENDING]);
    expect(host.written).toEqual([]);
  });

  it('lets requests through once the gate opens', () => {
    session.handshakeDone();
    session.receive('{"n":"sum","i":"2"}');
    expect(host.written).toEqual(['{"n":"_r","i":"2","p":3}']);
  });

  it('refuses to send requests and messages while not open', async () => {
    await expect(session.request('sum')).rejects.toMatchObject({ code: ErrorCode.DISCONNECTED });
    expect(() => session.notify('news')).toThrow(expect.objectContaining({ code: ErrorCode.DISCONNECTED }));
    await expect(session.ping()).rejects.toMatchObject({ code: ErrorCode.DISCONNECTED });
    expect(host.written).toEqual([]);
  });

  it('sends the handshake (client side) and runs handshakeAccepted before later frames of the same read', () => {
    const order: string[] = [];
    host.handlers.set('confirm', (message) => {
      order.push(`confirm while gated=${String(session.gated)}`);
      message.resolve(true);
    });
    host.onAccepted = (result) => {
      order.push('accept');
      expect(result).toEqual({ payload: null, id: 'ann' });
      session.handshakeDone();
    };
    session.handshake({ token: 't1' });
    expect(host.written).toEqual(['{"n":"_h","p":{"token":"t1"},"i":"1"}']);
    session.receive('{"n":"_r","i":"1","p":{"payload":null,"id":"ann"}}');
    session.receive('{"n":"confirm","p":{"q":"delete?"},"i":"a"}');
    expect(order).toEqual(['accept', 'confirm while gated=false']);
    expect(host.handshakeOutcomes).toEqual([['accepted', { payload: null, id: 'ann' }]]);
    // The handshake is no pending request.
    expect(session.pendingCount).toBe(0);
  });

  it('hands what handshakeAccepted throws to handshakeFailed', () => {
    const malformed = new VolleyError(ErrorCode.HANDSHAKE_ERROR, 'Malformed handshake answer');
    host.onAccepted = () => {
      throw malformed;
    };
    session.handshake(undefined);
    session.receive('{"n":"_r","i":"1","p":42}');
    expect(host.handshakeOutcomes).toEqual([
      ['accepted', 42],
      ['failed', malformed],
    ]);
  });

  it('reports a rejected handshake as MESSAGE_REJECTED with the reason in payload, once', () => {
    session.handshake(undefined);
    session.receive('{"n":"_r","i":"1","e":{"name":"Error","message":"bad token"}}');
    session.receive('{"n":"_r","i":"1","p":{"id":"late"}}');
    expect(host.handshakeOutcomes).toHaveLength(1);
    const [kind, error] = host.handshakeOutcomes[0]!;
    expect(kind).toBe('failed');
    expect(error).toMatchObject({ code: ErrorCode.MESSAGE_REJECTED, payload: { name: 'Error', message: 'bad token' } });
  });

  it('awaits the answer to UPGRADE_HANDSHAKE_ID without writing anything when the handshake went in the upgrade', () => {
    session.handshake({ token: 't1' }, true);
    expect(host.written).toEqual([]);
    session.receive('{"n":"_r","i":"1","p":{"id":"other"}}');
    expect(host.handshakeOutcomes).toEqual([]);
    session.receive('{"n":"_r","i":"-h","p":{"id":"ann"}}');
    expect(host.handshakeOutcomes).toEqual([['accepted', { id: 'ann' }]]);
  });

  it('fails an unanswered handshake with DISCONNECTED on close, and not again on a second close', () => {
    session.handshake(undefined);
    session.close('the connection closed (1006)');
    session.close();
    expect(host.handshakeOutcomes).toHaveLength(1);
    expect(host.handshakeOutcomes[0]![1]).toMatchObject({ code: ErrorCode.DISCONNECTED, message: '"_h" failed: the connection closed (1006)' });
    // An answer after the close reaches nobody.
    session.receive('{"n":"_r","i":"1","p":{"id":"ann"}}');
    expect(host.handshakeOutcomes).toHaveLength(1);
  });

  it('fails at once when the handshake payload cannot be serialised or the write fails', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    session.handshake(cyclic);
    expect(host.handshakeOutcomes.map(([kind, error]) => [kind, (error as VolleyError).code])).toEqual([['failed', ErrorCode.INVALID_JSON]]);
    host.failWrites = new Error('socket gone');
    session.handshake(undefined);
    expect(host.handshakeOutcomes.map(([kind, error]) => [kind, (error as VolleyError).code])).toEqual([
      ['failed', ErrorCode.INVALID_JSON],
      ['failed', ErrorCode.WEBSOCKET_ERROR],
    ]);
    // Nothing is left awaiting: a close reports nothing more.
    session.close();
    expect(host.handshakeOutcomes).toHaveLength(2);
  });
});

describe('answering requests', () => {
  it('answers a request nobody handles with NO_HANDLER at once', () => {
    session.receive('{"n":"nobody","i":"4"}');
    expect(host.frames()).toEqual([{ n: '_r', i: '4', e: { code: ErrorCode.NO_HANDLER, name: 'VolleyError', message: 'No handler for "nobody"' } }]);
  });

  it('ignores a fire-and-forget message nobody handles', () => {
    session.receive('{"n":"nobody","p":1}');
    expect(host.written).toEqual([]);
    expect(host.errors).toEqual([]);
  });

  it('answers later when the handler keeps the message', () => {
    let kept: IncomingMessage | undefined;
    host.handlers.set('slow', (message) => {
      kept = message;
    });
    session.receive('{"n":"slow","i":"5"}');
    expect(host.written).toEqual([]);
    expect(kept!.resolve('done')).toBe(true);
    expect(host.written).toEqual(['{"n":"_r","i":"5","p":"done"}']);
  });

  it('rejects the request when the handler throws, and reports the error', () => {
    host.handlers.set('boom', () => {
      throw new TypeError('bad input');
    });
    session.receive('{"n":"boom","i":"6"}');
    expect(host.errors).toHaveLength(1);
    expect(host.errors[0]!.code).toBe(ErrorCode.INTERNAL_ERROR);
    expect(host.errors[0]!.message).toBe('bad input');
    expect(host.frames()).toEqual([{ n: '_r', i: '6', e: { name: 'TypeError', message: 'bad input' } }]);
  });

  it('keeps the code of a VolleyError a handler throws', () => {
    host.handlers.set('boom', () => {
      throw new VolleyError(ErrorCode.INVALID_STATE, 'not now');
    });
    session.receive('{"n":"boom","i":"6"}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_STATE]);
    expect(host.frames()[0]).toMatchObject({ e: { code: ErrorCode.INVALID_STATE, message: 'not now' } });
  });

  it('does not answer twice when the handler answers and then throws', () => {
    host.handlers.set('boom', (message) => {
      message.resolve(1);
      throw new Error('after');
    });
    session.receive('{"n":"boom","i":"6"}');
    expect(host.written).toEqual(['{"n":"_r","i":"6","p":1}']);
    expect(host.errors.map((e) => e.message)).toEqual(['after']);
  });

  it('only reports a throwing handler of a fire-and-forget message', () => {
    host.handlers.set('boom', () => {
      throw new Error('oops');
    });
    session.receive('{"n":"boom"}');
    expect(host.written).toEqual([]);
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INTERNAL_ERROR]);
  });

  it('refuses a second answer: ALREADY_RESPONDED locally, nothing sent', () => {
    host.handlers.set('twice', (message) => {
      expect(message.resolve(1)).toBe(true);
      expect(message.resolve(2)).toBe(false);
      expect(message.reject(new Error('late'))).toBe(false);
    });
    session.receive('{"n":"twice","i":"7"}');
    expect(host.written).toEqual(['{"n":"_r","i":"7","p":1}']);
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.ALREADY_RESPONDED, ErrorCode.ALREADY_RESPONDED]);
  });

  it('refuses to answer a fire-and-forget message: NOT_A_REQUEST locally, nothing sent', () => {
    host.handlers.set('news', (message) => {
      expect(message.resolve('thanks')).toBe(false);
      expect(message.reject('no')).toBe(false);
    });
    session.receive('{"n":"news","p":"hello"}');
    expect(host.written).toEqual([]);
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.NOT_A_REQUEST, ErrorCode.NOT_A_REQUEST]);
  });

  it('turns an unserialisable result into INVALID_JSON locally and an error answer', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    host.handlers.set('cycle', (message) => {
      expect(message.resolve(cyclic)).toBe(true);
      expect(message.responded).toBe(true);
    });
    session.receive('{"n":"cycle","i":"8"}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.INVALID_JSON]);
    expect(host.frames()).toEqual([{ n: '_r', i: '8', e: expect.objectContaining({ code: ErrorCode.INVALID_JSON, name: 'VolleyError' }) }]);
  });

  it('sends a rejection with the serialised error', () => {
    host.handlers.set('confirm', (message) => message.reject(Object.assign(new Error('no'), { code: 'E_NO' })));
    session.receive('{"n":"confirm","p":{"q":"delete?"},"i":"a"}');
    expect(host.written).toEqual(['{"n":"_r","i":"a","e":{"code":"E_NO","name":"Error","message":"no"}}']);
  });

  it('reports MESSAGE_NOT_RESPONDED when the answer cannot be written', () => {
    host.handlers.set('sum', (message) => {
      host.failWrites = new Error('socket gone');
      expect(message.resolve(3)).toBe(false);
    });
    session.receive('{"n":"sum","i":"2"}');
    expect(host.errors.map((e) => e.code)).toEqual([ErrorCode.MESSAGE_NOT_RESPONDED]);
    expect(host.errors[0]!.message).toContain('"sum"');
  });
});

describe('sending', () => {
  it('numbers requests in base 36 and sends fire-and-forget messages without id', async () => {
    const answers = Array.from({ length: 36 }, () => session.request('n'));
    expect(JSON.parse(host.written[35]!)).toEqual({ n: 'n', i: '10' });
    session.notify('news', 'hello');
    expect(host.written[36]).toBe('{"n":"news","p":"hello"}');
    session.close();
    await Promise.allSettled(answers);
  });

  it('refuses invalid names', async () => {
    await expect(session.request('_r')).rejects.toMatchObject({ code: ErrorCode.INVALID_NAME });
    await expect(session.request('')).rejects.toMatchObject({ code: ErrorCode.INVALID_NAME });
    expect(() => session.notify('_p')).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_NAME }));
    expect(host.written).toEqual([]);
  });

  it('refuses an unserialisable payload with INVALID_JSON and leaves nothing pending', async () => {
    await expect(session.request('x', { n: 1n })).rejects.toMatchObject({ code: ErrorCode.INVALID_JSON });
    expect(() => session.notify('x', { n: 1n })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_JSON }));
    expect(session.pendingCount).toBe(0);
    expect(host.written).toEqual([]);
  });

  it('rejects a request whose frame cannot be written', async () => {
    host.failWrites = new VolleyError(ErrorCode.DISCONNECTED, 'The socket is not open');
    await expect(session.request('sum')).rejects.toMatchObject({ code: ErrorCode.DISCONNECTED });
    host.failWrites = new Error('EPIPE');
    await expect(session.request('sum')).rejects.toMatchObject({ code: ErrorCode.WEBSOCKET_ERROR, message: 'EPIPE' });
    expect(session.pendingCount).toBe(0);
  });

  it('times a request out after responseTimeout, or after its own timeout', () => {
    const byDefault = watch(session.request('a'));
    const custom = watch(session.request('b', undefined, 200));
    const never = watch(session.request('c', undefined, 0));
    vi.advanceTimersByTime(200);
    return Promise.resolve().then(() => {
      expect(custom.error?.code).toBe(ErrorCode.MESSAGE_TIMEOUT);
      expect(byDefault.settled).toBe('pending');
      vi.advanceTimersByTime(800);
      return Promise.resolve().then(() => {
        expect(byDefault.error?.code).toBe(ErrorCode.MESSAGE_TIMEOUT);
        vi.advanceTimersByTime(60_000);
        expect(never.settled).toBe('pending');
        // A late answer to a timed-out request is ignored.
        session.receive('{"n":"_r","i":"1","p":"late"}');
        expect(host.errors).toEqual([]);
      });
    });
  });
});

describe('ping', () => {
  it('tick() pings only after a quiet interval', () => {
    session.tick();
    expect(host.written).toEqual(['{"n":"_p","i":"1"}']);
  });

  it('tick() does not ping when something was received since the last tick', () => {
    session.receive('{"n":"nobody"}');
    session.tick();
    expect(host.written).toEqual([]);
    // The flag is checked once per interval: the next quiet interval pings.
    session.tick();
    expect(host.written).toEqual(['{"n":"_p","i":"1"}']);
  });

  it('counts bad frames as traffic', () => {
    session.receive('not json');
    session.tick();
    expect(host.written).toEqual([]);
  });

  it('does not ping again while a ping is outstanding, nor when not open', () => {
    session.tick();
    session.tick();
    expect(host.written).toHaveLength(1);
    create({ connected: false });
    session.tick();
    expect(host.written).toEqual([]);
  });

  it('resolves on pong and pings again after the next quiet interval', async () => {
    const pong = session.ping();
    expect(host.written).toEqual(['{"n":"_p","i":"1"}']);
    session.receive('{"n":"_r","i":"1","p":"pong"}');
    await expect(pong).resolves.toBeUndefined();
    session.tick(); // the pong counted as traffic
    expect(host.written).toHaveLength(1);
    session.tick();
    expect(host.written).toEqual(['{"n":"_p","i":"1"}', '{"n":"_p","i":"2"}']);
    expect(host.pingFailures).toEqual([]);
  });

  it('calls pingFailed with PING_ERROR when the pong does not come within responseTimeout', async () => {
    const ping = watch(session.ping());
    vi.advanceTimersByTime(999);
    await Promise.resolve();
    expect(host.pingFailures).toEqual([]);
    vi.advanceTimersByTime(1);
    await microtasks();
    expect(host.pingFailures).toHaveLength(1);
    expect(host.pingFailures[0]!.code).toBe(ErrorCode.PING_ERROR);
    expect(host.pingFailures[0]!.cause).toMatchObject({ code: ErrorCode.MESSAGE_TIMEOUT });
    expect(ping.error?.code).toBe(ErrorCode.PING_ERROR);
  });

  it('reports a failed tick() ping through pingFailed only', async () => {
    session.tick();
    vi.advanceTimersByTime(1000);
    await microtasks();
    expect(host.pingFailures).toHaveLength(1);
    // pinging is over: the next quiet interval may ping again.
    session.tick();
    expect(host.written).toEqual(['{"n":"_p","i":"1"}', '{"n":"_p","i":"2"}']);
  });

  it('does not call pingFailed when the connection closes during a ping', async () => {
    const ping = session.ping();
    session.close();
    await expect(ping).rejects.toMatchObject({ code: ErrorCode.DISCONNECTED });
    expect(host.pingFailures).toEqual([]);
  });
});

describe('close', () => {
  it('rejects every pending request with DISCONNECTED and stops sending', async () => {
    const a = session.request('a');
    const b = session.request('b', undefined, 0);
    session.close('socket closed (1006)');
    await expect(a).rejects.toMatchObject({ code: ErrorCode.DISCONNECTED, message: '"a" failed: socket closed (1006)' });
    await expect(b).rejects.toMatchObject({ code: ErrorCode.DISCONNECTED });
    expect(session.pendingCount).toBe(0);
    expect(session.open).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    await expect(session.request('c')).rejects.toMatchObject({ code: ErrorCode.DISCONNECTED });
  });

  it('ignores answers that arrive after close', () => {
    void session.request('a').catch(() => undefined);
    session.close();
    session.receive('{"n":"_r","i":"1","p":1}');
    expect(host.errors).toEqual([]);
  });
});

describe('every inbound frame takes a token of the rate limit', () => {
  const rateLimit = { rate: 1, burst: 2 };
  const abusive: VolleyError[] = [];
  beforeEach(() => {
    abusive.length = 0;
  });

  function createLimited(connected: boolean): void {
    create({ rateLimit, maxRefusals: 2, connected });
    host.abusive = (error) => abusive.push(error);
  }

  it('before the handshake too: pings past the burst are refused and count as refusals', () => {
    createLimited(false);
    for (const id of ['a', 'b', 'c', 'd']) session.receive(`{"n":"_p","i":"${id}"}`);
    expect(host.frames()).toEqual([
      { n: '_r', i: 'a', p: 'pong' },
      { n: '_r', i: 'b', p: 'pong' },
      { n: '_r', i: 'c', e: expect.objectContaining({ code: ErrorCode.RATE_LIMITED }) },
      { n: '_r', i: 'd', e: expect.objectContaining({ code: ErrorCode.RATE_LIMITED }) },
    ]);
    expect(abusive).toHaveLength(1);
  });

  it('responses nothing awaits: ignored within the rate, refused past it (and never answered)', () => {
    createLimited(true);
    for (const id of ['a', 'b', 'c', 'd']) session.receive(`{"n":"_r","i":"${id}","p":1}`);
    expect(host.written).toEqual([]);
    expect(host.errors.map((error) => error.code)).toEqual([ErrorCode.RATE_LIMITED, ErrorCode.RATE_LIMITED]);
    expect(abusive).toHaveLength(1);
  });

  it('a response to a pending request settles it whatever the rate, and still takes a token', async () => {
    createLimited(true);
    const first = watch(session.request('ask'));
    const second = watch(session.request('ask'));
    const third = watch(session.request('ask'));
    for (const id of ['1', '2', '3']) session.receive(`{"n":"_r","i":"${id}","p":"ok"}`);
    await microtasks();
    expect([first.value, second.value, third.value]).toEqual(['ok', 'ok', 'ok']);
    // The bucket is empty now: the next request of the peer is refused.
    session.receive('{"n":"work","i":"w"}');
    expect(host.frames().at(-1)).toMatchObject({ n: '_r', i: 'w', e: { code: ErrorCode.RATE_LIMITED } });
  });

  it('binary frames are refused and counted, and take a token', () => {
    createLimited(true);
    session.receiveBinary();
    session.receiveBinary();
    expect(host.errors.map((error) => error.code)).toEqual([ErrorCode.INVALID_FRAME, ErrorCode.INVALID_FRAME]);
    expect(abusive).toHaveLength(1);
    session.receive('{"n":"work","i":"w"}');
    expect(host.frames()).toMatchObject([{ n: '_r', i: 'w', e: { code: ErrorCode.RATE_LIMITED } }]);
  });

  it('WebSocket control frames pass within the rate and are refused past it', () => {
    createLimited(true);
    session.receiveControl('pong');
    session.receiveControl('ping');
    expect(host.errors).toEqual([]);
    session.receiveControl('pong');
    session.receiveControl('ping');
    expect(host.errors.map((error) => error.message)).toEqual([
      '"WebSocket pong" refused: more than 1 messages per second',
      '"WebSocket ping" refused: more than 1 messages per second',
    ]);
    expect(abusive).toHaveLength(1);
  });

  it('without a rate limit control frames cost nothing and binary frames are still refused', () => {
    create({ maxRefusals: 0 });
    session.receiveControl('pong');
    session.receiveBinary();
    expect(host.errors.map((error) => error.code)).toEqual([ErrorCode.INVALID_FRAME]);
  });
});
