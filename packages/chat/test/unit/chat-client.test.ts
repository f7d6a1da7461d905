import { ChatClient } from '@volley/chat/client';
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

describe('ChatClient login options', () => {
  it('offers the auth payload in the upgrade by default, and not with loginViaUpgrade false', () => {
    const calls: unknown[][] = [];
    const auth = { userName: 'ann' };
    const clients = [
      new ChatClient('ws://127.0.0.1:1', { WebSocket: recordingWebSocket(calls), auth }),
      new ChatClient('ws://127.0.0.1:1', { WebSocket: recordingWebSocket(calls), auth, loginViaUpgrade: false }),
    ];
    for (const client of clients) void client.connect().catch(() => undefined);
    const offered = `volley-h.${Buffer.from(JSON.stringify(auth)).toString('base64url')}`;
    expect(calls.map((call) => call[1])).toEqual([['volley.1-frame', offered, 'volley.1', 'volley.1-frame+b', 'volley.1+b'], undefined]);
    // The sockets never open: end the attempts (and their timers) here.
    for (const client of clients) void client.disconnect();
  });
});

describe('ChatClient loginAnswerInUpgrade', () => {
  it('asks for the login answer in the upgrade response with ws-like sockets, unless turned off', () => {
    const calls: unknown[][] = [];
    const WebSocket = class extends recordingWebSocket(calls) {
      on(): this {
        return this;
      }
      off(): this {
        return this;
      }
    };
    const clients = [new ChatClient('ws://127.0.0.1:1', { WebSocket }), new ChatClient('ws://127.0.0.1:1', { WebSocket, loginAnswerInUpgrade: false })];
    for (const client of clients) void client.connect().catch(() => undefined);
    expect(calls.map((call) => call[1])).toEqual([
      ['volley.1-frame', 'volley-h.', 'volley.1', 'volley.1-answer', 'volley.1-frame+b', 'volley.1+b', 'volley.1-answer+b'],
      ['volley.1-frame', 'volley-h.', 'volley.1', 'volley.1-frame+b', 'volley.1+b'],
    ]);
    for (const client of clients) void client.disconnect();
  });
});
