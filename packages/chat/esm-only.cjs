// Where require() lands: this package is an ES module only. Say so, and how to load it.
'use strict';
throw new Error(
  "@volley/chat is ESM-only: load it with `import { ChatServer } from '@volley/chat'`, or from CommonJS with " +
    "`const { ChatServer } = await import('@volley/chat')`.",
);
