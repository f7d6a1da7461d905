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

/** A WebSocket that opens at once and answers the `_h` frame with `login`; `deliver` pushes a frame. */
function scriptedWebSocket(login: object) {
  let current: { onmessage: ((event: { data: string }) => void) | null } | undefined;
  const WebSocket = class {
    readyState = 0;
    protocol = '';
    onopen: (() => void) | null = null;
    onmessage: ((event: { data: string }) => void) | null = null;
    onclose: ((event: { code: number; reason: string }) => void) | null = null;
    onerror = null;
    constructor() {
      current = this;
      queueMicrotask(() => {
        this.readyState = 1;
        this.onopen?.();
      });
    }
    send(data: string): void {
      const frame = JSON.parse(data) as { n: string; i: string };
      if (frame.n === '_h') this.onmessage?.({ data: JSON.stringify({ n: '_r', i: frame.i, p: { id: 'c1', payload: login } }) });
    }
    close(code = 1000, reason = ''): void {
      this.readyState = 3;
      queueMicrotask(() => this.onclose?.({ code, reason }));
    }
  };
  return { WebSocket, deliver: (frame: object) => current!.onmessage?.({ data: JSON.stringify(frame) }) };
}

describe('ChatClient events', () => {
  it('calls on() listeners with positional arguments, once() listeners once, and none after off()', async () => {
    const { WebSocket, deliver } = scriptedWebSocket({ userName: 'ann', authData: { id: 'c1' } });
    const chat = new ChatClient('ws://127.0.0.1:1', { WebSocket, loginViaUpgrade: false });
    const seen: unknown[][] = [];
    const always = (roomName: string, userName: string): void => void seen.push(['on', roomName, userName]);
    chat.on('roomUserJoined', always).once('roomUserJoined', (roomName, userName) => void seen.push(['once', roomName, userName]));
    const confirmed: unknown[][] = [];
    chat.on('loginConfirmed', (userName, authData) => void confirmed.push([userName, authData]));
    expect(await chat.connect()).toEqual({ userName: 'ann', authData: { id: 'c1' } });
    expect(confirmed).toEqual([['ann', { id: 'c1' }]]);
    expect(chat.listenerCount('roomUserJoined')).toBe(2);

    deliver({ n: 'roomUserJoined', p: { roomName: 'lobby', userName: 'bo' } });
    deliver({ n: 'roomUserJoined', p: { roomName: 'lobby', userName: 'cy' } });
    expect(seen).toEqual([['on', 'lobby', 'bo'], ['once', 'lobby', 'bo'], ['on', 'lobby', 'cy']]);
    expect(chat.listenerCount('roomUserJoined')).toBe(1);

    chat.off('roomUserJoined', always);
    deliver({ n: 'roomUserJoined', p: { roomName: 'lobby', userName: 'di' } });
    expect(seen).toHaveLength(3);
    expect(chat.listenerCount('roomUserJoined')).toBe(0);
    await chat.disconnect();
  });

  it('reports a throwing notification listener on the error event and keeps delivering', async () => {
    const { WebSocket, deliver } = scriptedWebSocket({ userName: 'ann', authData: { id: 'c1' } });
    const chat = new ChatClient('ws://127.0.0.1:1', { WebSocket, loginViaUpgrade: false });
    const errors: Error[] = [];
    chat.on('error', (error) => void errors.push(error));
    const texts: string[] = [];
    chat.on('systemMessage', (data) => {
      if (data === 'boom') throw new Error('listener failed');
      texts.push(data as string);
    });
    await chat.connect();
    deliver({ n: 'systemMessage', p: { data: 'boom' } });
    deliver({ n: 'systemMessage', p: { data: 'fine' } });
    expect(errors.map((error) => error.message)).toEqual(['listener failed']);
    expect(texts).toEqual(['fine']);
    await chat.disconnect();
  });
});
