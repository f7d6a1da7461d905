import { ErrorCode, VolleyError } from '@volley/protocol';
import { PendingRequests } from '@volley/session';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

interface Outcome {
  settled: 'pending' | 'resolved' | 'rejected';
  value?: unknown;
  error?: VolleyError;
}

/** Adds a request and records how it settles, so tests can look without awaiting. */
function track(pending: PendingRequests, id: string, timeout: number, name = `req-${id}`): Outcome {
  const outcome: Outcome = { settled: 'pending' };
  pending.add(
    id,
    name,
    timeout,
    (value) => {
      outcome.settled = 'resolved';
      outcome.value = value;
    },
    (error) => {
      outcome.settled = 'rejected';
      outcome.error = error as VolleyError;
    },
  );
  return outcome;
}

let pending: PendingRequests;

beforeEach(() => {
  vi.useFakeTimers();
  pending = new PendingRequests();
});

afterEach(() => {
  pending.rejectAll(() => new Error('test over'));
  vi.useRealTimers();
});

describe('timeouts', () => {
  it('rejects with MESSAGE_TIMEOUT exactly when the timeout elapses', () => {
    const request = track(pending, '1', 1000, 'sum');
    vi.advanceTimersByTime(999);
    expect(request.settled).toBe('pending');
    vi.advanceTimersByTime(1);
    expect(request.settled).toBe('rejected');
    expect(request.error).toBeInstanceOf(VolleyError);
    expect(request.error!.code).toBe(ErrorCode.MESSAGE_TIMEOUT);
    expect(request.error!.message).toContain('"sum"');
    expect(pending.size).toBe(0);
  });

  it('uses one timer for many requests', () => {
    const requests = Array.from({ length: 100 }, (_, index) => {
      const outcome = track(pending, String(index), 1000);
      vi.advanceTimersByTime(1);
      return outcome;
    });
    expect(vi.getTimerCount()).toBe(1);
    expect(pending.size).toBe(100);
    // Sent one millisecond apart, they time out one millisecond apart.
    vi.advanceTimersByTime(900);
    expect(requests.filter((r) => r.settled === 'rejected')).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(50);
    expect(requests.filter((r) => r.settled === 'rejected')).toHaveLength(51);
    vi.advanceTimersByTime(49);
    expect(requests.every((r) => r.settled === 'rejected')).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not touch the timer for requests answered in time', () => {
    track(pending, 'a', 1000);
    const spy = vi.spyOn(globalThis, 'setTimeout');
    for (let i = 0; i < 50; i += 1) {
      track(pending, `b${i}`, 1000);
      pending.settle({ n: '_r', i: `b${i}`, p: i });
    }
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('re-arms for a custom timeout earlier than the existing ones', () => {
    const slow = track(pending, 'slow', 10_000);
    const fast = track(pending, 'fast', 1000);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(fast.settled).toBe('rejected');
    expect(slow.settled).toBe('pending');
    vi.advanceTimersByTime(8999);
    expect(slow.settled).toBe('pending');
    vi.advanceTimersByTime(1);
    expect(slow.settled).toBe('rejected');
    expect(slow.error!.code).toBe(ErrorCode.MESSAGE_TIMEOUT);
  });

  it('does not re-arm for a later timeout, and still honours it', () => {
    const first = track(pending, '1', 1000);
    const second = track(pending, '2', 5000);
    vi.advanceTimersByTime(1000);
    expect(first.settled).toBe('rejected');
    expect(second.settled).toBe('pending');
    vi.advanceTimersByTime(4000);
    expect(second.settled).toBe('rejected');
  });

  it('fires at the earliest deadline even when the earliest request was answered already', () => {
    track(pending, 'answered', 1000);
    const later = track(pending, 'later', 3000);
    pending.settle({ n: '_r', i: 'answered' });
    vi.advanceTimersByTime(2999);
    expect(later.settled).toBe('pending');
    vi.advanceTimersByTime(1);
    expect(later.settled).toBe('rejected');
  });

  it('treats 0 as no timeout', () => {
    const request = track(pending, '1', 0);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(24 * 3600 * 1000);
    expect(request.settled).toBe('pending');
    pending.settle({ n: '_r', i: '1', p: 'late but fine' });
    expect(request).toEqual({ settled: 'resolved', value: 'late but fine' });
  });

  it('waits out a timeout longer than setTimeout can hold (2^31-1 ms)', () => {
    const day = 24 * 3600 * 1000;
    const request = track(pending, '1', 30 * day);
    const spy = vi.spyOn(globalThis, 'setTimeout');
    vi.advanceTimersByTime(29 * day);
    expect(request.settled).toBe('pending');
    // One re-arm after ~24.8 days, not a timer per millisecond.
    expect(spy.mock.calls.length).toBeLessThanOrEqual(1);
    vi.advanceTimersByTime(day);
    expect(request.settled).toBe('rejected');
    spy.mockRestore();
  });

  it('ignores a response that arrives after the timeout', () => {
    const request = track(pending, '1', 100);
    vi.advanceTimersByTime(100);
    expect(pending.settle({ n: '_r', i: '1', p: 'late' })).toBe(false);
    expect(request.settled).toBe('rejected');
    expect(request.error!.code).toBe(ErrorCode.MESSAGE_TIMEOUT);
  });
});

describe('settle', () => {
  it('resolves with the payload', () => {
    const request = track(pending, '1', 1000);
    expect(pending.has('1')).toBe(true);
    expect(pending.settle({ n: '_r', i: '1', p: { sum: 3 } })).toBe(true);
    expect(request).toEqual({ settled: 'resolved', value: { sum: 3 } });
    expect(pending.has('1')).toBe(false);
  });

  it('resolves with undefined when the response has no payload', () => {
    const request = track(pending, '1', 1000);
    pending.settle({ n: '_r', i: '1' });
    expect(request.settled).toBe('resolved');
    expect(request.value).toBeUndefined();
  });

  it('rejects with MESSAGE_REJECTED carrying the wire error in payload when `e` is present', () => {
    const request = track(pending, '1', 1000, 'delete');
    const wire = { name: 'Error', message: 'no', code: 'E_NO' };
    pending.settle({ n: '_r', i: '1', p: 'ignored', e: wire });
    expect(request.settled).toBe('rejected');
    expect(request.error!.code).toBe(ErrorCode.MESSAGE_REJECTED);
    expect(request.error!.payload).toEqual(wire);
    expect(request.error!.message).toBe('"delete" was rejected: no');
  });

  it('rejects for a string error too', () => {
    const request = track(pending, '1', 1000);
    pending.settle({ n: '_r', i: '1', e: 'nope' });
    expect(request.error!.code).toBe(ErrorCode.MESSAGE_REJECTED);
    expect(request.error!.payload).toBe('nope');
  });

  it('ignores an unknown id, a duplicate response and a response without id', () => {
    const request = track(pending, '1', 1000);
    expect(pending.settle({ n: '_r', i: 'other', p: 1 })).toBe(false);
    expect(pending.settle({ n: '_r', p: 1 })).toBe(false);
    expect(request.settled).toBe('pending');
    expect(pending.settle({ n: '_r', i: '1', p: 1 })).toBe(true);
    expect(pending.settle({ n: '_r', i: '1', p: 2 })).toBe(false);
    expect(request.value).toBe(1);
  });
});

describe('reject and rejectAll', () => {
  it('rejects one request', () => {
    const request = track(pending, '1', 1000);
    const error = new VolleyError(ErrorCode.WEBSOCKET_ERROR, 'write failed');
    expect(pending.reject('1', error)).toBe(true);
    expect(request.error).toBe(error);
    expect(pending.reject('1', error)).toBe(false);
  });

  it('rejects every request with the error built for its name and clears the timer', () => {
    const a = track(pending, '1', 1000, 'a');
    const b = track(pending, '2', 0, 'b');
    pending.rejectAll((name) => new VolleyError(ErrorCode.DISCONNECTED, `${name} gone`));
    expect(a.error!.code).toBe(ErrorCode.DISCONNECTED);
    expect(a.error!.message).toBe('a gone');
    expect(b.error!.message).toBe('b gone');
    expect(pending.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('arms a fresh timer for requests added after rejectAll', () => {
    track(pending, '1', 5000);
    pending.rejectAll(() => new Error('closed'));
    const next = track(pending, '2', 1000);
    vi.advanceTimersByTime(1000);
    expect(next.error!.code).toBe(ErrorCode.MESSAGE_TIMEOUT);
  });
});

describe('slots', () => {
  it('settles each id with its own request whatever the order of adds, answers, rejections and timeouts', () => {
    // A reference model (a Map of the outcomes still pending) against random operations: the
    // reused slots must never hand one request's answer to another.
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), timeout: fc.constantFrom(0, 0, 50, 200) }),
      fc.record({ kind: fc.constantFrom('answer' as const, 'reject' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 1, max: 120 }) }),
      fc.record({ kind: fc.constant('unknown' as const), id: fc.string({ maxLength: 3 }).map((text) => `x${text}`) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 80 }), (operations) => {
        const requests = new PendingRequests();
        const outcomes = new Map<string, Outcome>();
        const deadlines = new Map<string, number>();
        let next = 0;
        let now = 0;
        const live = (): string[] => [...outcomes.keys()].filter((id) => outcomes.get(id)!.settled === 'pending');
        for (const step of operations) {
          if (step.kind === 'add') {
            const id = `r${next++}`;
            outcomes.set(id, track(requests, id, step.timeout));
            if (step.timeout > 0) deadlines.set(id, now + step.timeout);
          } else if (step.kind === 'answer' || step.kind === 'reject') {
            const ids = live();
            if (ids.length === 0) continue;
            const id = ids[step.pick % ids.length]!;
            if (step.kind === 'answer') expect(requests.settle({ n: '_r', i: id, p: `for ${id}` })).toBe(true);
            else expect(requests.reject(id, new Error(`no ${id}`))).toBe(true);
            const outcome = outcomes.get(id)!;
            expect(outcome.settled).toBe(step.kind === 'answer' ? 'resolved' : 'rejected');
            if (step.kind === 'answer') expect(outcome.value).toBe(`for ${id}`);
            else expect((outcome.error as unknown as Error).message).toBe(`no ${id}`);
          } else if (step.kind === 'time') {
            vi.advanceTimersByTime(step.ms);
            now += step.ms;
            for (const [id, deadline] of deadlines) {
              if (deadline <= now && outcomes.get(id)!.settled === 'pending') throw new Error(`${id} outlived its timeout`);
            }
          } else if (step.kind === 'unknown') {
            expect(requests.settle({ n: '_r', i: step.id, p: 1 })).toBe(false);
          }
          expect(requests.size).toBe(live().length);
          for (const id of live()) expect(requests.has(id)).toBe(true);
        }
        requests.rejectAll(() => new Error('over'));
        expect(live()).toEqual([]);
        expect(requests.size).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
