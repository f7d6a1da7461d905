import { EventListeners } from '@volley/session';
import { describe, expect, it } from 'vitest';

describe('EventListeners', () => {
  it('calls the listeners of an event in order with its argument, and says whether there were any', () => {
    const listeners = new EventListeners();
    const seen: string[] = [];
    listeners.on('x', (value) => seen.push(`a${value}`));
    listeners.on('x', (value) => seen.push(`b${value}`));
    expect(listeners.emit('x', 1)).toBe(true);
    expect(listeners.emit('y', 1)).toBe(false);
    expect(seen).toEqual(['a1', 'b1']);
    expect(listeners.count('x')).toBe(2);
  });

  it('calls a once listener once, even when it emits the event again from inside', () => {
    const listeners = new EventListeners();
    let calls = 0;
    listeners.on(
      'x',
      () => {
        calls += 1;
        listeners.emit('x', undefined);
      },
      true,
    );
    listeners.emit('x', undefined);
    listeners.emit('x', undefined);
    expect(calls).toBe(1);
    expect(listeners.count('x')).toBe(0);
  });

  it('off(event, fn) removes every registration of fn; off(event) removes them all', () => {
    const listeners = new EventListeners();
    const fn = (): void => undefined;
    const other = (): void => undefined;
    listeners.on('x', fn);
    listeners.on('x', other);
    listeners.on('x', fn, true);
    listeners.off('x', fn);
    expect(listeners.count('x')).toBe(1);
    listeners.off('x');
    expect(listeners.count('x')).toBe(0);
    listeners.off('nothing', fn);
  });

  it('a listener added or removed during an emit takes effect from the next emit', () => {
    const listeners = new EventListeners();
    const seen: string[] = [];
    const late = (): void => void seen.push('late');
    listeners.on('x', () => {
      seen.push('first');
      listeners.on('x', late);
      listeners.off('x', second);
    });
    const second = (): void => void seen.push('second');
    listeners.on('x', second);
    listeners.emit('x', undefined);
    expect(seen).toEqual(['first', 'second']);
    listeners.emit('x', undefined);
    expect(seen).toEqual(['first', 'second', 'first', 'late']);
  });

  it('a throwing listener propagates and stops the ones after it (emitSafely reports it)', () => {
    const listeners = new EventListeners();
    const seen: string[] = [];
    listeners.on('x', () => {
      throw new Error('boom');
    });
    listeners.on('x', () => void seen.push('after'));
    expect(() => listeners.emit('x', undefined)).toThrow('boom');
    expect(seen).toEqual([]);
  });
});
