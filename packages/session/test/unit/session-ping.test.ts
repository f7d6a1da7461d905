import { ErrorCode } from '@volley/protocol';
import { describe, expect, it, vi } from 'vitest';
import { create, host, microtasks, session, useFakeSession, watch } from './session-harness.js';

/* Pings and the keepalive, and what close() rejects. */

useFakeSession();

describe('ping', () => {
  it('tick() pings only after a quiet interval', () => {
    session.tick();
    expect(host.written).toEqual(['{"n":"_p","i":"1"}']);
  });

  it('tick() does not ping when something was received since the last tick', () => {
    session.receive('{"n":"nobody"}');
    session.tick();
    expect(host.written).toEqual([]);
    // The flag is checked once per interval: the next quiet interval pings.
    session.tick();
    expect(host.written).toEqual(['{"n":"_p","i":"1"}']);
  });

  it('counts bad frames as traffic', () => {
    session.receive('not json');
    session.tick();
    expect(host.written).toEqual([]);
  });

  it('does not ping again while a ping is outstanding, nor when not open', () => {
    session.tick();
    session.tick();
    expect(host.written).toHaveLength(1);
    create({ connected: false });
    session.tick();
    expect(host.written).toEqual([]);
  });

  it('resolves on pong and pings again after the next quiet interval', async () => {
    const pong = session.ping();
    expect(host.written).toEqual(['{"n":"_p","i":"1"}']);
    session.receive('{"n":"_r","i":"1","p":"pong"}');
    await expect(pong).resolves.toBeUndefined();
    session.tick(); // the pong counted as traffic
    expect(host.written).toHaveLength(1);
    session.tick();
    expect(host.written).toEqual(['{"n":"_p","i":"1"}', '{"n":"_p","i":"2"}']);
    expect(host.pingFailures).toEqual([]);
  });

  it('calls pingFailed with PING_ERROR when the pong does not come within responseTimeout', async () => {
    const ping = watch(session.ping());
    vi.advanceTimersByTime(999);
    await Promise.resolve();
    expect(host.pingFailures).toEqual([]);
    vi.advanceTimersByTime(1);
    await microtasks();
    expect(host.pingFailures).toHaveLength(1);
    expect(host.pingFailures[0]!.code).toBe(ErrorCode.PING_ERROR);
    expect(host.pingFailures[0]!.cause).toMatchObject({ code: ErrorCode.MESSAGE_TIMEOUT });
    expect(ping.error?.code).toBe(ErrorCode.PING_ERROR);
  });

  it('reports a failed tick() ping through pingFailed only', async () => {
    session.tick();
    vi.advanceTimersByTime(1000);
    await microtasks();
    expect(host.pingFailures).toHaveLength(1);
    // pinging is over: the next quiet interval may ping again.
    session.tick();
    expect(host.written).toEqual(['{"n":"_p","i":"1"}', '{"n":"_p","i":"2"}']);
  });

  it('does not call pingFailed when the connection closes during a ping', async () => {
    const ping = session.ping();
    session.close();
    await expect(ping).rejects.toMatchObject({ code: ErrorCode.DISCONNECTED });
    expect(host.pingFailures).toEqual([]);
  });
});

describe('close', () => {
  it('rejects every pending request with DISCONNECTED and stops sending', async () => {
    const a = session.request('a');
    const b = session.request('b', undefined, 0);
    session.close('socket closed (1006)');
    await expect(a).rejects.toMatchObject({ code: ErrorCode.DISCONNECTED, message: '"a" failed: socket closed (1006)' });
    await expect(b).rejects.toMatchObject({ code: ErrorCode.DISCONNECTED });
    expect(session.pendingCount).toBe(0);
    expect(session.open).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    await expect(session.request('c')).rejects.toMatchObject({ code: ErrorCode.DISCONNECTED });
  });

  it('ignores answers that arrive after close', () => {
    void session.request('a').catch(() => undefined);
    session.close();
    session.receive('{"n":"_r","i":"1","p":1}');
    expect(host.errors).toEqual([]);
  });
});
