import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { WebSocketLike } from '../../src/options.js';
import { nodeTransport } from '../../src/node-transport.js';
import { browserTransport, type SocketListeners } from '../../src/transport.js';

const { listen, unlisten } = nodeTransport;

function recorder(): { listeners: SocketListeners; log: unknown[][] } {
  const log: unknown[][] = [];
  return {
    log,
    listeners: {
      upgraded: (answer) => log.push(['upgrade', answer]),
      opened: () => log.push(['open']),
      received: (data) => log.push(['message', data]),
      failed: () => log.push(['error']),
      closed: (code, reason) => log.push(['close', code, reason]),
    },
  };
}

describe('listen()', () => {
  it('uses the EventEmitter API of a ws socket: text as strings, binary as is, reasons as strings', () => {
    const socket = Object.assign(new EventEmitter(), { readyState: 1, send() {}, close() {}, onopen: null, onmessage: null, onclose: null, onerror: null });
    const { listeners, log } = recorder();
    listen(socket as unknown as WebSocketLike, listeners);
    const binary = Buffer.from([1, 2]);
    socket.emit('open');
    socket.emit('message', Buffer.from('{"n":"x"}'), false);
    socket.emit('message', binary, true);
    socket.emit('error', new Error('boom'));
    socket.emit('close', 1000, Buffer.from('bye'));
    expect(log).toEqual([['open'], ['message', '{"n":"x"}'], ['message', binary], ['error'], ['close', 1000, 'bye']]);
    expect(socket.onmessage).toBeNull();
  });

  it('detaches from a ws socket and leaves an error listener so a late error cannot throw', () => {
    const socket = Object.assign(new EventEmitter(), { readyState: 1, send() {}, close() {}, onopen: null, onmessage: null, onclose: null, onerror: null });
    const { listeners, log } = recorder();
    listen(socket as unknown as WebSocketLike, listeners);
    unlisten(socket as unknown as WebSocketLike);
    socket.emit('message', Buffer.from('x'), false);
    socket.emit('close', 1006, Buffer.alloc(0));
    expect(() => socket.emit('error', new Error('late'))).not.toThrow();
    expect(log).toEqual([]);
  });

  it('uses the on… properties of a browser WebSocket and clears them on detach', () => {
    const socket: WebSocketLike = { readyState: 1, send() {}, close() {}, onopen: null, onmessage: null, onclose: null, onerror: null };
    const { listeners, log } = recorder();
    listen(socket, listeners);
    socket.onopen?.({});
    socket.onmessage?.({ data: 'text' });
    socket.onerror?.({});
    socket.onclose?.({ code: 4201, reason: 'Ping failed' });
    expect(log).toEqual([['open'], ['message', 'text'], ['error'], ['close', 4201, 'Ping failed']]);
    unlisten(socket);
    expect([socket.onopen, socket.onmessage, socket.onerror, socket.onclose]).toEqual([null, null, null, null]);
  });
});

describe('browserTransport', () => {
  it('never reads the 101 response, writes with send(), and refuses an answer header it never asked for', () => {
    expect(browserTransport.readsUpgradeResponse(class {} as never)).toBe(false);
    expect(browserTransport.writer({} as WebSocketLike, { batchWrites: true, ownFraming: true })).toBeUndefined();
    const failure = browserTransport.upgradeAnswerFailure('{"n":"_r"}');
    expect(failure?.code).toBe('HANDSHAKE_ERROR');
    expect(failure?.message).toContain('did not offer');
  });
});
