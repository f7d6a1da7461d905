import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-client.js';

/**
 * A Lua script run by its SHA1 (EVALSHA), so that Redis parses it once and each call sends only
 * its arguments. A Redis that does not know it yet (first call, or a restart emptied its script
 * cache) answers NOSCRIPT, and the call is made once more with the source (EVAL), which caches it.
 */
export class RedisScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClient, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await client.evalSha(this.sha, { keys, arguments: args });
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw error;
      return client.eval(this.source, { keys, arguments: args });
    }
  }
}
