import { ErrorCode, type VolleyError } from '@volley/client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanup,
  connectClient,
  makeClient,
  record,
  startRawServer,
  startServer,
  waitFor,
} from '@volley/test-utils';

/* The client's pings against a real server and a raw server that does not answer them. */

afterEach(cleanup);

describe('client pings', () => {
  it('client.ping() resolves when the server answers', async () => {
    const { url } = await startServer();
    const client = await connectClient(url);
    await expect(client.ping()).resolves.toBeUndefined();
  });

  it('pings a quiet server and stays connected while it answers', async () => {
    const { url, sockets } = await startRawServer({ answerPings: true });
    const client = await connectClient(url, { pingInterval: 50, responseTimeout: 1000 });
    const closed = record(client, '_disconnected');
    const [entry] = sockets;
    while (entry!.frames.filter((frame) => frame.n === '_p').length < 3) await waitFor(entry!.socket, 'message');
    expect(closed).toEqual([]);
    expect(client.state).toBe('connected');
  });

  it('closes with 4201 when the server never answers its pings', async () => {
    const { url, sockets } = await startRawServer();
    const client = makeClient(url, { pingInterval: 50, responseTimeout: 100 });
    const errors = record<VolleyError>(client, '_error');
    await client.connect();
    const info = await waitFor<{ code: number; willReconnect: boolean }>(client, '_disconnected');
    expect(info.code).toBe(4201);
    expect(info.willReconnect).toBe(false);
    expect(errors.map((e) => e.code)).toContain(ErrorCode.PING_ERROR);
    expect(sockets[0]!.frames.some((frame) => frame.n === '_p')).toBe(true);
    expect(client.state).toBe('disconnected');
  });
});
