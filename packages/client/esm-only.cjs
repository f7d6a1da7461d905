// Where require() lands: this package is an ES module only. Say so, and how to load it.
'use strict';
throw new Error(
  "@volley/client is ESM-only: load it with `import { Client } from '@volley/client'`, or from CommonJS with " +
    "`const { Client } = await import('@volley/client')`.",
);
