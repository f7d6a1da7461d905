import { fromIoredis, RedisAdapter, redisAdapterDefaults } from '@volley/redis';
import Redis from 'ioredis';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';

describe('RedisAdapter options', () => {
  it.each([
    [{ prefix: '' }, 'prefix'],
    [{ prefix: 'a{b}' }, 'prefix'],
    [{ nodeId: '' }, 'nodeId'],
    [{ heartbeatInterval: 0 }, 'heartbeatInterval'],
    [{ heartbeatInterval: 1.5 }, 'heartbeatInterval'],
    [{ heartbeatInterval: 1000, heartbeatTtl: 1000 }, 'heartbeatTtl'],
    [{ roomChannels: 'yes' as unknown as boolean }, 'roomChannels'],
  ])('refuses %o at construction, naming the option', (options, name) => {
    expect(() => new RedisAdapter(options)).toThrow(TypeError);
    expect(() => new RedisAdapter(options)).toThrow(name);
  });

  it('has documented defaults, a node id of its own, and connects nothing until attached', () => {
    expect(redisAdapterDefaults).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'volley', heartbeatInterval: 2000, heartbeatTtl: 6000, roomChannels: false });
    const first = new RedisAdapter({ url: 'redis://127.0.0.1:1' });
    const second = new RedisAdapter({ url: 'redis://127.0.0.1:1' });
    expect(first.nodeId).not.toBe(second.nodeId);
    expect(new RedisAdapter({ nodeId: 'n1' }).nodeId).toBe('n1');
  });

  it('refuses a client whose offline queue is on, node-redis or ioredis, naming the fix', () => {
    const queued = createClient({ url: 'redis://127.0.0.1:1' });
    expect(() => new RedisAdapter({ client: queued })).toThrow(/disableOfflineQueue: true/);
    expect(() => new RedisAdapter({ client: createClient({ url: 'redis://127.0.0.1:1', disableOfflineQueue: true }) })).not.toThrow();
    const io = new Redis({ lazyConnect: true });
    const ioOff = new Redis({ lazyConnect: true, enableOfflineQueue: false });
    try {
      expect(() => new RedisAdapter({ client: fromIoredis(io) })).toThrow(/enableOfflineQueue: false/);
      expect(() => new RedisAdapter({ client: fromIoredis(ioOff) })).not.toThrow();
    } finally {
      io.disconnect();
      ioOff.disconnect();
    }
  });
});
