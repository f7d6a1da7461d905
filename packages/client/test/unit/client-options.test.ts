import { Client, type ClientOptions } from '@volley/client';
import { describe, expect, it, vi } from 'vitest';
import { rejection, URL, useFakeClient } from './client-harness.js';
import { FakeWebSocket } from './fake-web-socket.js';

/* The client's options: checked at construction, with a TypeError that names the option. */

useFakeClient();

describe('options', () => {
  it.each([
    ['http://volley.test'],
    ['volley.test:8080'],
    [''],
    [42 as unknown as string],
  ])('rejects the URL %o with a TypeError', (url) => {
    expect(() => new Client(url, { WebSocket: FakeWebSocket })).toThrow(TypeError);
  });

  it('accepts ws:// and wss:// URLs in any case', () => {
    expect(new Client('ws://a', { WebSocket: FakeWebSocket }).url).toBe('ws://a');
    expect(new Client('WSS://a', { WebSocket: FakeWebSocket }).url).toBe('WSS://a');
  });

  it.each<[string, ClientOptions]>([
    ['handshake.timeout', { handshake: { timeout: -1 } }],
    ['responseTimeout', { responseTimeout: -5 }],
    ['pingInterval', { pingInterval: -1 }],
    ['responseTimeout', { responseTimeout: Number.NaN }],
    ['pingInterval', { pingInterval: Infinity }],
    ['closeTimeout', { closeTimeout: -1 }],
    ['closeTimeout', { closeTimeout: 2 ** 31 }],
    ['maxPayload', { maxPayload: 0 }],
    ['maxPayload', { maxPayload: 1.5 }],
    ['initialDelay', { reconnectOptions: { initialDelay: -1 } }],
    ['jitter', { reconnectOptions: { jitter: 2 } }],
  ])('throws a TypeError naming %s', (name, options) => {
    expect(() => new Client(URL, { WebSocket: FakeWebSocket, ...options })).toThrow(TypeError);
    expect(() => new Client(URL, { WebSocket: FakeWebSocket, ...options })).toThrow(name);
  });

  it('accepts 0 for the timeouts and the ping interval (meaning "none")', () => {
    expect(() => new Client(URL, { WebSocket: FakeWebSocket, handshake: { timeout: 0 }, responseTimeout: 0, pingInterval: 0 })).not.toThrow();
  });

  it('throws a TypeError when no WebSocket class is given and the platform has none', () => {
    vi.stubGlobal('WebSocket', undefined);
    expect(() => new Client(URL)).toThrow(TypeError);
    expect(() => new Client(URL)).toThrow(/WebSocket/);
  });

  it('uses globalThis.WebSocket when no class is given (the browser case)', () => {
    vi.stubGlobal('WebSocket', FakeWebSocket);
    const client = new Client(URL, { protocols: ['volley.1'] });
    const connecting = rejection(client.connect());
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(FakeWebSocket.last().url).toBe(URL);
    expect(FakeWebSocket.last().protocols).toEqual(['volley.1']);
    FakeWebSocket.last().finishClose(1006);
    return connecting;
  });
});
