import { corkableOf, WriteBatcher } from '@volley/session/node';
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** A fake TCP socket: counts corks like net.Socket and records what left it, write by write. */
class FakeSocket extends EventEmitter {
  writableCorked = 0;
  destroyed = false;
  /** Each entry is one flush: the frames that left together. */
  readonly flushes: string[][] = [];
  private buffered: string[] = [];
  cork(): void {
    this.writableCorked += 1;
  }
  uncork(): void {
    if (this.writableCorked === 0) return;
    this.writableCorked -= 1;
    if (this.writableCorked === 0 && this.buffered.length > 0) {
      this.flushes.push(this.buffered);
      this.buffered = [];
    }
  }
  write(frame: string): void {
    if (this.writableCorked > 0) this.buffered.push(frame);
    else this.flushes.push([frame]);
  }
}

describe('WriteBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('holds the writes of one turn and flushes them together at the end of the turn', () => {
    const batcher = new WriteBatcher();
    const socket = new FakeSocket();
    for (const frame of ['a', 'b', 'c']) {
      batcher.hold(socket);
      socket.write(frame);
    }
    expect(socket.flushes).toEqual([]);
    vi.runAllTimers();
    expect(socket.flushes).toEqual([['a', 'b', 'c']]);
    expect(socket.writableCorked).toBe(0);
  });

  it('schedules one flush per turn for any number of sockets', () => {
    const batcher = new WriteBatcher();
    const sockets = [new FakeSocket(), new FakeSocket()];
    for (const socket of sockets) {
      batcher.hold(socket);
      socket.write('x');
    }
    expect(vi.getTimerCount()).toBe(1);
    vi.runAllTimers();
    expect(sockets.map((socket) => socket.flushes)).toEqual([[['x']], [['x']]]);
  });

  it('flushNow sends what is held at once', () => {
    const batcher = new WriteBatcher();
    const socket = new FakeSocket();
    batcher.hold(socket);
    socket.write('bye');
    batcher.flushNow();
    expect(socket.flushes).toEqual([['bye']]);
  });

  it('skips destroyed sockets when flushing', () => {
    const batcher = new WriteBatcher();
    const socket = new FakeSocket();
    batcher.hold(socket);
    socket.write('lost');
    socket.destroyed = true;
    vi.runAllTimers();
    expect(socket.flushes).toEqual([]);
  });

  it('corks a socket for the length of each data event, so answers given during a read leave together without a timer', () => {
    const batcher = new WriteBatcher();
    const socket = new FakeSocket();
    // ws's own data listener, answering every frame of the read synchronously.
    socket.on('data', (chunk: string[]) => {
      for (const frame of chunk) {
        batcher.hold(socket);
        socket.write(`re:${frame}`);
      }
    });
    batcher.corkDuringReads(socket as never);
    socket.emit('data', ['1', '2', '3']);
    expect(socket.flushes).toEqual([['re:1', 're:2', 're:3']]);
    expect(vi.getTimerCount()).toBe(0);
    expect(socket.writableCorked).toBe(0);
  });
});

describe('corkableOf', () => {
  it('finds the TCP socket under a ws WebSocket and nothing under a browser-like one', () => {
    const tcp = new FakeSocket();
    expect(corkableOf({ _socket: tcp })).toBe(tcp);
    expect(corkableOf({})).toBeUndefined();
    expect(corkableOf(null)).toBeUndefined();
    expect(corkableOf({ _socket: { cork() {} } })).toBeUndefined();
  });
});
