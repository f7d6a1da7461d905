import { fileURLToPath } from 'node:url';
import { limitBytes, measureBundle, sizeCheckOf } from '@volley/test-utils';
import { describe, expect, it } from 'vitest';

/*
 * The chat client's weight in a browser: the built `@volley/chat/client` entry bundled by esbuild
 * with `import { ChatClient }`, minified, gzip -9, against its budget in .size-limit.mjs (what
 * `pnpm size` prints). Needs the build (the test command builds first).
 */
const root = fileURLToPath(new URL('../../../../', import.meta.url));

describe('the browser bundle of @volley/chat/client', () => {
  it('stays within its size-limit budget', async () => {
    const check = await sizeCheckOf(root, 'packages/chat/dist/client.js');
    const size = await measureBundle(root, check);
    console.info(`${check.name}: ${size} bytes min+gzip (limit ${check.limit})`);
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThanOrEqual(limitBytes(check.limit));
  }, 60_000);
});
