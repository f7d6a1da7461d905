import { ErrorCode, type VolleyError } from '@volley/protocol';
import { emitSafely } from '@volley/session';
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => vi.unstubAllGlobals());

describe('emitSafely', () => {
  it('emits to the listeners', () => {
    const emitter = new EventEmitter();
    const seen: unknown[] = [];
    emitter.on('_state', (value: unknown) => seen.push(value));
    emitSafely(emitter, '_state', 1, () => undefined, '_error');
    expect(seen).toEqual([1]);
  });

  it('reports a throwing listener as INTERNAL_ERROR instead of throwing', () => {
    const emitter = new EventEmitter();
    emitter.on('_disconnected', () => {
      throw new Error('listener bug');
    });
    const reported: VolleyError[] = [];
    expect(() => emitSafely(emitter, '_disconnected', {}, (error) => reported.push(error), '_error')).not.toThrow();
    expect(reported.map((error) => [error.code, error.message])).toEqual([[ErrorCode.INTERNAL_ERROR, 'A "_disconnected" listener threw: listener bug']]);
  });

  it('rethrows a throwing error listener on a fresh stack rather than reporting it again', () => {
    const deferred: (() => void)[] = [];
    vi.stubGlobal('queueMicrotask', (callback: () => void) => deferred.push(callback));
    const emitter = new EventEmitter();
    const failure = new Error('error listener bug');
    emitter.on('_error', () => {
      throw failure;
    });
    const report = vi.fn();
    expect(() => emitSafely(emitter, '_error', new Error('x'), report, '_error')).not.toThrow();
    expect(report).not.toHaveBeenCalled();
    expect(deferred).toHaveLength(1);
    expect(() => deferred[0]!()).toThrow(failure);
  });
});
