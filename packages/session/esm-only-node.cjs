// Where require() lands: this package is an ES module only. Say so, and how to load it.
'use strict';
throw new Error(
  "@volley/session/node is ESM-only: load it with `import { WriteBatcher } from '@volley/session/node'`, or from CommonJS with " +
    "`const { WriteBatcher } = await import('@volley/session/node')`.",
);
