import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineQueue } from '../../src/deadline-queue.js';

describe('DeadlineQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('expires each entry after the delay, in order, with one timer for all', () => {
    const expired: string[] = [];
    const queue = new DeadlineQueue<string>(100, (item) => expired.push(item));
    queue.add('a');
    vi.advanceTimersByTime(30);
    queue.add('b');
    queue.add('c');
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(69);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['a']);
    vi.advanceTimersByTime(29);
    expect(expired).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['a', 'b', 'c']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never expires a deleted entry', () => {
    const expired: string[] = [];
    const queue = new DeadlineQueue<string>(100, (item) => expired.push(item));
    queue.add('a');
    queue.add('b');
    queue.delete('a');
    vi.advanceTimersByTime(100);
    expect(expired).toEqual(['b']);
  });

  it('re-arms after going empty', () => {
    const expired: string[] = [];
    const queue = new DeadlineQueue<string>(50, (item) => expired.push(item));
    queue.add('a');
    vi.advanceTimersByTime(50);
    queue.add('b');
    vi.advanceTimersByTime(49);
    expect(expired).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['a', 'b']);
  });

  it('clear() stops the timer and forgets everything', () => {
    const expired: string[] = [];
    const queue = new DeadlineQueue<string>(50, (item) => expired.push(item));
    queue.add('a');
    queue.clear();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(100);
    expect(expired).toEqual([]);
  });
});
