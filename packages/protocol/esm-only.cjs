// Where require() lands: this package is an ES module only. Say so, and how to load it.
'use strict';
throw new Error(
  "@volley/protocol is ESM-only: load it with `import { encodeMessage } from '@volley/protocol'`, or from CommonJS with " +
    "`const { encodeMessage } = await import('@volley/protocol')`.",
);
