// Where require() lands: this package is an ES module only. Say so, and how to load it.
'use strict';
throw new Error(
  "@volley/redis is ESM-only: load it with `import { RedisAdapter } from '@volley/redis'`, or from CommonJS with " +
    "`const { RedisAdapter } = await import('@volley/redis')`.",
);
