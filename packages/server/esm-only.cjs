// Where require() lands: this package is an ES module only. Say so, and how to load it.
'use strict';
throw new Error(
  "@volley/server is ESM-only: load it with `import { Server } from '@volley/server'`, or from CommonJS with " +
    "`const { Server } = await import('@volley/server')`.",
);
