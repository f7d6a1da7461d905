// Where require() lands: this package is an ES module only. Say so, and how to load it.
'use strict';
throw new Error(
  "@volley/chat/client is ESM-only: load it with `import { ChatClient } from '@volley/chat/client'`, or from CommonJS with " +
    "`const { ChatClient } = await import('@volley/chat/client')`.",
);
