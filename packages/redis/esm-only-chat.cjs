// Where require() lands: this package is an ES module only. Say so, and how to load it.
'use strict';
throw new Error(
  "@volley/redis/chat is ESM-only: load it with `import { RedisChatStore } from '@volley/redis/chat'`, or from CommonJS with " +
    "`const { RedisChatStore } = await import('@volley/redis/chat')`.",
);
