// Where require() lands: this package is an ES module only. Say so, and how to load it.
'use strict';
throw new Error(
  "@volley/session is ESM-only: load it with `import { Session } from '@volley/session'`, or from CommonJS with " +
    "`const { Session } = await import('@volley/session')`.",
);
