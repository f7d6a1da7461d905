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

describe('webSocketOptions', () => {
  it('passes { perMessageDeflate: false } as the third constructor argument by default', () => {
    const calls: unknown[][] = [];
    void new Client('ws://127.0.0.1:1', { WebSocket: recordingWebSocket(calls) }).connect();
    expect(calls).toEqual([['ws://127.0.0.1:1', undefined, { perMessageDeflate: false }]]);
  });

  it('passes the given options and protocols instead', () => {
    const calls: unknown[][] = [];
    const options = { perMessageDeflate: true, headers: { 'x-test': '1' } };
    void new Client('ws://127.0.0.1:1', { WebSocket: recordingWebSocket(calls), protocols: ['volley.1'], webSocketOptions: options }).connect();
    expect(calls).toEqual([['ws://127.0.0.1:1', ['volley.1'], options]]);
  });
});
