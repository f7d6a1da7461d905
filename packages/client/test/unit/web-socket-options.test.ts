import { Client } from '@volley/client';
import { describe, expect, it } from 'vitest';

/** A WebSocket class that records its constructor arguments and never opens. */
function recordingWebSocket(calls: unknown[][]) {
  return class {
    readyState = 0;
    onopen = null;
    onmessage = null;
    onclose = null;
    onerror = null;
    constructor(...args: unknown[]) {
      calls.push(args);
    }
    send(): void {}
    close(): void {}
  };
}

/** The same with ws's EventEmitter API on its prototype, as ws's sockets (they report the 101 response). */
function recordingEmitterWebSocket(calls: unknown[][]) {
  return class extends recordingWebSocket(calls) {
    on(): this {
      return this;
    }
    off(): this {
      return this;
    }
  };
}

describe('webSocketOptions', () => {
  it('passes { perMessageDeflate: false } as the third constructor argument by default', () => {
    const calls: unknown[][] = [];
    void new Client('ws://127.0.0.1:1', { WebSocket: recordingWebSocket(calls) }).connect();
    // The second argument offers the handshake in the upgrade (no payload: an empty entry).
    // The binary extension's variants come after every other offer (a server that picks the first picks volley.1-frame).
    expect(calls).toEqual([['ws://127.0.0.1:1', ['volley.1-frame', 'volley-h.', 'volley.1', 'volley.1-frame+b', 'volley.1+b'], { perMessageDeflate: false }]]);
  });

  it('offers the handshake payload in the upgrade unless told not to or given protocols of its own', () => {
    const calls: unknown[][] = [];
    const payload = { token: 'ü✓' };
    void new Client('ws://127.0.0.1:1', { WebSocket: recordingWebSocket(calls), handshake: { payload } }).connect();
    void new Client('ws://127.0.0.1:1', { WebSocket: recordingWebSocket(calls), handshake: { payload, viaUpgrade: false } }).connect();
    void new Client('ws://127.0.0.1:1', { WebSocket: recordingWebSocket(calls), handshake: { payload: 'x'.repeat(5000) } }).connect();
    const offered = Buffer.from(JSON.stringify(payload)).toString('base64url');
    expect(calls.map((call) => call[1])).toEqual([['volley.1-frame', `volley-h.${offered}`, 'volley.1', 'volley.1-frame+b', 'volley.1+b'], undefined, undefined]);
    expect(() => new Client('ws://127.0.0.1:1', { WebSocket: recordingWebSocket(calls), handshake: { viaUpgrade: 'yes' as never } })).toThrow(TypeError);
  });

  it('passes the given options and protocols instead', () => {
    const calls: unknown[][] = [];
    const options = { perMessageDeflate: true, headers: { 'x-test': '1' } };
    void new Client('ws://127.0.0.1:1', { WebSocket: recordingWebSocket(calls), protocols: ['volley.1'], webSocketOptions: options }).connect();
    expect(calls).toEqual([['ws://127.0.0.1:1', ['volley.1'], options]]);
  });
});

describe('handshake.answerInUpgrade', () => {
  it('is on with a ws-like WebSocket class (it offers volley.1-answer last) and off with a browser-like one', () => {
    const calls: unknown[][] = [];
    void new Client('ws://127.0.0.1:1', { WebSocket: recordingEmitterWebSocket(calls) }).connect();
    void new Client('ws://127.0.0.1:1', { WebSocket: recordingEmitterWebSocket(calls), handshake: { answerInUpgrade: false } }).connect();
    void new Client('ws://127.0.0.1:1', { WebSocket: recordingWebSocket(calls) }).connect();
    void new Client('ws://127.0.0.1:1', { WebSocket: recordingEmitterWebSocket(calls), handshake: { viaUpgrade: false } }).connect();
    void new Client('ws://127.0.0.1:1', { WebSocket: recordingEmitterWebSocket(calls), binary: false }).connect();
    expect(calls.map((call) => call[1])).toEqual([
      ['volley.1-frame', 'volley-h.', 'volley.1', 'volley.1-answer', 'volley.1-frame+b', 'volley.1+b', 'volley.1-answer+b'],
      ['volley.1-frame', 'volley-h.', 'volley.1', 'volley.1-frame+b', 'volley.1+b'],
      ['volley.1-frame', 'volley-h.', 'volley.1', 'volley.1-frame+b', 'volley.1+b'],
      undefined,
      ['volley.1-frame', 'volley-h.', 'volley.1', 'volley.1-answer'],
    ]);
  });

  it('must be a boolean, and cannot be asked of a WebSocket class that does not report the upgrade response', () => {
    const calls: unknown[][] = [];
    expect(() => new Client('ws://127.0.0.1:1', { WebSocket: recordingEmitterWebSocket(calls), handshake: { answerInUpgrade: 1 as never } })).toThrow(
      /answerInUpgrade" must be a boolean/,
    );
    expect(() => new Client('ws://127.0.0.1:1', { WebSocket: recordingWebSocket(calls), handshake: { answerInUpgrade: true } })).toThrow(
      /needs a WebSocket class that reports the upgrade response/,
    );
    expect(calls).toEqual([]);
  });
});
