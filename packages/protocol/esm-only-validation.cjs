// Where require() lands: this package is an ES module only. Say so, and how to load it.
'use strict';
throw new Error(
  "@volley/protocol/validation is ESM-only: load it with `import { createFrameValidator } from '@volley/protocol/validation'`, or from CommonJS with " +
    "`const { createFrameValidator } = await import('@volley/protocol/validation')`.",
);
