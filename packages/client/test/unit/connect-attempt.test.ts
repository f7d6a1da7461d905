import { VolleyError } from '@volley/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectAttempt } from '../../src/connect-attempt.js';
import type { WebSocketLike } from '../../src/options.js';

const socket = { readyState: 0 } as WebSocketLike;

describe('ConnectAttempt', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('settles once: the first outcome wins and its timer stops', async () => {
    const expired = vi.fn();
    const attempt = new ConnectAttempt(socket, true, 1000, { attemptExpired: expired });
    expect(attempt.settled).toBe(false);
    expect(attempt.succeed('welcome')).toBe(true);
    expect(attempt.fail(new VolleyError('HANDSHAKE_ERROR', 'late'))).toBe(false);
    expect(attempt.succeed('again')).toBe(false);
    await expect(attempt.promise).resolves.toBe('welcome');
    vi.advanceTimersByTime(5000);
    expect(expired).not.toHaveBeenCalled();
  });

  it('tells its owner when its time runs out, once, and only while unsettled', () => {
    const expired = vi.fn();
    const attempt = new ConnectAttempt(socket, false, 1000, { attemptExpired: expired });
    vi.advanceTimersByTime(999);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledWith(attempt);
    expect(attempt.fail(new VolleyError('HANDSHAKE_ERROR', 'timeout'))).toBe(true);
    attempt.promise.catch(() => undefined);
    vi.advanceTimersByTime(5000);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('has no timer with a timeout of 0', () => {
    const expired = vi.fn();
    const attempt = new ConnectAttempt(socket, false, 0, { attemptExpired: expired });
    vi.advanceTimersByTime(2 ** 31 - 1);
    expect(expired).not.toHaveBeenCalled();
    expect(attempt.offeredInUpgrade).toBe(false);
  });
});
