import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Admission } from '../../src/admission.js';
import { Keepalive } from '../../src/keepalive.js';

describe('Admission', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('without limits admits everything and never calls a peer abusive', () => {
    const admission = new Admission({});
    for (let index = 0; index < 1000; index++) expect(admission.take()).toBe(true);
    expect(admission.inFlightFull).toBe(false);
    expect(admission.refused()).toBe(false);
    expect(admission.rate).toBeUndefined();
  });

  it('the rate: a burst, then refills with the clock', () => {
    const admission = new Admission({ rateLimit: { rate: 10, burst: 3 } });
    expect([admission.take(), admission.take(), admission.take(), admission.take()]).toEqual([true, true, true, false]);
    vi.advanceTimersByTime(100);
    expect(admission.take()).toBe(true);
    expect(admission.rate).toBe(10);
  });

  it('the in-flight cap counts admitted requests until they are answered', () => {
    const admission = new Admission({ maxInFlight: 2 });
    admission.admitted(true);
    admission.admitted(false);
    expect(admission.inFlightFull).toBe(false);
    admission.admitted(true);
    expect([admission.inFlightFull, admission.inFlightCount]).toEqual([true, 2]);
    admission.answered();
    expect(admission.inFlightFull).toBe(false);
  });

  it('words its refusals: the rate for any frame, the cap only while it is full', () => {
    const admission = new Admission({ rateLimit: { rate: 10, burst: 1 }, maxInFlight: 1 });
    const overRate = admission.rateLimited('sum');
    expect([overRate.code, overRate.message]).toEqual(['RATE_LIMITED', '"sum" refused: more than 10 messages per second']);
    expect(admission.inFlightRefusal('sum')).toBeUndefined();
    admission.admitted(true);
    const full = admission.inFlightRefusal('sum');
    expect([full?.code, full?.message]).toEqual(['TOO_MANY_REQUESTS', '"sum" refused: 1 requests already await an answer']);
    admission.answered();
    expect(admission.inFlightRefusal('sum')).toBeUndefined();
  });

  it('refusals in a row: the maxRefusals-th is abusive, then the count starts over; an admission resets it', () => {
    const admission = new Admission({ maxRefusals: 3 });
    expect([admission.refused(), admission.refused()]).toEqual([false, false]);
    admission.admitted(false);
    expect([admission.refused(), admission.refused(), admission.refused()]).toEqual([false, false, true]);
    expect(admission.refused()).toBe(false);
  });
});

describe('Keepalive', () => {
  it('a ping is due only after a quiet interval and while none is out', () => {
    const keepalive = new Keepalive();
    expect(keepalive.due()).toBe(true);
    keepalive.sent();
    expect(keepalive.due()).toBe(false);
    keepalive.answered();
    keepalive.received();
    // Traffic postpones the ping by one interval: the flag is cleared at the tick.
    expect(keepalive.due()).toBe(false);
    expect(keepalive.due()).toBe(true);
  });
});
