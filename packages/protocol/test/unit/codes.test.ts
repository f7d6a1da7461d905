import { CloseCode, ErrorCode } from '@volley/protocol';
import { describe, expect, it } from 'vitest';

describe('the code tables', () => {
  it('close codes are unique, RFC 6455 codes below 4000 and application codes in 4200–4299', () => {
    const codes = Object.values(CloseCode);
    expect(new Set(codes).size).toBe(codes.length);
    const outOfRange = Object.entries(CloseCode).filter(([, code]) => !((code >= 1000 && code <= 1015) || (code >= 4200 && code <= 4299)));
    expect(outOfRange).toEqual([]);
    // What sockets report for a connection that ended without a close frame: never sent, but named.
    expect(CloseCode.ABNORMAL).toBe(1006);
  });

  it('each error code is its own name, so that a code read off the wire is the name to look up', () => {
    for (const [name, code] of Object.entries(ErrorCode)) expect(code).toBe(name);
  });
});
