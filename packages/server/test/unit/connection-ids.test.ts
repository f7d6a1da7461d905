import { describe, expect, it } from 'vitest';
import { randomConnectionId } from '../../src/connection-ids.js';

describe('randomConnectionId', () => {
  it('gives 22 URL-safe characters (128 bits) and no repeats across pool refills', () => {
    const ids = new Set<string>();
    // 1,000 ids cross several refills of the 256-id pool.
    for (let i = 0; i < 1000; i++) {
      const id = randomConnectionId();
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(1000);
  });
});
