import { Backoff } from '@volley/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReconnectTimer } from '../../src/reconnect-timer.js';

describe('ReconnectTimer', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('counts attempts and runs each retry after its backoff delay', () => {
    const timer = new ReconnectTimer(new Backoff({ initialDelay: 100, multiplier: 2, jitter: 0, maxAttempts: 2 }));
    const retry = vi.fn();
    expect(timer.schedule(retry)).toEqual({ attempt: 1, delay: 100 });
    vi.advanceTimersByTime(99);
    expect(retry).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(retry).toHaveBeenCalledTimes(1);
    expect(timer.exhausted).toBe(false);
    expect(timer.schedule(retry)).toEqual({ attempt: 2, delay: 200 });
    expect(timer.exhausted).toBe(true);
  });

  it('cancel() drops the scheduled retry; reset() also starts the count over', () => {
    const timer = new ReconnectTimer(new Backoff({ initialDelay: 100, jitter: 0 }));
    const retry = vi.fn();
    timer.schedule(retry);
    timer.cancel();
    vi.advanceTimersByTime(1000);
    expect(retry).not.toHaveBeenCalled();
    expect(timer.attempt).toBe(1);
    timer.schedule(retry);
    timer.reset();
    vi.advanceTimersByTime(1000);
    expect(retry).not.toHaveBeenCalled();
    expect(timer.attempt).toBe(0);
  });

  it('scheduling again replaces the pending retry instead of running two', () => {
    const timer = new ReconnectTimer(new Backoff({ initialDelay: 100, jitter: 0 }));
    const retry = vi.fn();
    timer.schedule(retry);
    timer.schedule(retry);
    vi.advanceTimersByTime(10_000);
    expect(retry).toHaveBeenCalledTimes(1);
  });
});
