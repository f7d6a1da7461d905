import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string): string => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

// Tests import the packages' sources, never their builds, so they never wait for tsup.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@volley\/protocol\/validation$/, replacement: src('protocol/src/validation.ts') },
      { find: /^@volley\/protocol$/, replacement: src('protocol/src/index.ts') },
      { find: /^@volley\/session\/node$/, replacement: src('session/src/node.ts') },
      { find: /^@volley\/session$/, replacement: src('session/src/index.ts') },
      { find: /^@volley\/server$/, replacement: src('server/src/index.ts') },
      { find: /^@volley\/client$/, replacement: src('client/src/node.ts') },
      { find: /^@volley\/chat\/client$/, replacement: src('chat/src/client.ts') },
      { find: /^@volley\/chat$/, replacement: src('chat/src/index.ts') },
      { find: /^@volley\/redis\/chat$/, replacement: src('redis/src/chat.ts') },
      { find: /^@volley\/redis$/, replacement: src('redis/src/index.ts') },
      { find: /^@volley\/test-utils$/, replacement: src('test-utils/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'docs/test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
